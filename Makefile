# The course kit's commands.  `make demo` and `make test` set everything up on a fresh machine:
# the virtual environment .venv with pinned packages, and the Debian packages the tests use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` from PATH, so the environment's bin goes first.
export PATH := $(BIN):$(PATH)
STAMP  := $(VENV)/.installed
SANDBOX_PACKAGES := bubblewrap
DEBIAN_PACKAGES := chromium $(SANDBOX_PACKAGES) postgresql

.PHONY: help venv debian-packages sandbox-package release demo lab validate course-check test lint format docs grading-report grade bench lock clean hub hub-proxy hub-deps

help:
	@echo "make demo     grade the sample submissions of both assignments in a scratch course (demo/), show the results"
	@echo "make test     run the whole test suite (it builds the documentation too)"
	@echo "make lint     ruff (lint and format check) over the package and the tests (make test runs it too)"
	@echo "make format   ruff format: rewrites the package's and the tests' layout"
	@echo "make docs     build the documentation site into site/ (mkdocs, strict: a warning or a broken link fails)"
	@echo "make course-check  what the course repository's CI runs: generated files, solutions, release"
	@echo "make grading-report  autograde the catalogue of wrong and valid answers, show points lost per function"
	@echo "make grade    grade submitted/ on Dask, every assignment (or ASSIGNMENT=name): a local cluster (JOBS=n"
	@echo "              workers) or SCHEDULER=tcp://host:8786; ZIP=lms-download.zip to collect first; then feedback, CSV, chart"
	@echo "make bench    time stock nbgrader against make grade on each assignment, and 1, 2 and 4 Dask workers (N=200 submissions each)"
	@echo "make lab      JupyterLab for a student: work/ with the course's nbgrader settings, a working copy of the release"
	@echo "make validate  run a notebook as a student's runs, show which visible checks pass (NB=notebook)"
	@echo "make release  regenerate release/ from source/"
	@echo "make data     write the second assignment's stand-in data set to data/ (unless the original files are there)"
	@echo "make application-reference  train the second assignment's reference models on data/ (DATA=dir), print their table"
	@echo "make hub      (as root) JupyterHub for the course: PAM logins of the roster's users, each server in .venv"
	@echo "              (dnngrader roster sync ROSTER.csv creates the users; HUB_ARGS=\"--port 8000\"; Ctrl-C stops it)"
	@echo "make clean    remove everything grading generates, the gradebook (grades, extensions) and exchange/"
	@echo "              (students' uncollected submissions) included; not .venv, source/, release/, work/"
	@echo "Behind the targets: .venv/bin/dnngrader COMMAND (.venv/bin/dnngrader --help lists the commands)"

# The kit itself goes in editable (pyproject.toml): the clone's code is what runs, and the
# `dnngrader` command the targets below call is .venv/bin/dnngrader.  pip builds it with a
# setuptools of its own (build isolation), from the package index it is configured for.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "The kit needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)."; \
	  echo "Name another interpreter: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(STAMP)

# Debian packages, installed only when missing (apt-get, as root or through sudo): bubblewrap for
# the grading sandbox (on by default: every command that grades uses it), chromium for the
# browser tests and postgresql for the PostgreSQL gradebook test.
define install_debian
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

debian-packages:
	$(call install_debian,$(DEBIAN_PACKAGES))

sandbox-package:
	$(call install_debian,$(SANDBOX_PACKAGES))

release: venv
	$(BIN)/dnngrader release

# Grades the samples in a scratch course, demo/: the course's own submissions and gradebook are
# never touched.
demo: venv sandbox-package
	$(BIN)/dnngrader demo

# The student's side of the course, in work/ (not committed).  dnngrader.tools.student_config writes
# work/nbgrader_config.py from the course's nbgrader_config.py (course id, exchange folder, created
# if missing), so nbgrader's Assignments panel lists, fetches and submits through the course's
# exchange, and makes the working copy work/dnn_step_by_step/ of the release once, unless the
# assignment is released to the exchange (the panel fetches it there then).  A student's work is
# never overwritten: the committed release/ stays what nbgrader generated.  jupyter lab runs in
# work/, as the panel fetches into the server's working folder.  LAB_ARGS go to jupyter lab as
# written (make lab LAB_ARGS=--port=8890).
lab: venv
	$(BIN)/dnngrader student-config --working-copy
	cd work && $(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) --no-browser $(value LAB_ARGS)

# Runs a notebook top to bottom in a fresh kernel, as a student's runs, and reports each function's
# visible check; exit 0 only when all pass, 1 when any fails, 2 when the notebook cannot be checked.
# NB defaults to the student's working copy (make lab), else the release.  VALIDATE_ARGS go to the
# command as written (make validate VALIDATE_ARGS="--timeout 30 --json report.json").
VALIDATE_DEFAULT := work/dnn_step_by_step/dnn_step_by_step.ipynb
NB ?= $(if $(wildcard $(VALIDATE_DEFAULT)),$(VALIDATE_DEFAULT),release/dnn_step_by_step/dnn_step_by_step.ipynb)
validate: venv
	$(BIN)/dnngrader validate $(NB) $(value VALIDATE_ARGS)

# What the course repository's CI runs (.github/workflows/course.yml): generated files up to date,
# the solutions pass every visible check, the release agrees with the source.
course-check: venv
	$(BIN)/dnngrader release --check
	$(BIN)/dnngrader validate source/dnn_step_by_step/dnn_step_by_step.ipynb
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_release.py tests/test_source_notebook.py tests/test_reference.py tests/test_application_notebook.py

test: venv debian-packages hub-deps
	$(BIN)/python -m pytest

