"""TODO docstring (from assistant.timeline)"""

from __future__ import annotations

from assistant.text.tokens import content_words



def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicates: Jaccard overlap of content words above threshold."""
    left, right = set(content_words(a)), set(content_words(b))
    if not left or not right:
        return False
    return len(left & right) / len(left | right) > threshold
