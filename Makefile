# `make test` and `make run` do all set-up themselves: they only need python3 with venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: venv test run bench clean

venv: $(VENV)/.installed

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -e ".[test]"
	touch $@

test: venv
	$(PY) -m pytest -q

run: venv
	$(PY) -m workbench.demo

$(VENV)/.installed-bench: $(VENV)/.installed
	$(VENV)/bin/pip install -e ".[bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/bench_lstm.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
