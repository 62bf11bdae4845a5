"""The notebook's figures: the committed SVGs are what
`dnngrader figures` draws, byte for byte; every figure a
markdown cell shows exists next to the source notebook and the release notebook and has alt text
that describes it in words; the release shows the same figures."""

import filecmp
import re
import xml.etree.ElementTree as ElementTree

import nbformat
import pytest

from dnngrader.assignments.dnn_step_by_step import figures
from dnngrader.paths import RELEASE_NOTEBOOK, SOURCE_NOTEBOOK

MIN_ALT_WORDS = 8  # more than a caption: a screen-reader user should learn what the figure shows

# ![alt text](path) or ![alt text](path "title"); <img src="..." alt="..."> too
MARKDOWN_IMAGE = re.compile(r'!\[(?P<alt>[^\]]*)\]\(\s*(?P<src>[^)\s]+)(?:\s+"[^"]*")?\s*\)')
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ATTRIBUTE = re.compile(r'\b(?P<name>src|alt)\s*=\s*"(?P<value>[^"]*)"', re.IGNORECASE)


def images(notebook_path):
    """(alt text, path) of every image the notebook's markdown cells show, in order."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in MARKDOWN_IMAGE.finditer(cell.source):
            found.append((match["alt"].strip(), match["src"]))
        for tag in HTML_IMAGE.findall(cell.source):
            attributes = {m["name"].lower(): m["value"] for m in HTML_ATTRIBUTE.finditer(tag)}
            found.append((attributes.get("alt", "").strip(), attributes.get("src", "")))
    return found


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Every figure drawn afresh into a temporary folder."""
    folder = tmp_path_factory.mktemp("figures")
    figures.write_figures(folder)
    return folder


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_committed_figure_is_a_fresh_rendering_byte_for_byte(drawn, name):
    committed = figures.FIGURE_FOLDER / name
    assert committed.is_file(), f"{committed} is missing: run `dnngrader figures` (or `make release`)"
    assert committed.read_bytes() == (drawn / name).read_bytes(), (
        f"{name} differs from a fresh rendering: run `dnngrader figures` (or `make release`)"
    )


def test_drawing_twice_gives_the_same_bytes(drawn, tmp_path):
    name = "network.svg"
    assert figures.render(name, tmp_path).read_bytes() == (drawn / name).read_bytes()


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_each_figure_is_an_svg_with_its_text_drawn_and_no_date(drawn, name):
    data = (drawn / name).read_bytes()
    root = ElementTree.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width").removesuffix("pt")) > 500  # wide enough to read at notebook width
    assert b"<text" not in data  # text as paths: the same in every browser, whatever its fonts
    assert b"dc:date" not in data


def test_the_source_notebook_shows_every_figure_with_words_for_a_screen_reader():
    shown = images(SOURCE_NOTEBOOK)
    assert sorted(src for _, src in shown) == sorted(f"figures/{name}" for name in figures.FIGURES)
    for alt, src in shown:
        assert not src.startswith(("/", "http:", "https:")) and ".." not in src, src
        words = re.findall(r"[A-Za-z]+", alt)
        assert len(words) >= MIN_ALT_WORDS, f"{src}: the alt text is too short to describe the figure: {alt!r}"
        assert alt.lower() not in {src.lower(), src.rsplit("/", 1)[-1].lower()}, src


@pytest.mark.parametrize("notebook", [SOURCE_NOTEBOOK, RELEASE_NOTEBOOK], ids=["source", "release"])
def test_every_figure_the_notebook_shows_is_next_to_it(notebook):
    shown = images(notebook)
    assert shown, f"{notebook.name} shows no figure"
    for _, src in shown:
        path = notebook.parent / src
        assert path.is_file(), f"{path} is missing (run `make release`)"
        assert filecmp.cmp(path, SOURCE_NOTEBOOK.parent / src, shallow=False), f"{path} is out of date"


def test_the_release_shows_the_same_figures_with_the_same_alt_text():
    assert images(RELEASE_NOTEBOOK) == images(SOURCE_NOTEBOOK)
