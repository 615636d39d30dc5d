# The two commands of the README: `make dataset` and `make test`. Both set up .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NATIVE := toolkit/newsanno/read/_jsonl.so

.PHONY: dataset test lint typecheck schema clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The columnar tier's compiled reader (newsanno/read/native.py). Without a C compiler the tier reads
# with pyarrow alone: the same results, more slowly.
$(NATIVE): toolkit/newsanno/read/_jsonl.c $(STAMP)
	@$(BIN)/python -m newsanno.read.native \
		|| echo "note: no compiled reader (no C compiler?); the bulk path reads with pyarrow alone"

dataset: $(STAMP) $(NATIVE)
	$(BIN)/newsanno validate annotations
	$(BIN)/newsanno export annotations --out dist/newsanno
	$(BIN)/newsanno stats annotations

lint: $(STAMP)
	$(BIN)/ruff check toolkit tests scripts hatch_build.py
	$(BIN)/ruff format --check toolkit tests scripts hatch_build.py
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/newsanno schema

test: $(STAMP) $(NATIVE) lint typecheck
	$(BIN)/newsanno schema --check
	./scripts/ensure-chromium
	./scripts/ensure-java
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(NATIVE) dist test-artifacts .pytest_cache .mypy_cache .ruff_cache
