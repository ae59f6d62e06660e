"""Terminal output that never fails on a console's code page (Windows' cp1252, cp437 …).

Characters the console cannot show are written as plain ASCII stand-ins (✔ → ok, ✖ → x,
… → ...) instead of raising UnicodeEncodeError halfway through a command's output."""

from __future__ import annotations

import codecs
import sys
from typing import TextIO

ERRORS = "privatelink-wizard-ascii"
_STAND_INS = {
    "✔": "ok",
    "✓": "ok",
    "✖": "x",
    "✗": "x",
    "…": "...",
    "—": "-",
    "–": "-",
    "→": "->",
    "←": "<-",
    "•": "*",
    "·": "*",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "≤": "<=",
    "≥": ">=",
    "×": "x",
    "\u00a0": " ",
}


def _stand_in(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_STAND_INS.get(c, "?") for c in text), error.end


codecs.register_error(ERRORS, _stand_in)


def tolerate_code_page(*streams: TextIO) -> None:
    """Make stdout/stderr write stand-ins for what their encoding lacks (a no-op for UTF-8)."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent on test captures
        if reconfigure is not None:
            reconfigure(errors=ERRORS)