# The course's JupyterHub (docs/administrators/hub.md): jupyterhub comes with the environment
# (requirements.txt); its proxy, configurable-http-proxy, from the npm registry into .hub/
# (git-ignored), pinned here; both with `make hub-deps`.  `make hub` runs the hub in the foreground, as root (PAM logins, each
# user's server started as that user); Ctrl-C or `.venv/bin/dnngrader hub stop` stops it.
# HUB_ARGS go to `dnngrader hub start` as written (make hub HUB_ARGS="--port 8080").
CHP_VERSION := 5.3.0
HUB_PROXY := .hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY):
	npm install --prefix .hub --no-save --no-package-lock --no-audit --no-fund --loglevel=error configurable-http-proxy@$(CHP_VERSION)

hub-proxy: $(HUB_PROXY)

# Every user's server runs the kit's environment, which they must be able to run: when .venv's
# interpreter sits where they cannot reach it (a Python under /root, say), .hub/env is built from
# HUB_PYTHON (default Debian's python3) with the pinned versions of the packages a user's server
# needs, and the hub uses it instead.  The kit goes in editable, as in .venv: the course's
# nbgrader_config.py imports it (the staff's formgrader and nbgrader commands), and the staff grade
# with its `dnngrader grade` (and Dask); the clone it points at is closed to students.
HUB_PYTHON ?= /usr/bin/python3
HUB_ENV := .hub/env
HUB_ENV_PACKAGES := jupyterhub jupyterlab nbgrader ipykernel numpy matplotlib h5py dask distributed
$(HUB_ENV)/.installed: requirements.txt constraints.txt pyproject.toml Makefile
	test -x $(HUB_ENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_ENV)
	$(HUB_ENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt $(HUB_ENV_PACKAGES)
	$(HUB_ENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

hub-deps: venv hub-proxy
	@$(BIN)/python -c 'import sys; from dnngrader.hub.access import unreachable; sys.exit(bool(unreachable(sys.executable)))' \
	  || $(MAKE) --no-print-directory $(HUB_ENV)/.installed

hub: hub-deps
	$(BIN)/dnngrader hub start $(value HUB_ARGS)

# ruff over what pyproject.toml's [tool.ruff] names: the package (with the notebooks' modules' originals)
# and its tests, not the generated copies: the lint rules, then the formatting.  `make test` runs
# the same checks (tests/test_lint.py); `make format` rewrites what the format check fails on.
lint: venv
	$(BIN)/ruff check
	$(BIN)/ruff format --check

format: venv
	$(BIN)/ruff format

# The documentation site (mkdocs.yml, docs/, README.md as its front page) into site/, git-ignored.
# Strict: a warning, a broken link or anchor, or a page missing from the nav fails the build.
# `make test` builds it too, into a temporary folder (tests/test_docs.py).
docs: venv
	$(BIN)/mkdocs build --strict --site-dir site

# Every answer of catalogue/ through real nbgrader in a scratch course; exit 1 if any is misjudged.
grading-report: venv
	$(BIN)/dnngrader grading-report

# The whole class, on Dask: make grade [ASSIGNMENT=name] [JOBS=4 | SCHEDULER=tcp://host:8786]
# [ZIP=download.zip] [GRADE_ARGS="--force ..."].  ASSIGNMENT: grade that assignment only (default:
# every assignment with submissions in submitted/, one after another; a ZIP is of one assignment,
# so it needs ASSIGNMENT when the gradebook has several).  JOBS: workers of the local Dask cluster (default: one per core);
# SCHEDULER: an existing Dask cluster's scheduler instead (README: "Grading on a Dask cluster").
# GRADE_ARGS and BENCH_ARGS reach the shell as written: $(value ...) keeps make from expanding
# a `$` in them (a --pattern regular expression ending in `$'` would otherwise lose it).
grade: venv
	$(BIN)/dnngrader grade $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) $(if $(JOBS),--jobs $(JOBS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(ZIP),--zip $(ZIP)) $(value GRADE_ARGS)

# Stock nbgrader against `make grade` on N synthetic submissions (default 200), in scratch courses,
# and the throughput with 1, 2 and 4 local Dask workers (BENCH_ARGS="--workers 1,2,4").
bench: venv
	$(BIN)/dnngrader bench $(if $(N),--n $(N)) $(value BENCH_ARGS)

# The second assignment's data (README: "The second assignment's data").  data/ holds the original
# train_catvnoncat.h5 and test_catvnoncat.h5 when the instructor puts them there (never committed);
# `make data` writes the kit's generated stand-in there otherwise, and leaves files it did not
# write alone.  `make application-reference` trains both reference models on DATA (default data/)
# and prints their table; APPLICATION_ARGS=--json prints JSON instead.
.PHONY: data application-reference
data: venv
	$(BIN)/dnngrader data --out data

application-reference: venv
	$(BIN)/dnngrader application-reference --data $(or $(DATA),data) $(value APPLICATION_ARGS)

# soupsieve stays at 2.x (pinned by hand once, kept by each freeze): 3.x needs Python 3.11.5 or
# newer, and Debian 12's python3 is 3.11.2.
lock: venv
	( echo "# Every package of the virtual environment, pinned (pip freeze). Regenerate with \`make lock\`."; \
	  $(BIN)/python -m pip freeze --disable-pip-version-check --exclude dnngrader ) > constraints.txt

# Everything grading generates (what .gitignore lists under "generated by grading", and the demo's
# scratch course); never .venv, source/, release/, work/ (a student's copy, make lab) or a
# committed file such as autograded/README.md.
clean:
	[ ! -d autograded ] || find autograded -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf submitted downloaded feedback reports exchange demo grades.csv gradebook.db gradebook.db-journal
