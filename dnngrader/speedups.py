"""Work nbgrader and nbconvert repeat for every submission, done once per grading worker.

Each change keeps results identical; it only stops recomputing something that cannot have
changed since the previous submission in the same process:

- nbgrader opens about ten ``Gradebook`` objects per submission, each with a new SQLAlchemy
  engine, so SQLAlchemy's cache of compiled statements starts empty every time.  Here one
  engine per database URL is kept for the worker's lifetime (``Gradebook.close`` still returns
  its connections).
- nbgrader's CheckCellMetadata validates every cell's metadata with ``jsonschema.validate``,
  which first checks the schema itself against the JSON Schema meta-schema: twice per cell.
  Here each schema is checked once, and its validator is reused.
- GenerateFeedback builds a new HTML exporter per student, and jinja2 recompiles the feedback
  templates each time.  Here the compiled templates are kept in memory (jinja2 still checks
  each template's source against what was compiled).
"""

import json

import jsonschema
from jinja2.bccache import BytecodeCache
from nbconvert.exporters import HTMLExporter
from nbgrader import api
from nbgrader.nbgraderformat import common

_installed = False


class _EnginePerURL:
    """Stands in for ``create_engine`` in nbgrader.api."""

    def __init__(self, create_engine):
        self.create_engine = create_engine
        self.engines = {}

    def __call__(self, url, **kwargs):
        key = (str(url), json.dumps(kwargs, sort_keys=True, default=repr))
        if key not in self.engines:
            self.engines[key] = self.create_engine(url, **kwargs)
        return self.engines[key]


class _CheckedSchemas:
    """Stands in for the jsonschema module in nbgrader.nbgraderformat.common: the same
    ``validate(instance, schema)``, with each schema checked and compiled once."""

    def __init__(self):
        self.validators = {}

    def validate(self, instance, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = self.validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self.validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


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


class FeedbackHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter, sharing compiled templates with the worker's other exporters."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _templates
        return environment


def dispose_engines(url):
    """Close the pooled connections of the kept engines for the database ``url`` (before its file
    is replaced, say); the engines and their caches stay."""
    engines = getattr(api.create_engine, "engines", {})
    for (key_url, _), engine in engines.items():
        if key_url == str(url):
            engine.dispose()


def install():
    """Apply the first two changes in this process (the exporter is chosen by the grader)."""
    global _installed
    if not _installed:
        api.create_engine = _EnginePerURL(api.create_engine)
        common.jsonschema = _CheckedSchemas()
        _installed = True
