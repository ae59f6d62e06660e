"""The PySide6 GUI. Importing this package loads Qt and makes later imports cheaper (see
qt_imports.py)."""

import PySide6.QtCore  # noqa: F401  (loads PySide's import hook, which the next line tunes)

from wizard.ui.qt_imports import speed_up_pyside_import_hook

speed_up_pyside_import_hook()
