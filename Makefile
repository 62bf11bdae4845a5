# The course kit's commands.  `make demo` and `make test` set everything up on a fresh machine:
# the virtual environment .venv with pinned packages, and the Debian packages the tests use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` from PATH, so the environment's bin goes first.
export PATH := $(BIN):$(PATH)
STAMP  := $(VENV)/.installed
DEBIAN_PACKAGES := chromium bubblewrap postgresql

.PHONY: help venv debian-packages release demo lab test grading-report grade bench lock clean

help:
	@echo "make demo     build the student release, grade the sample submissions, show the results"
	@echo "make test     run the whole test suite"
	@echo "make grading-report  autograde the catalogue of wrong and valid answers, show points lost per function"
	@echo "make grade    grade submitted/ in parallel (JOBS=n, ZIP=lms-download.zip), feedback, CSV, chart"
	@echo "make bench    time stock nbgrader autograde against make grade (N=200 submissions)"
	@echo "make lab      serve JupyterLab on a working copy of the student release (work/)"
	@echo "make release  regenerate release/ from source/"
	@echo "make clean    remove generated grading output (not .venv)"

$(STAMP): requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

venv: $(STAMP)

# Debian packages for the browser test, the sandboxed-kernel test and the PostgreSQL gradebook test;
# installed only when missing.
debian-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

release: venv
	$(BIN)/python -m dnngrader.build

demo: venv
	$(BIN)/python -m dnngrader.demo

# A student works in a copy of the release (work/, not committed), made once: the committed
# release/ stays what nbgrader generated, and `make release` can never delete a student's work.
WORK := work/dnn_step_by_step
lab: venv
	@test -d $(WORK) || { mkdir -p work && cp -r release/dnn_step_by_step $(WORK) && echo "Copied the release to $(WORK)"; }
	cd $(WORK) && $(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) --no-browser

test: venv debian-packages
	$(BIN)/python -m pytest

# Every answer of catalogue/ through real nbgrader in a scratch course; exit 1 if any is misjudged.
grading-report: venv
	$(BIN)/python -m dnngrader.grading_report

# The whole class, in parallel: make grade [JOBS=4] [ZIP=download.zip] [GRADE_ARGS="--force ..."]
grade: venv
	$(BIN)/python -m dnngrader.grade $(if $(JOBS),--jobs $(JOBS)) $(if $(ZIP),--zip $(ZIP)) $(GRADE_ARGS)

# Stock nbgrader against `make grade` on N synthetic submissions (default 200), in scratch courses.
bench: venv
	$(BIN)/python -m dnngrader.bench $(if $(N),--n $(N)) $(BENCH_ARGS)

lock: venv
	( echo "# Every package of the virtual environment, pinned (pip freeze). Regenerate with \`make lock\`."; \
	  $(BIN)/python -m pip freeze --disable-pip-version-check ) > constraints.txt

clean:
	rm -rf autograded/*/ feedback reports gradebook.db submitted downloaded
