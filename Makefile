# factfold — `make run` to see it work, `make test` to check it.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install browser run test test-cluster lint typecheck soak bench bench-quick eval-real clean

# setuptools tells every editable install of a package-dir layout to mind same-named
# folders (there are none: factfold lives in core/); nothing to act on, so not shown.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" \
		$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

## Ingest the sample documents, then watch inbox/ and print facts as files arrive.
run: install
	$(BIN)/factfold ingest seeds/
	mkdir -p inbox
	$(BIN)/factfold watch inbox

lint: install
	$(BIN)/ruff check core events plugins tests tools bench

## mypy over the package, with the settings in pyproject.toml; cached, so a second run is quick.
typecheck: install
	$(BIN)/python tools/typecheck.py

## tests/test_serve.py loads factfold serve's pages in a real browser: Debian's chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "make test needs Debian's chromium (tests/test_serve.py loads pages in it);" \
			     "run as root, or: sudo apt-get install --no-install-recommends chromium" >&2; \
			exit 1; \
		fi; \
		echo "installing Debian's chromium for tests/test_serve.py"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends chromium; \
	}

## Two pytest-xdist workers, one a core: the suite takes about half as long.  worksteal,
## since the slow tests gather in a few files (sql, crash points, cli): a worker that runs
## out takes tests from the other's queue, where loadfile would leave it waiting on a file.
## TEST_WORKERS=auto uses every core (tests that time themselves get less slack).
TEST_WORKERS ?= 2
test: install lint typecheck browser
	$(BIN)/pytest -q -m "not cluster" -n $(TEST_WORKERS) --dist worksteal

## The NATS cluster scenarios (three servers, one killed mid-burst; two watchers, three
## workers, 2,000 documents): a few minutes more.
## Serial: each test already runs three servers at once.
test-cluster: install
	$(BIN)/pytest -q -m cluster

## Score the extractors on the real-news corpus (texts in tests/realnews/texts/, not in git).
eval-real: install
	$(BIN)/python tools/eval_real.py

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
	rm -rf $(VENV) .factfold build dist *.egg-info bench/.work .mypy_cache
