"""nbgrader configuration of the course.  The repository root is the course directory.

Every setting is a traitlets trait, set here (c.Class.trait = value) or for one command on its
command line (--Class.trait=value), for `nbgrader ...` and `dnngrader grade` alike.  The kit's
own, with their defaults (docs/reference/configuration.md lists each one with its help; made by
`python -m dnngrader.tools.config_reference`):
  CourseDirectory.db_url       gradebook database (below: sqlite file gradebook.db at the course root)
  Exchange.root                exchange folder for nbgrader release/collect (below: exchange/ here)
  ResilientExecute.timeout     seconds a cell may run while grading (60)
  ResilientExecute.seconds_per_call, ResilientExecute.seconds_per_test   time limits of the
                               hidden tests, handed to the grading kernel (10 s per call, 30 s
                               per test cell)
  ResilientExecute.memory_limit_mb   address space a grading kernel may use (4096; 0 for no limit)
  ResilientExecute.max_restarts      kernel restarts per notebook after crashes or hangs (3)
  ResilientExecute.training_iterations   iterations of the second assignment's training cells
                               while it is graded (5; the notebook's own default, 2500, takes
                               minutes, and those cells are not graded)
  ResilientExecute.ungraded_seconds, ResilientExecute.skip_after_last_graded   time of ungraded
                               cells (20 s together; those after the last graded cell not run)
  ResilientExecute.draw_figures      draw the figures the cells show while grading (False)
  Sandbox.enabled              False: grade WITHOUT the sandbox of dnngrader/plugins/sandbox.py
                               (True: every grading kernel runs in bubblewrap, docs/administrators/threat-model.md)
  Sandbox.disk_mb              the sandboxed kernel's writable /tmp, in memory, in MiB (256)
  TimedFileNameCollector.timestamp_format   strptime format of the submission times in LMS file
                               names (zip_collect; %Y-%m-%d-%H-%M-%S)
  TimedFileNameCollector.timezone   time zone those times are in, an IANA name (UTC)
  Deadlines.due_dates, .late_policies, .timezone   each assignment's due date and late policy
                               (none set: no due date, no penalty; dnngrader/plugins/deadlines.py)
  DaskGrader.scheduler, .jobs, .tls_ca_file, .tls_cert, .tls_key   where `dnngrader grade`
                               grades (a local cluster, one worker per core)
The DNN_* environment variables that set these before still work, each with a deprecation
warning naming its trait (dnngrader/settings.py); a value set here or on the command line wins.
"""

import os

# The kit is imported as installed in the environment (make venv installs it; pip install a wheel).
from dnngrader import settings
from dnngrader.plugins import deadlines, execute, findings, hooks, sandbox, sanitize, timestamps
from dnngrader.plugins import preprocessors as kit
from dnngrader.plugins.overwrite import OverwriteReleasedCells

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "dnn-step-by-step"
c.CourseDirectory.db_url = settings.from_environment(  # DNN_GRADEBOOK_URL: deprecated
    "DNN_GRADEBOOK_URL", "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")
)

c.Exchange.root = settings.from_environment("DNN_EXCHANGE", os.path.join(COURSE_ROOT, "exchange"))
os.makedirs(c.Exchange.root, exist_ok=True)

# The student version: solutions become this stub, hidden tests disappear.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# nbgrader's default list, plus data: the second assignment's images (the original files are
# course material without a licence) never go into a release or the exchange.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data", "*.h5"]

# Grading.  The limits are ResilientExecute's defaults (the docstring above); set one here to
# change it, e.g. c.ResilientExecute.timeout = 60 or c.ResilientExecute.memory_limit_mb = 4096.
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back, then run
# Every grading kernel in a sandbox: no network, blind to the course's files and the gradebook,
# nothing it does survives it (sandbox.py).  c.Sandbox.enabled = False turns it off; where
# bubblewrap cannot run, grading goes on with one warning per run.
sandbox.configure(c, COURSE_ROOT)
# Says in plain words when a submission has no gradable notebook (renamed, unreadable).
c.Autograde.pre_convert_hook = hooks.check_submission_folder
# A timestamp.txt nbgrader cannot read never stops grading: the submission is graded as on time
# (no late penalty), the file is left as submitted, and CheckSubmissionTime (below) notes it.
# This replaces nbgrader's CourseDirectory.get_existing_timestamp; timestamps.install says why.
timestamps.install()

# Collecting an LMS download (`nbgrader zip_collect`, `make grade ZIP=...`): the submission time
# in the file names (the pattern's `timestamp` group) is read with a strptime format, in a time
# zone, never guessed (c.TimedFileNameCollector.timestamp_format, default %Y-%m-%d-%H-%M-%S, and
# .timezone, default UTC); a time that does not match is reported and counts as on time.
c.ZipCollectApp.collector_plugin = "dnngrader.plugins.lms.TimedFileNameCollector"

# Before the notebook runs: nbgrader's own steps, plus the kit's checks of the files next to the
# notebook, of the graded cells' metadata and order, and of the student's code.  Findings are
# shown at the top of the autograded notebook and in the export; tampering flags the submission.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    sanitize.InspectSubmissionFolder,
    timestamps.CheckSubmissionTime,  # notes an unreadable or unknown submission time
    sanitize.RestoreGradedCells,
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    # nbgrader's OverwriteCells, minus its false "checksum has changed" warning for every test
    # cell whose hidden tests the release removed; a real edit still warns (overwrite.py).
    OverwriteReleasedCells,
    "nbgrader.preprocessors.CheckCellMetadata",
    sanitize.FlagSuspiciousCode,
]
c.Autograde.autograde_preprocessors = [
    # nbgrader's Execute, surviving crashes, exits, hangs and memory blow-ups (execute.py).
    execute.ResilientExecute,
    # Replaces each test cell's output with the verdict judged outside the kernel: stray
    # stderr, warnings and anything a student cell does in the kernel cannot change a grade.
    kit.JudgeTestCells,
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    deadlines.StoreDueDate,  # the gradebook's due date is Deadlines.due_dates' (when it names one)
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    findings.ReportFindings,
]

# Late penalties by the assignment's Deadlines.late_policies; extensions: `dnngrader deadlines extend`.
c.AssignLatePenalties.plugin_class = "dnngrader.plugins.deadlines.LatePolicy"

# `nbgrader export` writes one row per student with a column per graded function.
c.ExportApp.plugin_class = "dnngrader.plugins.export.FunctionGradesExport"

# Feedback shows each test's verdict but not the hook that runs the hidden checks.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    deadlines.StateLateness,  # the submission time, due date and late penalty, at the top
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
