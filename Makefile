# Caseflow: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := caseflow

.PHONY: run test test-postgres security-report axe lint format translations extract-messages bench bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-mailsink: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[mailsink]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# Compiled catalogues (.mo) are build output, made from the committed .po files.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d caseflow/translations --statistics

# Re-extract UI strings and merge them into every language's .po file.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o caseflow/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i caseflow/translations/messages.pot -d caseflow/translations --no-fuzzy-matching --ignore-obsolete

# A local secret key, made once; production sets CASEFLOW_SECRET_KEY instead.
instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print('# Local development settings, made by make run.\nSECRET_KEY = %r\n# Served over plain http on 127.0.0.1, so the cookie cannot be Secure-only.\nSESSION_COOKIE_SECURE = False' % secrets.token_urlsafe(48))" > $@
	@echo "Created $@ with a new random SECRET_KEY."

# make run also starts a local mail sink (aiosmtpd on 127.0.0.1:8025, the default
# MAIL_SERVER/MAIL_PORT) that stores every email as a file in instance/mail/new/,
# and the worker (email delivery, bulk exports, the schedule; its queue is a SQLite
# file in instance/).
run: $(VENV)/.installed-mailsink translations instance/config.py
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-catalogue
	$(BIN)/flask seed-demo --if-empty
	@mkdir -p instance/mail/tmp instance/mail/new instance/mail/cur
	@echo ""
	@echo "Caseflow is running at http://127.0.0.1:$(PORT)  (Ctrl+C stops it)"
	@echo "Emails it sends are saved in instance/mail/new/ (one file per email)."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Mailbox instance/mail & \
	  $(BIN)/flask worker & \
	  $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - wsgi:app

# axe-core (accessibility checks in the browser tests) comes from npm when npm exists.
axe: tests/browser/axe/node_modules/axe-core/axe.min.js
tests/browser/axe/node_modules/axe-core/axe.min.js: tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser/axe --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility test will be skipped"; fi

# PYTEST_ARGS narrows a run, e.g. PYTEST_ARGS='-m "not slow"' (.ci/run uses it).
test: $(VENV)/.installed-dev translations axe
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL (see DEVELOPERS.md).
test-postgres: $(VENV)/.installed-dev translations axe
	CASEFLOW_TEST_DATABASE_URL=$${CASEFLOW_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest $(PYTEST_ARGS)

# Speed, as ratios to baselines measured in the same run (see docs in each script).
# The security tests, then one table of what they measured (README, "Security figures").
security-report: $(VENV)/.installed-dev translations
	$(BIN)/python -m tests.security_report

bench: $(VENV)/.installed-dev translations
	$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/report_bench.py
	$(MAKE) bench-scale

# A region's scale (issue 12), on SQLite, then on PostgreSQL when
# CASEFLOW_TEST_DATABASE_URL names a server (a fresh scale_bench_<pid> database on it).
# Smaller: make bench-scale CASES=5000
CASES ?= 100000
bench-scale: $(VENV)/.installed-dev translations
	$(BIN)/python bench/scale_bench.py --cases $(CASES) --sqlite
	@if [ -n "$$CASEFLOW_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python bench/scale_bench.py --cases $(CASES) \
	    --database-url "$$CASEFLOW_TEST_DATABASE_URL"; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
