# kplan-report — the two commands a newcomer needs:
#   make report YEAR=2021   build build/2021/*.pdf and *.docx
#   make test               run the test suite
# Both set the machine up first (Debian packages as root, .venv, the package).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	fontconfig fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic \
	poppler-utils libreoffice-writer

.PHONY: setup system-packages validate report test golden bench clean

# --- set-up -----------------------------------------------------------------

# Debian packages: installs only what is missing, so a second run costs one dpkg query.
.stamp-system: Makefile
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:" $$missing; \
	    if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install: $$missing)" >&2; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

.stamp-venv: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

setup: .stamp-system .stamp-venv
system-packages: .stamp-system

# --- jobs -------------------------------------------------------------------

validate: setup
	$(VENV)/bin/kplan-report validate

test: setup
	$(PY) -m pytest

clean:
	rm -rf build .stamp-system .stamp-venv
