# factfold — `make run` to see it work, `make test` to check it.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test lint soak bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

## Ingest the sample documents, then watch inbox/ and print facts as files arrive.
run: install
	$(BIN)/factfold ingest seeds/
	$(BIN)/factfold watch inbox

lint: install
	$(BIN)/ruff check core events plugins tests

test: install lint
	$(BIN)/pytest -q

## The long reliability run before a release: >= 10,000 hostile files and names through a
## real watch (tests/fuzz.py); prints files, faults injected, lost, doubled, rejected by reason.
SOAK_FILES ?= 10000
soak: install
	$(BIN)/python tests/fuzz.py --files $(SOAK_FILES)

bench: install
	$(BIN)/python bench/run.py

bench-quick: install
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) .factfold build dist *.egg-info bench/.work
