"""What is shown on screen passes through one function, so presenter mode (masking account ids
during a screen share) changes every view without changing what is done. The masking rules are
the engine's (wizard/redact.py), shared with logs and diagnostics reports; this module only adds
the Qt side: a switch with a `changed` signal, and covers for text fields."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from wizard.redact import redact
from wizard.ui.by_name import set_by_name


class Redactor(QObject):
    """Holds the presenter-mode switch; views re-render on `changed`."""

    changed = Signal()

    def __init__(self, presenter: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._roots: list[QWidget] = []  # whose text fields get covers in presenter mode

    @property
    def presenter(self) -> bool:
        return self._presenter

    def set_presenter(self, on: bool) -> None:
        if on != self._presenter:
            self._presenter = on
            if on:
                for root in self._roots:
                    self._cover_fields_of(root)
            self.changed.emit()

    def __call__(self, text: str) -> str:
        return redact(text, self._presenter)

    def cover_fields(self, root: QWidget) -> None:
        """Cover every text field under `root` while presenter mode is on (from now on, or
        from when it is turned on: covering early would slow the window's start-up)."""
        self._roots.append(root)
        if self._presenter:
            self._cover_fields_of(root)

    def _cover_fields_of(self, root: QWidget) -> None:
        for edit in root.findChildren(QLineEdit):
            self.cover(edit)

    def cover(self, edit: QLineEdit) -> PresenterCover:
        """Mask `edit` on screen in presenter mode; its text (what the engine gets) is untouched."""
        existing = edit.findChild(PresenterCover)
        return existing if isinstance(existing, PresenterCover) else PresenterCover(edit, self)


class PresenterCover(QLabel):
    """Lies over a text field while presenter mode hides part of its text.

    A field cannot show one text and hold another, and changing its text would change what the
    wizard does; so the field keeps the real value and this label, painted on top, shows the
    masked one. It also takes the clicks: editing what you cannot see would be a trap."""

    def __init__(self, edit: QLineEdit, redactor: Redactor) -> None:
        super().__init__(edit)
        self.setObjectName("presenterCover")
        self._edit = edit
        self._redactor = redactor
        set_by_name(self, textFormat="PlainText")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setIndent(4)
        self.setToolTip("Hidden by presenter mode (View menu). Turn it off to see or edit this.")
        edit.textChanged.connect(self.sync)
        redactor.changed.connect(self.sync)
        edit.installEventFilter(self)
        self.sync()

    @property
    def active(self) -> bool:
        return self.isVisibleTo(self._edit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._edit and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._edit.rect().adjusted(2, 2, -2, -2))
        return False

    def sync(self) -> None:
        real = self._edit.text()
        masked = self._redactor(real)
        hidden = self._edit.echoMode() != QLineEdit.EchoMode.Normal
        self.setText(masked)
        self.setGeometry(self._edit.rect().adjusted(2, 2, -2, -2))
        self.setVisible(self._redactor.presenter and not hidden and masked != real)
