"""Cited answers and briefings on children's social care reform in England, offline."""

from assistant.runtime import go_offline

go_offline()

from assistant.pipeline import Assistant
from assistant.settings import Settings  # noqa: E402

__all__ = ["Assistant", "Settings"]
