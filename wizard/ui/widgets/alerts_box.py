"""The optional alerts on the allow-list page: a checkbox (off by default), the address, what it
costs, and a button that turns them on through the engine (steps.set_up_alerts)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from wizard.alert_words import COST, validate_email
from wizard.validators import is_valid


class AlertsBox(QGroupBox):
    requested = Signal(str)  # the address, when the DBA presses "Turn on alerts"

    def __init__(self) -> None:
        super().__init__("Alerts (optional)")
        self.setObjectName("alertsBox")
        self.enabled = QCheckBox("&E-mail me when the platform connects or the link goes down")
        self.enabled.setObjectName("alertsEnabled")
        self.address = QLineEdit()
        self.address.setObjectName("alertsEmail")
        self.address.setPlaceholderText("dba@example.com")
        self.address.setAccessibleName("E-mail address for the alerts")
        self.button = QPushButton("&Turn on alerts")
        self.button.setObjectName("alertsTurnOn")
        self.note = QLabel(
            "An e-mail when the platform's connection request is waiting, accepted, rejected or "
            "deleted, and when the database has had no healthy target for 5 minutes. AWS first "
            f"e-mails a link to confirm the address. {COST} Teardown removes them."
        )
        self.note.setObjectName("alertsNote")
        self.note.setWordWrap(True)
        self.result = QLabel()
        self.result.setObjectName("alertsResult")
        self.result.setWordWrap(True)
        self.result.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.result)
        self._ready = False
        self.enabled.toggled.connect(self._update)
        self.address.textChanged.connect(self._update)
        self.button.clicked.connect(lambda: self.requested.emit(self.email()))
        self._update()

    def wanted(self) -> bool:
        return self.enabled.isChecked() and bool(self.email())

    def email(self) -> str:
        text = self.address.text()
        return text.strip() if not is_valid(validate_email, text) else ""

    def set_ready(self, ready: bool) -> None:
        """Whether the link exists far enough (its endpoint service) for alerts to be made."""
        self._ready = ready
        self._update()

    def show_result(self, lines: list[str]) -> None:
        self.result.setText("\n".join(lines))
        self.result.setVisible(bool(lines))

    def _update(self) -> None:
        on = self.enabled.isChecked()
        self.address.setEnabled(on)
        problem = is_valid(validate_email, self.address.text()) if self.address.text().strip() else ""
        self.address.setToolTip(problem)
        self.button.setEnabled(on and self._ready and self.wanted())
        self.button.setToolTip(
            "" if self._ready else "Allow the platform first: the alerts watch its endpoint service."
        )
