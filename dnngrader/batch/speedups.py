"""Work nbgrader and nbconvert repeat for every submission, done once per grading worker.

Each change keeps results identical; it only stops recomputing something that cannot have
changed since the previous submission in the same process:

- nbgrader opens about ten ``Gradebook`` objects per submission, each with a new SQLAlchemy
  engine, so SQLAlchemy's cache of compiled statements starts empty every time.  Here one
  engine per database URL is kept for the worker's lifetime (``Gradebook.close`` still returns
  its connections).
- Each ``Gradebook`` nbgrader opens first lists the database's tables and asks SQLite about each
  of its tables again to create the missing ones, then looks up the course and commits: 17 of
  the about 25 statements a Gradebook costs before its first query, 14 Gradebooks per
  submission.  A worker's gradebook is always a fresh copy of the plan's, which nbgrader itself
  created with every table and the course: for a database registered with ``schema_known``,
  the checks run once per worker, and afterwards the Gradebook goes straight to its queries.
- nbgrader's CheckCellMetadata validates every cell's metadata with ``jsonschema.validate``,
  which first checks the schema itself against the JSON Schema meta-schema: twice per cell.
  Here each schema is checked once, and its validator is reused; and metadata found valid once
  (the same JSON, which most cells' is for every student) is not validated again.  Invalid
  metadata is validated every time, so the error is jsonschema's own.
- GenerateFeedback builds a new HTML exporter per student, and jinja2 recompiles the feedback
  templates each time.  Here the compiled templates are kept in memory (jinja2 still checks
  each template's source against what was compiled).
- nbconvert's HTMLExporter ends every export with an accessibility pass: it parses the whole
  page with BeautifulSoup to give images without alt text one and JupyterLab-template cells a
  tabindex, then writes the page out again.  On a feedback page that is half of the feedback's
  time, and nbgrader's feedback template (built on nbconvert's classic one) has no such cells:
  the pass changes nothing unless an image lacks alt text.  Here it runs only then.  The page is
  the same as nbconvert's up to how BeautifulSoup writes HTML out (tests/test_parallel_grade.py
  parses both to check it).
- Most of a feedback page is the same for every student: the markdown cells, and the code cells
  a student did not write.  nbconvert renders each again (mistune, pygments).  Here each
  rendering is kept, keyed by everything it depends on: the source, the cell's attachments and
  metadata, and the exporter's settings.

Each of these replaces or copies an internal of nbgrader, nbconvert or SQLAlchemy, and is made
only for the versions its ``patching.Patch`` names (dnngrader/patching.py): with another
version, or with DNNGRADER_NO_PATCHES=1, the library is left as it is and the work is repeated
as stock nbgrader repeats it.
"""

import collections
import json
import re

import jsonschema
from bs4 import BeautifulSoup
from jinja2 import pass_context
from jinja2.bccache import BytecodeCache
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader import api
from nbgrader.nbgraderformat import common

from dnngrader import patching

_installed = False

ENGINE_PER_URL = patching.Patch(
    "nbgrader.api.create_engine replaced: one SQLAlchemy engine per database URL", "nbgrader", "SQLAlchemy"
)
SCHEMAS_CHECKED_ONCE = patching.Patch(
    "nbgrader.nbgraderformat.common.jsonschema replaced: each schema checked once", "nbgrader"
)
SCHEMA_ONCE = patching.Patch(
    "nbgrader.api.inspect, Base.metadata.create_all and Gradebook.check_course "
    "wrapped: a known gradebook's tables checked once",
    "nbgrader",
    "SQLAlchemy",
)
FEEDBACK_EXPORTER = patching.Patch(
    "nbconvert's HTMLExporter.from_notebook_node and _create_environment overridden in FeedbackHTMLExporter",
    "nbconvert",
)


class _EnginePerURL:
    """Stands in for ``create_engine`` in nbgrader.api."""

    def __init__(self, create_engine):
        self.create_engine = create_engine
        self.engines = {}

    def __call__(self, url, **kwargs):
        key = (str(url), _key(kwargs))
        if key not in self.engines:
            self.engines[key] = self.create_engine(url, **kwargs)
        return self.engines[key]


def _key(value):
    return json.dumps(value, sort_keys=True, default=repr)


