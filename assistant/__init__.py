"""Cited answers and briefings on children's social care reform in England, offline.

The package face is lazy: `import assistant` loads nothing heavy (no store, no model, no bm25s); the
names below load their module on first use. Importing the package switches the process offline
(assistant.runtime.go_offline) once, before anything else runs: the chat, `python -m ingest` and
`python -m evals` all import it first.

Stages a question goes through, one subpackage each (see README "Architecture"):
question (kinds, follow-ups) -> retrieval (store, lexical, dense, fusion) -> answering (extractive,
generative, citations, disagreements, attribution) -> checks (scope, constraints, guard); briefings
build on answering; text is the shared toolkit; assembly builds the pipeline from Settings.
"""

from assistant.runtime import go_offline

go_offline()

_LAZY = {"Assistant": "assistant.pipeline", "Settings": "assistant.settings", "build_assistant": "assistant.assembly"}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
