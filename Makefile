# Set-up and checks. Every target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY_DIRS := $(wildcard bchook_studio tests benchmarks packaging)

.PHONY: run test lint bench package package-check package-tarball clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bchook-studio

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# Installers. `make package` freezes with the interpreter and packages of .venv,
# the ones `make test` tests, so the bundle carries the Qt the tests ran on.
PACKAGE_STAMP := $(VENV)/.installed-package
BUNDLE := dist/bchook-studio

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/bchook-studio.spec
	@echo "Bundle: $(BUNDLE)/bchook-studio"

# Benchmarks. `make bench` measures every figure beside its baseline, in fresh
# processes, and updates benchmarks/latest.json and docs/benchmarks.md; it
# takes 3 to 4 minutes on 2 cores. The receiver's baseline runs on uvicorn.
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	home=$$(mktemp -d) && \
		BCHOOK_STUDIO_HOME=$$home QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks; \
		status=$$?; rm -rf "$$home"; exit $$status

package-check: $(STAMP)
	@test -x $(BUNDLE)/bchook-studio || \
		{ echo "$(BUNDLE) is missing; run make package first" >&2; exit 1; }
	mkdir -p build/self-test-home
	BCHOOK_STUDIO_HOME=$(CURDIR)/build/self-test-home QT_QPA_PLATFORM=offscreen \
		$(BUNDLE)/bchook-studio self-test
	$(BIN)/python packaging/bundle_report.py $(BUNDLE) --xz --system-libraries

package-tarball: $(STAMP)
	packaging/linux/build-tarball.sh $(BUNDLE) dist

clean:
	rm -rf $(VENV) build dist .pytest_cache
