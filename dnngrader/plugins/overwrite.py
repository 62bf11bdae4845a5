"""nbgrader's OverwriteCells, without its false alarm about test cells that carry hidden tests.

nbgrader records each locked cell's checksum from the source notebook, hidden tests included,
and ``generate_assignment`` then removes the hidden tests (ClearHiddenTests) from the release.
So at autograde every untouched test cell of this assignment differs from the recorded checksum,
and stock OverwriteCells logs "Attribute 'checksum' for cell test_... has changed!" twelve times
per submission, for students who changed nothing (known nbgrader behaviour).  Warnings that
fire for everyone hide the one that matters: a student who really edited a test cell.

``OverwriteReleasedCells`` is selected in nbgrader_config.py's ``Autograde.sanitize_preprocessors``
in place of ``nbgrader.preprocessors.OverwriteCells``; configuration rather than a patch of
nbgrader, so ``c.OverwriteCells.*`` settings still apply and nbgrader upgrades keep working.
Before nbgrader's checks, a locked cell whose source is exactly the source cell's with the hidden
tests removed (as ClearHiddenTests removes them, with the configured delimiters) gets the source
cell's source back: what OverwriteCells would have written, without the warning.  Any other
difference goes through nbgrader unchanged: the warning is logged and the cell restored (and
RestoreGradedCells records the edit in the submission's findings).
"""

import functools

from nbformat.v4 import new_code_cell
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells


def released_source(source, preprocessor):
    """``source`` as ``generate_assignment`` released it: hidden-test regions removed, with the
    delimiters ``preprocessor``'s configuration gives ClearHiddenTests.  The configured
    ClearHiddenTests (a traitlets object, costly to make for every cell) is made once per
    preprocessor, and each source is cleared once per process: a notebook's locked cells are the
    same for every submission."""
    clearer = getattr(preprocessor, "_hidden_test_clearer", None)
    if clearer is None:
        clearer = preprocessor._hidden_test_clearer = ClearHiddenTests(config=preprocessor.config)
    return _cleared(clearer.begin_test_delimeter, clearer.end_test_delimeter, source)


@functools.lru_cache(maxsize=4096)
def _cleared(begin, end, source):
    # ClearHiddenTests' own preprocess_cell; enforce_metadata off, as this bare cell carries no
    # nbgrader metadata (the test cell it stands for does).
    clearer = ClearHiddenTests(begin_test_delimeter=begin, end_test_delimeter=end, enforce_metadata=False)
    cell, _ = clearer.preprocess_cell(new_code_cell(source), {}, 0)
    return cell.source


class OverwriteReleasedCells(OverwriteCells):
    """OverwriteCells that takes a locked cell as the student received it for unchanged."""

    def _source_cells(self):
        """{grade_id: (locked, source)} of the notebook's source cells, read in one query (per
        Gradebook OverwriteCells opens, i.e. per notebook) rather than one per cell: nbgrader's
        own check looks each cell up again anyway."""
        if getattr(self, "_sources_of", None) is not self.gradebook:
            try:
                notebook = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
                self._sources = {cell.name: (cell.locked, cell.source) for cell in notebook.source_cells}
            except MissingEntry:
                self._sources = {}  # nbgrader's own method reports it
            self._sources_of = self.gradebook
        return self._sources

    def preprocess_cell(self, cell, resources, cell_index):
        """Restore an untouched released cell's hidden tests, then run nbgrader's checks."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            locked, source = self._source_cells().get(grade_id, (False, None))
            if locked and cell.source != source and cell.source == released_source(source, self):
                cell.source = source
        return super().preprocess_cell(cell, resources, cell_index)
