"""Cheaper imports once PySide6 is loaded.

PySide6 watches every later import to learn whether the module uses PySide's optional
`__feature__` switches (PYSIDE-2029): it fetches the module's source with `inspect.getsource`
and looks for the word "PySide6". That runs for each of the hundreds of modules the app and
boto3 import after PySide6, and measured ~30 ms of the window's start-up and ~45 ms more on the
worker's first sign-in. The same question is answered here by reading the file's bytes once.
"""

from __future__ import annotations

import sys
from types import ModuleType


def speed_up_pyside_import_hook() -> bool:
    """Replace PySide6's source check by an equivalent byte search; False if PySide changed
    (the check is then left as it is)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "fast_check", False):
        return False

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))  # no plain source file: PySide's own way

    mod_uses_pyside.fast_check = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]
    return True
