"""Cheaper imports once PySide6 is loaded.

PySide6 watches every later import to learn whether the module uses PySide's optional
`__feature__` switches (PYSIDE-2029): it reads the module's source with `inspect.getsource` and
looks for the word "PySide6". A module that mentions it is marked "PySide's plain API" (no
feature), any other "does not care". That ran for each of the hundreds of modules the app and
boto3 import after PySide6: ~75 source files read before the window's first paint (plus
`inspect`'s search for the source of every compiled module), hundreds at the first sign-in.

The app selects no feature, so the answer is the same for every module: the plain API. Marking
each module so, without reading anything, also keeps the plain API for the app's code should a
library ever select a feature.
"""

from __future__ import annotations

import sys
from types import ModuleType


def speed_up_pyside_import_hook() -> bool:
    """Replace PySide6's source check by "uses the plain API"; False if PySide changed (the check
    is then left as it is) or it is in place already. Called where the window starts, before the
    GUI's modules are imported."""
    import PySide6.QtCore  # noqa: F401  (loads PySide's import hook)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "fast_check", False):
        return False

    def mod_uses_pyside(module: ModuleType) -> bool:
        return True

    mod_uses_pyside.fast_check = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]
    return True
