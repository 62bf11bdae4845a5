"""MkDocs hook: the repository's README.md is the site's front page.

The README links into the documentation as GitHub shows it, from the repository root
(`docs/students/index.md`, `docs/screenshots/...`).  The site's pages live in docs/, so this hook
serves README.md as index.md with that `docs/` prefix taken off every relative link and image.
Any other relative link stays as written, so that strict mode reports it when it leads nowhere
in the site.
"""

import re
from pathlib import Path

from mkdocs.structure.files import File

LINK_INTO_DOCS = re.compile(r"(\]\()(?:\./)?docs/")


def front_page(readme_text):
    """The README's text with its links into docs/ made relative to the docs folder."""
    return LINK_INTO_DOCS.sub(r"\1", readme_text)


def on_files(files, config):
    readme = Path(config.config_file_path).parent / "README.md"
    files.append(File.generated(config, "index.md", content=front_page(readme.read_text(encoding="utf-8"))))
    return files
