# Two commands for a new user: `make run` and `make test`. Everything else they need, these targets install.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test test-fast doctor bench-dev install migrate demo messages clean

# pytest-xdist workers: `auto` is one per core; each gets its own test database and var/test/<worker>/.
TEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup --durations=15

$(PY):
	@$(PYTHON) -m venv $(VENV)

# What this machine lacks for `make run` and `make test`, and why (standard library only: runs before .venv).
doctor:
	@python3 bench/doctor.py --python $(PYTHON)

# Reinstall only when the dependency list changes. pip's output goes to a log, shown only when it fails.
$(STAMP): pyproject.toml | $(PY)
	@echo "installing the project and its dependencies into $(VENV) (log: $(VENV)/pip.log)"
	@$(PY) -m pip install -q -e '.[dev]' > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Migrates, seeds the demo logins, starts the web server, then writes the rest of the demo data and starts the
# worker (backoffice/management/commands/runall.py); `make demo` still does the first two on their own.
run: doctor install
	$(PY) manage.py runall --demo $(RUN_ARGS)

# Production on one machine: needs SECRET_KEY and ALLOWED_HOSTS in the environment (see
# docs/operations.md, "Production deployment"); gunicorn + whitenoise + the django-q2 worker, DEBUG off.
serve: export DJANGO_ENV := production
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve $(SERVE_ARGS)

test: doctor install
	$(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The suite without the tests marked slow (servers, worker processes, fuzzing) and without the real-browser suite
# (a live site and Chromium): for the edit-test loop.
test-fast: doctor install
	$(PY) -m pytest -m "not slow" --ignore=tests/browser $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# A fresh clone in a temporary directory: install, `make run` until the login page answers, `make test`; prints
# each phase's time (BENCH_ARGS=--skip-test for the first two only).
bench-dev:
	python3 bench/dev_timings.py $(BENCH_ARGS)

# Each app keeps its own catalogue and templates/ go with backoffice/ (backoffice/settings_messages.py says how).
# bench/ has no user-facing text.
messages:
	$(PY) manage.py makemessages --settings=backoffice.settings_messages -l zh_Hans -l en --no-obsolete \
		--ignore=.venv --ignore=bench --ignore=tests --ignore=var --ignore=docs
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache
