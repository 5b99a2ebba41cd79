"""Whitespace helpers shared by the extraction steps.

>>> norm("  Breaking:\\n News ")
'breaking: news'
>>> clip("word " * 100, 12)
'word word w…'
"""

from __future__ import annotations

import re

WS = re.compile(r"\s+")


def clip(text: str, n: int = 200) -> str:
    """``text`` on one line, cut to ``n`` characters (for the removal report)."""
    text = WS.sub(" ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def norm(text: str) -> str:
    """``text`` with whitespace collapsed, trimmed and lower-cased (to compare headlines)."""
    return WS.sub(" ", text).strip().lower()
