# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

## demo: convert samples/ into out/ (every writer)
demo: $(STAMP)
	$(BIN)/converter convert samples -o out --to json,markdown,jats,epub,bag
	@echo "outputs in out/ (report: out/report.json)"

## lint: ruff, mypy --strict and the architecture's import contracts (import-linter)
lint: $(STAMP)
	$(BIN)/ruff check converter tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: lint, then the whole suite, validators included (needs Java for EPUBCheck)
test: lint
	@command -v java >/dev/null || { echo "make test: Java is required for EPUBCheck (apt-get install default-jre-headless)"; exit 1; }
	$(BIN)/python -m pytest -n auto -q

## bench: the benchmark; results go to docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python bench/run.py --write docs/benchmarks.md

clean:
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache
