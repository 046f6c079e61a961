# The two commands of the quick start: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-setup install bench bench-scale clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "otg needs $(PYTHON) (Python 3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/otg demo

# first what the tests need besides Python (installed or named at once), then the venv
test: test-setup $(STAMP)
	$(BIN)/pytest

test-setup:
	@tests/setup

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench

# a province's data set (1M events) on SQLite and PostgreSQL: ~1 h on 2 cores (bench/README.md)
bench-scale: $(VENV)/.bench-installed
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) var
