# Kepatuhan: make run (development server on SQLite), make test (what CI runs, see .ci/run).
# DATABASE_URL from the environment is honoured (CI sets it for the PostgreSQL pass).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: venv test-deps print-deps pdf-deps run test messages catalogue chromium screenshots worker mutation

# The stamps reinstall the requirements whenever a requirements file is newer than they are.
venv: $(VENV)/.stamp-requirements
test-deps: $(VENV)/.stamp-requirements-test

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-requirements: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.stamp-requirements-test: requirements-test.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-test.txt
	touch $@ $(VENV)/.stamp-requirements

run: venv .env
	DEBUG=true $(PY) manage.py migrate
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# The real-client test of the exports (tests/test_printing.py) opens them in LibreOffice Calc
# and reads the PDFs with poppler-utils (Debian packages). Installed when missing and running as
# root (as .ci/run does); otherwise `make test` stops at once with the command to run.
PRINT_PACKAGES := libreoffice-calc-nogui poppler-utils
CALC := /usr/lib/libreoffice/program/libsclo.so

print-deps:
	@if ! command -v soffice >/dev/null || [ ! -e $(CALC) ] || ! command -v pdftotext >/dev/null; then \
	    if [ "$$(id -u)" -eq 0 ]; then \
	        echo "Installing $(PRINT_PACKAGES) for tests/test_printing.py"; \
	        DEBIAN_FRONTEND=noninteractive apt-get update </dev/null && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	            $(PRINT_PACKAGES) </dev/null; \
	    else \
	        echo "make test needs LibreOffice Calc and poppler-utils (tests/test_printing.py)."; \
	        echo "Install them with:"; \
	        echo "    sudo apt-get install -y --no-install-recommends $(PRINT_PACKAGES)"; \
	        echo "(or run the other tests alone: .venv/bin/pytest -m 'not libreoffice')"; \
	        exit 1; \
	    fi; \
	fi

# make worker: a Celery worker and beat (the schedules stored in the database) against the local
# Redis, for development; production runs them as services (deploy/systemd/).
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
worker: venv .env
	DEBUG=true CELERY_BROKER_URL=$(CELERY_BROKER_URL) $(VENV)/bin/celery -A compliance worker --beat --loglevel=INFO --concurrency=2

# The PDF rapors (WeasyPrint) need Pango and a font; their tests read the PDFs back with
# poppler-utils' pdftotext (tests/assessments/test_pdf.py). Debian packages: installed when
# missing and running as root (as .ci/run does); otherwise `make test` stops at once with the
# command to run.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
installed = dpkg-query -W -f='$${Status}' $(1) 2>/dev/null | grep -q 'ok installed'
PDF_CHECK := $(call installed,libpango-1.0-0) && $(call installed,libpangoft2-1.0-0) \
	&& $(call installed,fonts-dejavu-core) && command -v pdftotext >/dev/null

pdf-deps:
	@if ! { $(PDF_CHECK); }; then \
	    if [ "$$(id -u)" -eq 0 ]; then \
	        echo "Installing $(PDF_PACKAGES) for the PDF rapors"; \
	        DEBIAN_FRONTEND=noninteractive apt-get update </dev/null && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	            $(PDF_PACKAGES) </dev/null; \
	    else \
	        echo "make test needs Pango, DejaVu fonts and poppler-utils (the PDF rapors)."; \
	        echo "Install them with:"; \
	        echo "    sudo apt-get install -y --no-install-recommends $(PDF_PACKAGES)"; \
	        exit 1; \
	    fi; \
	fi

# The suite runs in TEST_JOBS processes (pytest-xdist): one per core, at most 3 (the
# Celery-worker tests take a Redis database per process, tests/xdist_helpers.py). Tests go out
# one by one in collection order to whichever process is free (--dist load with the scheduling
# of tests/xdist_helpers.py; xdist's own refills a process with up to a quarter of the tests
# left, which left one process idle for minutes at the end), so each process still runs
# pytest-django's order (transactional tests last); the cluster's module goes whole to one
# process, first. (xdist_group does not hold with pytest 9: pytest-xdist 3.8
# renames the node id through an attribute pytest 9 no longer reads.) TEST_JOBS=0 runs in one
# process.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 3 ] && n=3; echo $$n)
# The suite writes bytecode even where the environment says not to (PYTHONDONTWRITEBYTECODE):
# without it every process (each xdist worker, each manage.py and server a test starts)
# compiles the project again and pytest rewrites the asserts of every test module again
# (collection: 7.5 s of CPU per process without the caches, 3.2 s with them). The caches go to
# __pycache__/, which git ignores.
test: test-deps print-deps pdf-deps .env chromium
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n $(TEST_JOBS) --dist load

# The browser tests and the screenshots drive Debian's Chromium (Playwright cannot download a
# browser here): installed when missing if we are root, otherwise we stop and say how.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then \
	    echo "Installing Debian's chromium (browser tests, screenshots)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update </dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium </dev/null; \
	  else \
	    echo "Chromium is missing at $(CHROMIUM); the browser tests need it. Install it with:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"; \
	    exit 1; \
	  fi; \
	fi

