"""The `>>>` examples in the docstrings of assistant/, ingest/ and evals/ run as tests, one per docstring.

Modules are found by reading their source, so only those with examples are imported (the Gradio app
and the command-line entry points are not).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import io
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "evals")

pytestmark = pytest.mark.unit


def docstrings_with_examples() -> list[str]:
    """Dotted names (as doctest.DocTestFinder names them) of the module, class, function and method
    docstrings that hold a `>>>` example."""
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "__main__.py" or ">>>" not in path.read_text(encoding="utf-8"):
                continue
            module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found.extend(_documented(tree, module))
    return found


def _documented(node: ast.AST, prefix: str):
    if ">>>" in (ast.get_docstring(node, clean=False) or ""):
        yield prefix
    for child in getattr(node, "body", []):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(child, ast.ClassDef):
                yield from _documented(child, f"{prefix}.{child.name}")
            elif ">>>" in (ast.get_docstring(child, clean=False) or ""):
                yield f"{prefix}.{child.name}"


EXAMPLES = docstrings_with_examples()


def test_examples_were_found():
    assert len(EXAMPLES) >= 20, EXAMPLES  # a broken scan would otherwise pass by collecting nothing


@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_examples(name: str):
    module_name = next(candidate for candidate in _module_prefixes(name) if _importable(candidate))
    module = importlib.import_module(module_name)
    tests = {test.name: test for test in doctest.DocTestFinder().find(module) if test.examples}
    assert name in tests, f"{name} has a >>> example that doctest does not find (nested, or not in the module?)"
    out = io.StringIO()
    runner = doctest.DocTestRunner()  # no option flags, as `python -m doctest` and `pytest --doctest-modules`
    result = runner.run(tests[name], out=out.write)
    assert result.failed == 0, out.getvalue()


def _module_prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _importable(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
