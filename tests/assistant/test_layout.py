"""The package layout is the architecture: stages import one way, modules form no cycle, and no import
hides inside a function to dodge one."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.unit

PACKAGE = REPO / "assistant"
# Each stage may import its own layer and the layers before it, never a later one.
LAYERS = [
    {"runtime", "models", "scoring", "settings", "text", "llm"},  # the toolkit, configuration, LLM clients
    {"checks"},  # grounding checks: scope, constraints, injection, the LLM sentence guard
    {"question"},  # what is asked: kinds, follow-ups
    {"retrieval"},  # store, lexical, dense, fusion, build files, calibration
    {"answering"},  # extractive and generative answerers, citations, disagreements, attribution
    {"briefing"},  # briefings, timeline, export
    {"pipeline"},  # the Assistant running the stages
    {"assembly"},  # builds the pipeline from Settings
    {"ui", "__main__"},  # entry points
]
# Entry points import the app only once asked to run it, so `--help` and an unsafe bind answer at once.
LAZY_ALLOWED = {"assistant.__main__", "assistant.ui"}


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(module imported from this package, whether the import sits inside a function)."""
    nested = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(fn)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assistant":
            found.append((node.module, id(node) in nested))
        elif isinstance(node, ast.Import):
            found += [(alias.name, id(node) in nested) for alias in node.names if alias.name.startswith("assistant.")]
    return found


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "runtime"  # the package face sits with the toolkit


def layer(module: str) -> int:
    return next(n for n, names in enumerate(LAYERS) if stage(module) in names)


def test_every_module_belongs_to_a_stage():
    assert [name for name in modules() if not any(stage(name) in names for names in LAYERS)] == []


def test_stages_import_only_their_own_layer_or_earlier_ones():
    backwards = [f"{name} -> {target}" for name, tree in modules().items() for target, _ in imports(tree)
                 if layer(target) > layer(name)]
    assert backwards == []


def test_no_import_inside_a_function_outside_the_entry_points():
    hidden = [f"{name} -> {target}" for name, tree in modules().items() for target, nested in imports(tree)
              if nested and name not in LAZY_ALLOWED]
    assert hidden == []


def test_modules_form_no_import_cycle():
    graph = {name: {target for target, _ in imports(tree)} for name, tree in modules().items()}
    state: dict[str, int] = {}

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path + [target]
            if target in graph and not state.get(target):
                found = cycle_from(target, path + [target])
                if found:
                    return found
        state[node] = 2
        return None

    cycles = [found for name in graph if not state.get(name) for found in [cycle_from(name, [name])] if found]
    assert cycles == []


def test_importing_the_package_or_ingest_helpers_loads_nothing_heavy():
    code = ("import json, sys, assistant, ingest.dates, ingest.header; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'bm25s', 'chromadb', 'torch', 'gradio', 'transformers', 'sentence_transformers'})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_package_face_loads_its_names_on_first_use():
    import assistant
    from assistant.assembly import build_assistant
    from assistant.pipeline import Assistant

    assert assistant.Assistant is Assistant and assistant.build_assistant is build_assistant
    with pytest.raises(AttributeError):
        assistant.no_such_name  # noqa: B018