class _Kept:
    """Values kept for the worker's lifetime (renderings, valid metadata); past ``size`` of
    them, the least recently used goes."""

    def __init__(self, size=4096):
        self.size = size
        self.kept = collections.OrderedDict()

    def __call__(self, key, render):
        """What ``render()`` returns, computed once per ``key`` (a str); nothing is kept when
        it raises."""
        if key in self.kept:
            self.kept.move_to_end(key)
            return self.kept[key]
        value = self.kept[key] = render()
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)
        return value


class _CheckedSchemas:
    """Stands in for the jsonschema module in nbgrader.nbgraderformat.common: the same
    ``validate(instance, schema)``, with each schema checked and compiled once."""

    def __init__(self):
        self.validators = {}
        self.valid = _Kept()  # (schema, instance) pairs found valid, as JSON

    def validate(self, instance, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = self.validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self.validators[key] = cls(schema)

        def check():
            error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
            if error is not None:
                raise error  # not kept: invalid metadata is checked again, with jsonschema's error
            return True

        try:
            seen = json.dumps([key, instance], sort_keys=True)
        except (TypeError, ValueError):  # not JSON: jsonschema says what is wrong with it
            check()
            return
        self.valid(seen, check)


class _CompiledTemplates(BytecodeCache):
    """jinja2 bytecode kept in memory, per template and environment settings."""

    def __init__(self):
        self.store = {}

    @staticmethod
    def _key(bucket):
        environment = bucket.environment
        return bucket.key, environment.is_async, tuple(sorted(environment.extensions))

    def load_bytecode(self, bucket):
        data = self.store.get(self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket):
        self.store[self._key(bucket)] = bucket.bytecode_to_string()


_templates = _CompiledTemplates()


# What HTMLExporter's accessibility pass changes: an <img> tag without an alt attribute, and
# the two kinds of JupyterLab-template element it gives a tabindex.
_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt\s*=)", re.IGNORECASE)
_LAB_TEMPLATE_CLASSES = ("jp-Cell-inputWrapper", "jp-OutputArea-output")


def needs_accessibility_pass(html):
    """Whether HTMLExporter's accessibility pass could change the page ``html`` (a str)."""
    return bool(_IMAGE_WITHOUT_ALT.search(html)) or any(name in html for name in _LAB_TEMPLATE_CLASSES)


_markdown = _Kept()
_highlighted = _Kept()


class KeptHighlight2HTML(Highlight2HTML):
    """nbconvert's code highlighting filter, each highlighted cell kept (module docstring)."""

    def __call__(self, source, language=None, metadata=None):
        # Of the cell's metadata, pygments reads the magics_language alone (nbconvert's
        # _pygments_highlight); the rest (nbgrader's, execution times) changes nothing.
        magics = (metadata or {}).get("magics_language")
        key = _key([source, language, magics, self.pygments_lexer, self.extra_formatter_options])
        return _highlighted(key, lambda: super(KeptHighlight2HTML, self).__call__(source, language, metadata))


class FeedbackHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter, sharing compiled templates with the worker's other exporters,
    keeping each rendered cell, and running its accessibility pass only when it has something
    to do (module docstring)."""

    def _create_environment(self):
        environment = super()._create_environment()
        if FEEDBACK_EXPORTER.applies():
            environment.bytecode_cache = _templates
        return environment

    @pass_context
    def markdown2html(self, context, source):
        """HTMLExporter's markdown filter, each rendered cell kept: the rendering depends on the
        source, the cell's attachments, these settings and, when images are embedded, the
        notebook's folder (each student's differs) alone."""
        if not FEEDBACK_EXPORTER.applies():
            return super().markdown2html(context, source)
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "") if self.embed_images else None
        key = _key(
            [
                source,
                cell.get("attachments", {}),
                path,
                self.embed_images,
                self.anchor_link_text,
                self.exclude_anchor_links,
                self.lexer_options,
            ]
        )
        return _markdown(key, lambda: super(FeedbackHTMLExporter, self).markdown2html(context, source))

    def from_notebook_node(self, nb, resources=None, **kw):
        """(HTML page, resources), as HTMLExporter.from_notebook_node (nbconvert 7.17) makes
        them: the same two filters, TemplateExporter's rendering, then the accessibility pass
        when ``needs_accessibility_pass``.  HTMLExporter's own when FEEDBACK_EXPORTER is refused."""
        if not FEEDBACK_EXPORTER.applies():
            return super().from_notebook_node(nb, resources, **kw)
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight_code = self.filters.get("highlight_code", KeptHighlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if not needs_accessibility_pass(html):
            return html, resources
        # The pass as HTMLExporter makes it, alt text and warning included.
        soup = BeautifulSoup(html, features="html.parser")
        missing_alt = 0
        for element in soup.select("img:not([alt])"):
            element.attrs["alt"] = "No description has been provided for this image"
            missing_alt += 1
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        for element in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
            element.attrs["tabindex"] = "0"
        for element in soup.select(".jp-Notebook div.jp-OutputArea-output"):
            element.attrs["tabindex"] = "0"
        return str(soup), resources


class _SchemaOnce:
    """Stands in for ``sqlalchemy.inspect`` in nbgrader.api and wraps its ``Base.metadata``'s
    ``create_all`` and ``Gradebook.check_course``, which ``Gradebook.__init__`` calls one after
    the other: for an engine of a database registered with ``schema_known``, the first Gradebook
    checks and creates the tables and the course as nbgrader does, and later ones skip that
    (see the module docstring)."""

    def __init__(self, inspect, create_all, check_course):
        self.inspect, self.create_all, self.original_check_course = inspect, create_all, check_course
        self.known = set()  # URLs of databases whose every copy has nbgrader's tables
        self.checked = set()  # of those, the URLs whose tables were checked in this process
        self.courses = set()  # (URL, course id) of those whose course row was checked

    def check_course(self, gradebook, course_id="default_course", **kwargs):
        """Gradebook.check_course, run once per known database and course in this process.  A
        skipped check returns None: nbgrader calls it only from Gradebook.__init__, which
        discards what it returns (tests/test_parallel_grade.py checks that this still holds)."""
        url = str(getattr(gradebook.engine, "url", ""))
        if not kwargs and url in self.known and (url, course_id) in self.courses:
            return None
        course = self.original_check_course(gradebook, course_id=course_id, **kwargs)
        if url in self.known:
            self.courses.add((url, course_id))
        return course

    def _skips(self, engine):
        url = str(getattr(engine, "url", ""))
        return url in self.known and url in self.checked

    def inspector(self, subject):
        if self._skips(subject):
            return _TablesPresent()
        return self.inspect(subject)

    def create_tables(self, bind=None, **kwargs):
        if self._skips(bind):
            return None
        self.create_all(bind=bind, **kwargs)
        url = str(getattr(bind, "url", ""))
        if url in self.known:
            self.checked.add(url)
        return None


class _TablesPresent:
    """What Gradebook.__init__ asks an inspector: whether the database has tables (it does)."""

    @staticmethod
    def get_table_names():
        return [table.name for table in api.Base.metadata.sorted_tables]


_schema = None


def schema_known(url):
    """Declare that the database at ``url`` (a str) always has nbgrader's tables: it is, and will
    only ever be, a copy of a gradebook nbgrader created (a worker's copy of the plan's).  Nothing
    when SCHEMA_ONCE is refused: every Gradebook checks the tables, as stock nbgrader's does."""
    _install_schema_once()
    if _schema is not None:
        _schema.known.add(str(url))


def schema_forgotten(url):
    """Undo ``schema_known`` for ``url``: Gradebooks check its tables again."""
    if _schema is not None:
        _schema.known.discard(str(url))
        _schema.checked.discard(str(url))
        _schema.courses = {(known, course) for known, course in _schema.courses if known != str(url)}


def _install_schema_once():
    global _schema
    if _schema is None and SCHEMA_ONCE.applies():
        _schema = _SchemaOnce(api.inspect, api.Base.metadata.create_all, api.Gradebook.check_course)
        api.inspect = _schema.inspector
        api.Base.metadata.create_all = _schema.create_tables
        schema = _schema

        def check_course(gradebook, course_id="default_course", **kwargs):
            return schema.check_course(gradebook, course_id, **kwargs)

        api.Gradebook.check_course = check_course


def dispose_engines(url):
    """Close the pooled connections of the kept engines for the database ``url`` (before its file
    is replaced, say); the engines and their caches stay."""
    engines = getattr(api.create_engine, "engines", {})
    for (key_url, _), engine in engines.items():
        if key_url == str(url):
            engine.dispose()


def install():
    """Apply the first two changes in this process, each where its patch applies (the exporter is
    chosen by the grader, the schema checks by ``schema_known``)."""
    global _installed
    if not _installed:
        if ENGINE_PER_URL.applies():
            api.create_engine = _EnginePerURL(api.create_engine)
        if SCHEMAS_CHECKED_ONCE.applies():
            common.jsonschema = _CheckedSchemas()
        _installed = True
