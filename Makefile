# make run   — install and ask the bundled corpus a question (index built on first use)
# make test  — install what a clean machine lacks (Chromium, CJK fonts, the project with its test extras) and run the tests
# make lint  — ruff
# make bench — this assistant beside the langchain tutorial pipeline, 1 to 1,000 documents (BENCH_ARGS=--big adds 100k chunks)
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
Q ?= 草根型社区社会组织可以备案吗？

.PHONY: run serve test lint bench browser install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

browser:
	@dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; }

run: install
	$(BIN)/assistant ask "$(Q)"

serve: install
	$(BIN)/assistant serve

test: browser install-test
	$(BIN)/python -m pytest -q

lint: install-test
	$(BIN)/ruff check assistant tests ui.py
	$(BIN)/ruff format --check assistant tests ui.py

bench: $(BIN)/python
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
