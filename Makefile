# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lab app notebooks lint bench clean

# The virtual environment with the kit and its test extras; redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	@bash scripts/system-deps.sh

demo: setup
	$(BIN)/kit demo

test: setup lint
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check kit tests benchmarks

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# A lesson as a no-code app: `make app` (lesson 4 in Chinese), `make app LESSON=needs KIT_LANG=en`
app: setup
	$(BIN)/kit app $${LESSON:-metrics} --course-lang $${KIT_LANG:-zh}

# The zh/en workbooks trainees open, from the templates and the course text (a test fails when they are stale)
notebooks: setup
	$(BIN)/kit notebooks

# JupyterLab in the course language: `make lab` (Chinese), `KIT_LANG=en make lab` (English)
lab: setup
	$(BIN)/kit lab --course-lang $${KIT_LANG:-zh}

clean:
	rm -rf build kit-out .pytest_cache .ruff_cache
