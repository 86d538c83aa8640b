# The two commands: `make demo` and `make test`. Each sets up .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EMULATORS_STAMP := .venv-emulators/.installed
# Prerequisites build side by side: the emulators' venv installs while .venv does.
MAKEFLAGS += --jobs=2

.PHONY: demo test lint fuzz bench install clean server deploy stop lock chromium

demo: $(STAMP)
	@$(BIN)/shadowline demo

# Two test processes (pytest-xdist), each taking whole modules: module fixtures stay shared.
test: $(STAMP) $(EMULATORS_STAMP) chromium
	@$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# The property tests at length: 5,000 generated CSV and Parquet files per raw table given to
# `load`, each loaded or refused in one line with the table unchanged, and 150 damaged model files
# per library given to `registry add` and 20 runs of damaged files (about 20 minutes; the suite
# runs 100 files per table, 8 per library and 2 runs). A failure prints the smallest case.
fuzz: $(STAMP)
	@SHADOWLINE_HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n 2 --dist load -p no:randomly \
		--hypothesis-show-statistics tests/test_load_properties.py \
		tests/test_model_file_properties.py

# shadowline beside bare scripts doing the same work, stage by stage, on a fresh demo warehouse
# in a temporary folder (a few minutes; not part of `make test`). Prints a table of timings.
bench: $(STAMP)
	@$(BIN)/python benchmarks/bench.py

# ruff, the architecture (import-linter's contracts in pyproject.toml) and the size limits
# (modules up to 400 lines, functions up to 50: tests/check_sizes.py)
lint: $(STAMP)
	@$(BIN)/ruff check flows tasks tests benchmarks
	@$(BIN)/ruff format --check flows tasks tests benchmarks
	@$(BIN)/lint-imports --no-logo --no-cache
	@$(BIN)/python tests/check_sizes.py

# A local Prefect server + process worker on 127.0.0.1 and a Ray instance that keeps the models'
# scoring actors loaded between runs (state in .prefect/), the repo's deployments on it, and
# stopping all three. Export SHADOWLINE_* settings before `make server`.
server: $(STAMP)
	@$(BIN)/shadowline server start

deploy: $(STAMP)
	@$(BIN)/shadowline server deploy

stop: $(STAMP)
	@$(BIN)/shadowline server stop

install: $(STAMP)

# Reinstall when the dependencies or their pinned versions change; the pip log stays in
# .venv/install.log. constraints.txt pins every package, so a fresh clone gets the same set.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "shadowline needs Python 3.11 or newer ($(PYTHON) is older; set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing shadowline and its dependencies into $(VENV) (a few minutes the first time) ..."
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/install.log 2>&1 && \
		$(BIN)/python -m pip install -c constraints.txt -e '.[test]' >> $(VENV)/install.log 2>&1 || \
		{ tail -n 30 $(VENV)/install.log; echo "install failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

# The BigQuery and Cloud Storage emulators the tests start, in their own venv (pinned); a
# plain `pytest` on a new clone installs it itself, in the background.
$(EMULATORS_STAMP): tests/emulators-requirements.txt
	@echo "installing the BigQuery and Cloud Storage emulators into .venv-emulators ..."
	@$(PYTHON) -c 'from tests.emulators import ensure_installed; ensure_installed()'

# Debian's Chromium for the test that opens report.html: installed when missing, as root with
# apt-get (as CI runs); elsewhere that one test is skipped and says how to install it.
chromium:
	@command -v chromium > /dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get > /dev/null || \
		{ echo "installing Debian's chromium for the HTML report's test (a minute or two) ..."; \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
			> .chromium-install.log 2>&1 || \
		{ tail -n 20 .chromium-install.log; echo "chromium install failed: see .chromium-install.log"; \
			exit 1; }; }

# Re-resolve the newest versions the dependencies allow and pin them (network; a few minutes).
lock:
	@rm -rf /tmp/shadowline-lock && $(PYTHON) -m venv /tmp/shadowline-lock/app && \
		/tmp/shadowline-lock/app/bin/pip install -q -e '.[test]' && \
		{ sed -n '1,2p' constraints.txt; /tmp/shadowline-lock/app/bin/pip freeze --all --exclude-editable \
			| grep -v -E '^(pip|shadowline)=='; } > constraints.txt.new && mv constraints.txt.new constraints.txt
	@$(PYTHON) -m venv /tmp/shadowline-lock/emulators && \
		/tmp/shadowline-lock/emulators/bin/pip install -q $$($(PYTHON) -c \
			'import tests.emulators as e; print(" ".join(e.PACKAGES))') && \
		{ sed -n '1,2p' tests/emulators-requirements.txt; /tmp/shadowline-lock/emulators/bin/pip freeze --all \
			| grep -v -E '^pip=='; } > tests/emulators-requirements.txt.new && \
		mv tests/emulators-requirements.txt.new tests/emulators-requirements.txt
	@rm -rf /tmp/shadowline-lock && echo "pinned: constraints.txt, tests/emulators-requirements.txt"

clean:
	@if [ -x $(BIN)/shadowline ]; then $(BIN)/shadowline server stop > /dev/null; fi
	rm -rf $(VENV) .venv-emulators .venv-emulators.lock .shadowline .prefect .pytest_cache .ruff_cache