# Full-page screenshots of every main page as each demo persona sees it, at 1280 and 390 px,
# into screenshots/ (git-ignored; open screenshots/index.html). Options via SCREENSHOTS_ARGS,
# e.g. SCREENSHOTS_ARGS="--only operator --widths 390".
screenshots: test-deps .env chromium
	$(PY) scripts/screenshots.py $(SCREENSHOTS_ARGS)

# Refresh the catalogues from the source (then translate the new Indonesian entries), and
# recompile locale/*/LC_MESSAGES/*.mo (both need gettext).
MAKEMESSAGES_ARGS := -l id -l en --ignore=.venv --ignore=bench --ignore=tests --ignore=run --no-obsolete --no-location --no-wrap
catalogue: venv
	DEBUG=true $(PY) manage.py makemessages $(MAKEMESSAGES_ARGS)

messages: venv
	DEBUG=true $(PY) manage.py compilemessages -l id -l en --ignore=.venv

# make bench: builds (or reuses) the synthetic nation in its own PostgreSQL database (created if
# missing; never DATABASE_URL's) and measures the cases of issue 6; the table is printed and
# written to bench/results/. Options through BENCH_ARGS, e.g. BENCH_ARGS="--scale 0.1 --repeat 10".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kepatuhan_bench
.PHONY: bench

$(VENV)/.stamp-requirements-bench: requirements-bench.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-bench.txt
	touch $@ $(VENV)/.stamp-requirements

bench: $(VENV)/.stamp-requirements-bench
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py $(BENCH_ARGS)

# A local .env (git ignores it) so that plain `.venv/bin/python manage.py …` works on a
# development machine; production sets its variables in the environment instead.
.env:
	printf 'DEBUG=true\n' > .env

# make mutation: mutation testing (mutmut, configured in pyproject.toml) of the modules whose
# rules users depend on, one module at a time, then the score per module (README, "Testing").
# Not run in CI: it takes long on 2 cores. MUTATE picks modules (mutmut's dotted names, globs),
# e.g. make mutation MUTATE=compliance.scoring; MUTATION_CHILDREN the parallel workers.
MUTATE ?= compliance.scoring compliance.paths assessments.rules agencies.access \
          compliance.spreadsheets.reading compliance.spreadsheets.writing
MUTATION_CHILDREN ?= 1
.PHONY: mutation

$(VENV)/.stamp-requirements-mutation: requirements-mutation.txt requirements-test.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-mutation.txt
	touch $@ $(VENV)/.stamp-requirements-test $(VENV)/.stamp-requirements

mutation: $(VENV)/.stamp-requirements-mutation .env
	for module in $(MUTATE); do \
	    DEBUG=true $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) "$$module.*" || exit 1; \
	done
	$(PY) scripts/mutation_report.py --survivors

# make cluster: two gunicorn instances behind nginx (TLS on https://127.0.0.1:8443/), PostgreSQL
# (database kepatuhan_cluster), Redis and a Celery worker, one shared MEDIA_ROOT; everything under
# run/cluster/, nothing outside the loopback (scripts/cluster.py; README "Several servers").
# make cluster-check runs the operators' mix through nginx against it (scripts/cluster_mix.py;
# it stops, restarts and kills instances); make cluster-stop stops it. Options of the start via
# CLUSTER_ARGS (e.g. CLUSTER_ARGS="--https-port 9443 --workers 3"), of the mix via
# CLUSTER_CHECK_ARGS (e.g. "--duration 60"); CLUSTER_RUN_DIR in the environment moves all three. nginx and openssl (Debian) are installed
# when missing and running as root, as .ci/run does; otherwise we stop and say how.
CLUSTER_PACKAGES := nginx openssl
CLUSTER_ARGS ?=
CLUSTER_CHECK_ARGS ?=
.PHONY: cluster cluster-stop cluster-check cluster-deps

cluster-deps:
	@if [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then \
	    if [ "$$(id -u)" -eq 0 ]; then \
	        echo "Installing $(CLUSTER_PACKAGES) for make cluster"; \
	        DEBIAN_FRONTEND=noninteractive apt-get update </dev/null && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	            $(CLUSTER_PACKAGES) </dev/null; \
	    else \
	        echo "make cluster needs nginx and openssl. Install them with:"; \
	        echo "    sudo apt-get install -y --no-install-recommends $(CLUSTER_PACKAGES)"; \
	        exit 1; \
	    fi; \
	fi

cluster: venv cluster-deps
	$(PY) scripts/cluster.py start $(CLUSTER_ARGS)

cluster-check: venv
	$(PY) scripts/cluster_mix.py $(CLUSTER_CHECK_ARGS)

cluster-stop:
	$(PY) scripts/cluster.py stop
