# Two commands do all the set-up: `make app` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
PORT   ?= 8501
# Only this machine can reach the app; see README "Serving a team" before widening it.
HOST   ?= 127.0.0.1

.PHONY: app test install index bench eval clean-index help

help:
	@echo "make app    install, build or update the index, start the app on http://$(HOST):$(PORT)"
	@echo "make test   install and run the whole test suite"
	@echo "make index  build or update the index only"
	@echo "make bench  scale benchmark on synthetic libraries (BENCH_REPORTS='1 20 153')"
	@echo "make eval   evaluate retrieval configurations on the gold questions"

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned to the CPU wheel in pyproject.toml; installing it first keeps pip
	# from ever considering a CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Exit code 3 means some files were skipped (named on stderr); the rest is indexed.
index: install
	$(BIN)/cqc-kb reindex || [ $$? -eq 3 ]

app: index
	$(BIN)/streamlit run app.py --server.headless true --server.address $(HOST) --server.port $(PORT) --browser.gatherUsageStats false --server.fileWatcherType none

test: install
	$(BIN)/python -m pytest -q

BENCH_REPORTS ?= 1 20

bench: install
	$(BIN)/python scripts/bench.py --reports $(BENCH_REPORTS) --markdown

eval: install
	$(BIN)/python scripts/run_eval.py

clean-index:
	rm -rf index/builds index/CURRENT index/.lock
