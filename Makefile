# The two commands of the README: `make demo` (the main job) and `make test` (the whole suite).
# Each creates ./.venv on first use. An existing torch (system or venv) is kept; otherwise $(TORCH)
# is installed first, because a bare `torch` requirement would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv --system-site-packages $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[train,test]"
	touch $(STAMP)

install: $(STAMP)

# Metamath's set.mm and the reference verifier, from Debian, where apt is available.
system-deps:
	@if [ -f /usr/share/metamath/databases/set.mm ] && command -v metamath >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq metamath-databases metamath; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo apt-get install -y -qq metamath-databases metamath; \
	else echo "note: no apt-get here; tests that need Debian's set.mm are skipped"; fi

demo: install system-deps
	$(BIN)/lime reproduce --preset demo --downstream metamathstep --out runs/demo

test: install system-deps
	$(BIN)/python -m pytest
