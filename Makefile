# kplan-report — the two commands a newcomer needs:
#   make report YEAR=2021   build build/2021/<plan id>-2021.pdf and .docx
#   make test               run the test suite
# Both set the machine up first (Debian packages as root, .venv, the package).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

# Debian packages. The report needs Pango/HarfBuzz (WeasyPrint; the subsetter makes
# PDF writing fast) and the fonts of the report's chain (kplan_report/validate/glyphs.py):
# BIZ UD, then Noto CJK for what BIZ UD lacks (𠮷), then Symbola for emoji; the tests
# also read PDFs back with poppler, open the Word file and the intake workbooks in
# LibreOffice, real consumers, and check web pages in Chromium.
REPORT_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	fontconfig fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic fonts-noto-cjk fonts-symbola
TEST_APT   := poppler-utils libreoffice-writer libreoffice-calc chromium

.PHONY: setup setup-test validate report check-year test golden bench bench-floor clean

# --- set-up -----------------------------------------------------------------

# Installs the Debian packages of $(1) that are missing; a second run costs one dpkg query each.
define apt_ensure
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:" $$missing; \
	    if [ "$$(id -u)" != 0 ]; then echo "error: run as root, or install these first: $$missing" >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

.stamp-system-report: Makefile
	$(call apt_ensure,$(REPORT_APT))
	@touch $@

.stamp-system-test: Makefile
	$(call apt_ensure,$(TEST_APT))
	@touch $@

# Debian's own python3 needs python3-venv for `-m venv`; other Pythons have it built in.
$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	    rm -rf $(VENV); \
	    echo "Installing Debian package python3-venv"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip

.stamp-venv: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

# The browser tests' npm packages (axe-core, playwright-core: no browser download; it
# drives Debian's chromium), exactly as package-lock.json pins them, in node_modules/.
# The machines come with Node.js 20 and npm; where node is missing, Debian's is installed.
.stamp-node: package-lock.json
	@command -v npm >/dev/null || { \
	    echo "Installing Debian packages nodejs npm"; \
	    if [ "$$(id -u)" != 0 ]; then echo "error: run as root, or install Node.js 20 and npm first" >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	@node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' || { \
	    echo "error: the browser tests need Node.js 20 or newer (playwright-core); found $$(node --version)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

setup: .stamp-system-report .stamp-venv
setup-test: setup .stamp-system-test .stamp-node

# --- jobs -------------------------------------------------------------------

validate: setup
	$(VENV)/bin/kplan-report validate

# The report is rebuilt only when an input, a template or the code changed,
# so `make report YEAR=2021` with nothing changed returns at once.
REPORT_INPUTS := pyproject.toml $(shell find source report_templates kplan_report -type f \
	\( -name '*.yaml' -o -name '*.py' -o -name '*.j2' -o -name '*.css' \) 2>/dev/null | LC_ALL=C sort)
# The file names come from the plan (<plan id>-<year>.pdf), so make does not know them:
# `kplan-report build` writes the stamp build/YEAR/.built after a complete build, listing
# the files it wrote. A listed file that is gone (deleted by hand) has an empty rule
# below, which make treats as changed: the report is rebuilt.
REPORT_STAMP := build/$(YEAR)/.built
REPORT_FILES := $(if $(YEAR),$(shell cat $(REPORT_STAMP) 2>/dev/null))

report: check-year $(REPORT_STAMP)

check-year:
	@case "$(YEAR)" in \
	    '') echo "error: YEAR is missing: make report YEAR=2021（年度を指定してください）" >&2; exit 2;; \
	    *[!0-9]*) echo "error: YEAR must be a fiscal year such as 2021, not '$(YEAR)'（年度は西暦の数字で指定してください）" >&2; exit 2;; \
	esac

$(REPORT_STAMP): $(REPORT_INPUTS) $(REPORT_FILES) | check-year .stamp-system-report .stamp-venv
	$(VENV)/bin/kplan-report build --year $(YEAR)

$(REPORT_FILES):

test: setup-test
	$(PY) -m pytest

# Regenerates every golden file on purpose; then re-runs the golden tests and lists
# what changed. Review `git diff tests/` before committing (see README).
golden: setup-test
	-$(PY) -m pytest -q -p no:cacheprovider tests/test_pdf.py tests/test_word.py --force-regen
	$(PY) -m pytest -q tests/test_bad_inputs.py --regen-bad-input-goldens
	$(PY) -m pytest -q tests/test_review.py --regen-review-goldens
	$(PY) -m pytest -q tests/test_pdf.py tests/test_word.py tests/test_bad_inputs.py tests/test_review.py
	@echo "changed golden files (review with: git diff tests/):"
	@git status --short tests/

clean:
	rm -rf build .stamp-system-report .stamp-system-test .stamp-venv .stamp-node

bench: setup-test
	$(PY) bench/run.py

# What WeasyPrint alone needs for the report's final HTML (the floor under the
# speed target; see bench/floor.py).
bench-floor: setup
	$(PY) bench/floor.py
