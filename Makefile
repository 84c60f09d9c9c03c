# The README's two commands on a fresh machine: `make plan` and `make test`.
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STACK ?= prod

.PHONY: plan test lint bench clean

# The virtualenv is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt policy/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

plan: $(VENV)/.installed
	$(PY) -m spof plan --stack $(STACK)

test: $(VENV)/.installed
	$(PY) -m pytest -q

# Settings for all three tools are in pyproject.toml.
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Times the offline plan of prod against a bare import of the SDK modules it loads; the last
# line ends with the ratio, and the target fails when it reaches 2. Results: bench/README.md.
bench: $(VENV)/.installed
	$(PY) bench/bench_plan.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
