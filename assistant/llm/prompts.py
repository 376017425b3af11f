"""Prompt templates kept as data in prompts/*.yaml, loaded and rendered with placeholder checks.

The templates are package data of the `prompts` package, read with importlib.resources, so an installed
wheel carries them (tests/assistant/llm/test_prompts.py builds one and loads them from it).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Sequence

import yaml

from assistant.models import Passage
PROMPTS_DIR: Traversable = files("prompts")
_FIELDS = ("name", "version", "description", "system", "user")
_TAG = re.compile(r"</?\s*(?:passage|question|conversation|topic|section)\b[^>]*>", re.I)


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt as stored: a system message and a user message with {placeholders}."""

    name: str
    version: int
    description: str
    system: str
    user: str

    def placeholders(self) -> set[str]:
        """The names the system and user templates expect."""
        return _placeholders(self.system) | _placeholders(self.user)


@dataclass(frozen=True)
class RenderedPrompt:
    """A prompt ready for a chat model."""

    name: str
    version: int
    system: str
    user: str


def load_prompt(name: str, prompts_dir: Traversable = PROMPTS_DIR) -> PromptTemplate:
    """Read prompts/<name>.yaml and check it has every field."""
    path = prompts_dir.joinpath(f"{name}.yaml")
    if not path.is_file():
        raise FileNotFoundError(f"No prompt template {name!r} at {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [key for key in _FIELDS if key not in data]
    if missing:
        raise ValueError(f"Prompt {path.name} lacks field(s): {', '.join(missing)}")
    return PromptTemplate(str(data["name"]), int(data["version"]), str(data["description"]).strip(),
                          str(data["system"]), str(data["user"]))


def render(name: str, prompts_dir: Traversable = PROMPTS_DIR, **values) -> RenderedPrompt:
    """Fill a template's placeholders with str.format; a missing value is an error, not a blank."""
    template = load_prompt(name, prompts_dir)
    missing = sorted(template.placeholders() - values.keys())
    if missing:
        raise KeyError(f"Prompt {name!r} needs value(s) for: {', '.join(missing)}")
    return RenderedPrompt(template.name, template.version, template.system.format(**values).strip(),
                          template.user.format(**values).strip())


def format_passages(passages: Sequence[Passage]) -> str:
    """Number passages [1..k] and fence each in <passage> tags so their text stays data."""
    blocks = []
    for n, passage in enumerate(passages, start=1):
        meta = passage.metadata
        source = ", ".join(part for part in (meta.get("title", ""), meta.get("publisher", ""),
                                              meta.get("published", "")) if part)
        blocks.append(f'<passage n="{n}" source="{fence(source).replace(chr(34), chr(39))}">\n'
                      f"[{n}] {fence(passage.text)}\n</passage>")
    return "\n\n".join(blocks)


def fence(text: str) -> str:
    """Text with any of our fencing tags removed, so data cannot close its own fence."""
    return _TAG.sub("", text or "").strip()


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}
