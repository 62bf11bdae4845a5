"""Submissions downloaded from a learning management system as a zip, collected the way
`nbgrader zip_collect` does: nbgrader's own ZipCollectApp extracts the archive and its
FileNameCollectorPlugin reads each student's id (and, if the pattern has one, the submission
time) from the file names.

The collected files are first laid out in a staging folder, then copied into submitted/ only
where they differ from what is there: collecting the same download twice changes nothing, so a
grading run started again with the same zip does not grade anyone again.
"""

import filecmp
import os
import re
import shutil
from pathlib import Path

from nbgrader.apps.zipcollectapp import ZipCollectApp

from .paths import ASSIGNMENT

STAGING = "collected"  # under downloaded/<assignment>/, beside nbgrader's archive/ and extracted/


def default_pattern(notebook=ASSIGNMENT):
    r"""File names like ``.../<student_id>_dnn_step_by_step.ipynb`` or ``.../<student_id>/dnn_step_by_step.ipynb``."""
    return rf".*/(?P<student_id>[^/]+?)[/_](?P<file_id>{re.escape(notebook)})\.ipynb$"


class CollectionError(Exception):
    pass


def collect_zip(coursedir, zip_path, pattern=None, assignment=ASSIGNMENT):
    """Collect the submissions in ``zip_path`` into the submitted folder of ``coursedir`` (an
    nbgrader CourseDirectory); the ids of the students whose submission is new or changed.

    ``pattern`` is the FileNameCollectorPlugin's named_regexp (groups student_id and file_id,
    optionally timestamp); without it, the one of nbgrader_config.py if it sets one, otherwise
    ``default_pattern()``.
    """
    course_root = Path(coursedir.root).resolve()
    submitted = course_root / coursedir.submitted_directory
    staging = course_root / "downloaded" / assignment / STAGING
    argv = [assignment, "--force", "--log-level=WARN",  # its warnings name the files it skipped
            f"--CourseDirectory.submitted_directory={staging.relative_to(course_root)}"]
    if pattern:
        argv.append(f"--FileNameCollectorPlugin.named_regexp={pattern}")
    cwd = os.getcwd()
    os.chdir(course_root)
    try:
        app = ZipCollectApp()
        app.initialize(argv)
        if not app.config.FileNameCollectorPlugin.get("named_regexp"):
            app.config.FileNameCollectorPlugin.named_regexp = default_pattern()
        archive = Path(app._format_collect_path(app.archive_directory))
        if archive.exists():
            shutil.rmtree(archive)  # this download only
        archive.mkdir(parents=True)
        shutil.copy(zip_path, archive / Path(zip_path).name)
        if staging.exists():
            shutil.rmtree(staging)
        try:
            app.start()
        except SystemExit as stop:  # ZipCollectApp.fail logs the reason, then exits
            raise CollectionError(f"nbgrader zip_collect failed on {zip_path} (see the messages above)") from stop
    finally:
        os.chdir(cwd)
    return _sync(staging, submitted)


def _sync(staging, submitted):
    """Copy each staged student folder into ``submitted`` where a file is new or differs."""
    changed = []
    if not staging.exists():
        return changed
    for student_folder in sorted(path for path in staging.iterdir() if path.is_dir()):
        student_changed = False
        for source in sorted(path for path in student_folder.rglob("*") if path.is_file()):
            target = submitted / source.relative_to(staging)
            if target.exists() and filecmp.cmp(source, target, shallow=False):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            student_changed = True
        if student_changed:
            changed.append(student_folder.name)
    return changed
