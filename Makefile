# Kepatuhan: make run (development server on SQLite), make test (what CI runs, see .ci/run).
# DATABASE_URL from the environment is honoured (CI sets it for the PostgreSQL pass).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: venv test-deps pdf-deps run test messages catalogue

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

test: test-deps pdf-deps .env
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Refresh the catalogues from the source (then translate the new Indonesian entries), and
# recompile locale/*/LC_MESSAGES/*.mo (both need gettext).
MAKEMESSAGES_ARGS := -l id -l en --ignore=.venv --ignore=bench --ignore=tests --no-obsolete --no-location --no-wrap
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
