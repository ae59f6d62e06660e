"""Plain text made safe to show in Qt's rich-text labels.

Here rather than `html.escape`: importing the `html` package loads its table of ~2,200 named
entities, ~1 % of the first window's start-up, for four replacements.
"""

from __future__ import annotations


def escape(text: str) -> str:
    """`text` as rich text that shows it literally (also inside a quoted attribute)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
