"""POSIX access control lists, written as Linux keeps them (the ``system.posix_acl_access`` and
``system.posix_acl_default`` extended attributes; acl/include/acl_ea.h), so that the kit needs
neither the acl package's ``setfacl`` nor a Python binding.  They are on by default on ext4, xfs
and btrfs.  Standard library only: ``exchange`` uses it in the users' servers too.
"""

import os
import struct

# A POSIX access control list as Linux stores it in the system.posix_acl_access attribute
# (acl/include/acl_ea.h): a version, then (tag, permissions, id) entries sorted by tag.
ACCESS_ATTRIBUTE = "system.posix_acl_access"
DEFAULT_ATTRIBUTE = "system.posix_acl_default"
ACL_VERSION = 2
ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ACL_UNDEFINED_ID = 0xFFFFFFFF
READ, READ_WRITE, ENTER, NOTHING = 4, 6, 1, 0


def pack_acl(entries):
    """The bytes of an access control list of (tag, permissions, id) ``entries``, as Linux keeps
    it in an extended attribute (what ``setfacl`` writes, without the acl package)."""
    return struct.pack("<I", ACL_VERSION) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


def remove_default_acl(path):
    """Remove the default access control list of the folder ``path``, if it has one, so that what
    is created in it gets the permissions its creator asks for."""
    try:
        os.removexattr(path, DEFAULT_ATTRIBUTE)
    except OSError:
        pass


def private_to_group(path, gid):
    """Give ``path`` an access control list: its owner may do everything, the group ``gid`` read
    (and enter a folder), nobody else anything (``setfacl -m g:GID:rX,g::-,o::-``)."""
    directory = os.path.isdir(path)
    owner, group = (READ_WRITE | ENTER, READ | ENTER) if directory else (READ_WRITE, READ)
    os.setxattr(
        path,
        ACCESS_ATTRIBUTE,
        pack_acl(
            [
                (ACL_USER_OBJ, owner, ACL_UNDEFINED_ID),
                (ACL_GROUP_OBJ, NOTHING, ACL_UNDEFINED_ID),
                (ACL_GROUP, group, gid),
                (ACL_MASK, group, ACL_UNDEFINED_ID),
                (ACL_OTHER, NOTHING, ACL_UNDEFINED_ID),
            ]
        ),
    )


def readable_by_one_student(path, uid):
    """Give ``path`` an access control list: its owner reads and writes, its group and the user
    ``uid`` read, nobody else (``setfacl -m u:UID:r,o::-``)."""
    os.setxattr(
        path,
        ACCESS_ATTRIBUTE,
        pack_acl(
            [
                (ACL_USER_OBJ, READ_WRITE, ACL_UNDEFINED_ID),
                (ACL_USER, READ, uid),
                (ACL_GROUP_OBJ, READ, ACL_UNDEFINED_ID),
                (ACL_MASK, READ, ACL_UNDEFINED_ID),
                (ACL_OTHER, NOTHING, ACL_UNDEFINED_ID),
            ]
        ),
    )


def private_to_user(path, uid):
    """Give ``path`` an access control list: its owner may do everything, the user ``uid`` read (and
    enter a folder), nobody else anything (``setfacl -m u:UID:rX,g::-,o::-``): a user's own Jupyter
    configuration on a hub of several courses."""
    directory = os.path.isdir(path)
    owner, user = (READ_WRITE | ENTER, READ | ENTER) if directory else (READ_WRITE, READ)
    os.setxattr(
        path,
        ACCESS_ATTRIBUTE,
        pack_acl(
            [
                (ACL_USER_OBJ, owner, ACL_UNDEFINED_ID),
                (ACL_USER, user, uid),
                (ACL_GROUP_OBJ, NOTHING, ACL_UNDEFINED_ID),
                (ACL_MASK, user, ACL_UNDEFINED_ID),
                (ACL_OTHER, NOTHING, ACL_UNDEFINED_ID),
            ]
        ),
    )


def open_to_group(path, gid):
    """Give the folder ``path`` an access control list: its owner and its group may do everything,
    the group ``gid`` read and enter it, nobody else anything (``setfacl -m g:GID:rx,o::-``): a
    course's folder in an exchange several courses share, open to its own students only."""
    os.setxattr(
        path,
        ACCESS_ATTRIBUTE,
        pack_acl(
            [
                (ACL_USER_OBJ, READ_WRITE | ENTER, ACL_UNDEFINED_ID),
                (ACL_GROUP_OBJ, READ_WRITE | ENTER, ACL_UNDEFINED_ID),
                (ACL_GROUP, READ | ENTER, gid),
                (ACL_MASK, READ_WRITE | ENTER, ACL_UNDEFINED_ID),
                (ACL_OTHER, NOTHING, ACL_UNDEFINED_ID),
            ]
        ),
    )


def remove_access_acl(path):
    """Remove the access control list of ``path``, if it has one: its mode alone counts again."""
    try:
        os.removexattr(path, ACCESS_ATTRIBUTE)
    except OSError:
        pass
