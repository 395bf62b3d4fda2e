# The two commands a newcomer needs: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB_PORT ?= 8000
STAMP := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install lint typecheck checks pytest bench lock clean

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

# Compiled translations (.mo) are build output, never committed: each is made from its .po
# (GNU gettext's msgfmt, apt package gettext) and remade whenever the .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(STAMP)
	DEBUG=true $(BIN)/python manage.py compilemessages --locale $* --ignore=.venv --ignore=var

# axe-core, the accessibility checker the browser tests inject into each page: a pinned release
# fetched once at set-up from the npm registry (`npm pack`, apt packages nodejs and npm), its
# tarball checked against the sha512 below (npm's own integrity value), never fetched at run time.
# Only the tests need it, so `make run` does not need npm.
AXE_VERSION := 4.11.0
AXE_SHA512 := 8a561a9c453cbf1c417b1a4977c716338125490ab841cb422ca8a1d1349f8c87c24137b21ffeb356b98825f2cfaca4ca2516e21be71f9d96d02230252661758d
AXE_DIR := $(VENV)/axe
AXE_TGZ := $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz
AXE_JS := $(AXE_DIR)/axe.min.js
$(AXE_TGZ): | $(STAMP)
	@mkdir -p $(AXE_DIR)
	cd $(AXE_DIR) && npm pack --silent --cache npm-cache axe-core@$(AXE_VERSION) >/dev/null
	@echo "$(AXE_SHA512)  $@" | sha512sum --check --quiet - || { rm -f $@; echo "axe-core $(AXE_VERSION): checksum mismatch" >&2; exit 1; }
$(AXE_JS): $(AXE_TGZ)
	tar -xzOf $< package/axe.min.js > $@.part && mv $@.part $@

install: $(STAMP) $(MO_FILES)

# Everything in one foreground command: web server, Celery worker, Celery beat (Ctrl-C stops
# all three). With no DATABASE_URL / REDIS_URL / EMAIL_URL it needs no external service.
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(WEB_PORT)
run: export WEB_PORT := $(WEB_PORT)
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Backbone is starting at $(SITE_URL)/ — web, worker and beat; Ctrl-C stops all three."
	PATH="$(abspath $(BIN)):$$PATH" exec $(BIN)/honcho -f Procfile.dev start

# The whole suite plus every quality gate. CI runs exactly this (see .ci/run).
# The development settings (SQLite unless DATABASE_URL is set); the deploy check overrides them.
test lint typecheck checks pytest bench: export DEBUG := true
test: install lint typecheck checks pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

checks: install
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-dummy-secret-key-$$(printf '%050d' 0) ALLOWED_HOSTS=backbone.example.org \
	  SITE_URL=https://backbone.example.org DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
	  REDIS_URL=redis://127.0.0.1:6379/0 EMAIL_URL=smtp://127.0.0.1:25 \
	  DEFAULT_FROM_EMAIL=backbone@example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Tests marked `postgres` (real concurrent connections) and `integration` (a real Celery worker
# and Redis) need DATABASE_URL=postgres://… and REDIS_URL; without them, outside CI, pytest
# deselects them and says what to set (tests/needs.py). CI (CI=true) always runs them.
pytest: install $(AXE_JS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

# Re-pin dependencies after editing pyproject.toml.
lock:
	rm -rf var/lockvenv && $(PYTHON) -m venv var/lockvenv
	var/lockvenv/bin/pip install --quiet --upgrade pip
	var/lockvenv/bin/pip install --quiet . && var/lockvenv/bin/pip freeze --exclude backbone > requirements.lock
	var/lockvenv/bin/pip install --quiet ".[dev]" && var/lockvenv/bin/pip freeze --exclude backbone > requirements-dev.lock
	rm -rf var/lockvenv build *.egg-info

clean:
	rm -rf $(VENV) var/*.sqlite3* var/celery-* var/celerybeat-schedule* locale/*/LC_MESSAGES/*.mo
