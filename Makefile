# The two commands: `make demo` and `make test`. Each sets up .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean server deploy stop

demo: $(STAMP)
	@$(BIN)/shadowline demo

test: $(STAMP)
	@$(BIN)/python -m pytest

# A local Prefect server + process worker on 127.0.0.1 (state in .prefect/), the repo's
# deployments on it, and stopping both. Export SHADOWLINE_* settings before `make server`.
server: $(STAMP)
	@$(BIN)/shadowline server start

deploy: $(STAMP)
	@$(BIN)/shadowline server deploy

stop: $(STAMP)
	@$(BIN)/shadowline server stop

lint: $(STAMP)
	@$(BIN)/ruff check flows tasks tests
	@$(BIN)/ruff format --check flows tasks tests

install: $(STAMP)

# Reinstall when the dependencies change; the pip log stays in .venv/install.log.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "shadowline needs Python 3.11 or newer ($(PYTHON) is older; set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing shadowline and its dependencies into $(VENV) (a few minutes the first time) ..."
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/install.log 2>&1 && \
		$(BIN)/python -m pip install -e '.[test]' >> $(VENV)/install.log 2>&1 || \
		{ tail -n 30 $(VENV)/install.log; echo "install failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

clean:
	@if [ -x $(BIN)/shadowline ]; then $(BIN)/shadowline server stop > /dev/null; fi
	rm -rf $(VENV) .venv-emulators .shadowline .prefect .pytest_cache .ruff_cache
