# `make run` and `make test` do all set-up themselves on a fresh Debian machine: they need python3
# (with venv); `make test` also installs Debian's chromium for the browser tests when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5006
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: venv browser test fuzz run demo notebooks bench clean

venv: $(VENV)/.installed

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -e ".[app,test]"
	touch $@

# Headless Chromium for the Playwright tests (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; }

test: venv browser
	$(PY) -m pytest -q

# The long fuzzing run (CI runs the same tests with a few hundred cases each).
fuzz: venv
	$(PY) -m pytest -q -m fuzz --hypothesis-profile=long tests/bad_input

# The workbench app at http://localhost:$(PORT)/workbench. Its runs train on Dask workers: an
# embedded LocalCluster (one worker per core, started after the first page has painted), or the
# cluster at DASK=tcp://host:8786 (workers that see the run store's file). RUNS=path/runs.sqlite
# keeps the runs elsewhere than the user's data folder. One BLAS thread in the server by default:
# OpenBLAS's spinning threads would take the cores the browser and the workers need. A closed tab's
# session ends within ~6 s, not Bokeh's default 15-32 s (its runs train on in the workers).
run: venv
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} \
	$(if $(DASK),WORKBENCH_DASK_ADDRESS=$(DASK)) $(if $(RUNS),WORKBENCH_RUNS=$(RUNS)) \
	$(PY) -m panel serve apps/workbench.py --port $(PORT) --address 0.0.0.0 \
		--check-unused-sessions 1000 --unused-session-lifetime 5000 \
		--allow-websocket-origin=localhost:$(PORT) --allow-websocket-origin=127.0.0.1:$(PORT)

# JupyterLab on the teaching notebooks (offline: they load Panel's JavaScript inline).
notebooks: venv
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root)

# The command-line demo: train on the bundled UCI data with a progress bar, print the evaluation.
demo: venv
	$(PY) -m workbench.demo

$(VENV)/.installed-bench: $(VENV)/.installed
	$(VENV)/bin/pip install -e ".[bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/bench_lstm.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis tests/artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
