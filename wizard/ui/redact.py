"""What is shown on screen passes through one function, so presenter mode (masking account ids
during a screen share) changes every view without changing what is done. The masking rules are
the engine's (wizard/redact.py), shared with logs and diagnostics reports."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from wizard.redact import redact


class Redactor(QObject):
    """Holds the presenter-mode switch; views re-render on `changed`."""

    changed = Signal()

    def __init__(self, presenter: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter

    @property
    def presenter(self) -> bool:
        return self._presenter

    def set_presenter(self, on: bool) -> None:
        if on != self._presenter:
            self._presenter = on
            self.changed.emit()

    def __call__(self, text: str) -> str:
        return redact(text, self._presenter)
