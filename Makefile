# Two commands for a new user: `make run` and `make test`. Everything else they need, these targets install.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test test-fast install migrate demo messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runall

# Production on one machine: needs SECRET_KEY and ALLOWED_HOSTS in the environment (see
# docs/operations.md, "Production deployment"); gunicorn + whitenoise + the django-q2 worker, DEBUG off.
serve: export DJANGO_ENV := production
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve $(SERVE_ARGS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite without the tests marked slow (servers, worker processes, fuzzing): for the edit-test loop.
test-fast: install
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# Each app keeps its own catalogue and templates/ go with backoffice/ (backoffice/settings_messages.py says how).
# bench/ has no user-facing text.
messages:
	$(PY) manage.py makemessages --settings=backoffice.settings_messages -l zh_Hans -l en --no-obsolete \
		--ignore=.venv --ignore=bench --ignore=tests --ignore=var --ignore=docs
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache
