"""An inline panel for a UserError: what happened, why, what to do (never a traceback).

After a create step failed midway it also says exactly what exists in the account (from the
link record) and offers the three ways on: Retry, Continue later, Remove what was created."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard.ui.by_name import set_by_name
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.style import styled

# The link record's resource kinds, in the words of someone who never opened the VPC console.
KIND_WORDS = {
    "nlb": "Load balancer",
    "target-group": "Target group (where the load balancer forwards to)",
    "listener": "Listener (the load balancer's port)",
    "endpoint-service": "Endpoint service (what the platform connects to)",
    "security-group-rule": "Firewall rule on the database's security group",
    "db-parameter-group": "Database parameter group",
}


def short_name(resource_id: str) -> str:
    """The readable part of an id: an ELB ARN's name (…/net/<name>/<hash>), else the id."""
    if resource_id.startswith("arn:") and "/" in resource_id:
        parts = resource_id.split(":", 5)[-1].split("/")
        if parts[0] in ("loadbalancer", "targetgroup") and len(parts) >= 3:
            return parts[2] if parts[1] in ("net", "app") else parts[1]
        if parts[0] == "listener" and len(parts) >= 5:  # listener/net/<lb name>/<lb id>/<id>
            return f"on load balancer {parts[2]}"
    return resource_id


def describe_created(kind: str, resource_id: str) -> str:
    """One plain line for a created resource: 'Load balancer plw-orders (arn:…)'."""
    words = KIND_WORDS.get(kind, kind.replace("-", " ").capitalize())
    short = short_name(resource_id)
    return f"{words}: {short} ({resource_id})" if short != resource_id else f"{words}: {resource_id}"


class ErrorPanel(QFrame):
    retry_requested = Signal()
    continue_later_requested = Signal()
    remove_requested = Signal()

    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPanel")
        styled(self, "error-panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._redactor = redactor
        self._error: Any = None
        self._existing: list[str] | None = None  # None: a plain error, no recovery offered
        self._label = QLabel()
        self._label.setObjectName("errorText")
        self._label.setWordWrap(True)
        set_by_name(self._label, textFormat="RichText", textInteractionFlags="TextSelectableByMouse")

        self.retry_button = QPushButton("&Retry")
        self.retry_button.setObjectName("retry")
        self.retry_button.setToolTip("Run the step again; what already exists is reused, not duplicated.")
        self.retry_button.clicked.connect(self.retry_requested)
        self.later_button = QPushButton("Continue &later")
        self.later_button.setObjectName("continueLater")
        self.later_button.setToolTip("Keep everything as it is and close; the wizard offers to resume.")
        self.later_button.clicked.connect(self.continue_later_requested)
        self.remove_button = QPushButton("Re&move what was created…")
        self.remove_button.setObjectName("removeCreated")
        self.remove_button.setToolTip("Delete what the wizard created for this link (asks first).")
        self.remove_button.clicked.connect(self.remove_requested)
        self._buttons = QWidget()
        row = QHBoxLayout(self._buttons)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.retry_button, self.later_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        layout.addWidget(self._buttons)
        redactor.changed.connect(self._render)
        self.setVisible(False)

    def show_error(self, error: Any) -> None:
        """`error` is a UserError (what / why / fix / permission / step)."""
        self._error = error
        self._existing = None
        self._render()

    def show_partial(self, error: Any, existing: Sequence[str]) -> None:
        """A create step failed: show the error, what exists now (plain lines, [] = nothing)
        and the Retry / Continue later / Remove buttons (Remove only when something exists)."""
        self._error = error
        self._existing = list(existing)
        self._render()

    def clear(self) -> None:
        self._error = None
        self._existing = None
        self._render()

    def error(self) -> Any:
        return self._error

    def existing(self) -> list[str]:
        return list(self._existing or [])

    def text(self) -> str:
        """The plain text shown (what tests and screen readers get)."""
        if self._error is None:
            return ""
        text = self._redactor(self._error.paragraph())
        if self._existing is not None:
            text += "\n" + self._redactor(self._existing_text())
        return text

    def _existing_text(self) -> str:
        if not self._existing:
            return "Nothing was created in your AWS account."
        return "What exists now in your AWS account:\n" + "\n".join(f"• {x}" for x in self._existing)

    def _render(self) -> None:
        err = self._error
        if err is None:
            self._label.clear()
            self.setVisible(False)
            return
        what = f"{err.step}: {err.what}" if err.step else err.what
        parts = [f"<b>{escape(self._redactor(what))}</b>"]
        if err.why:
            parts.append(f"<b>Why:</b> {escape(self._redactor(err.why))}")
        if err.fix:
            parts.append(f"<b>What to do:</b> {escape(self._redactor(err.fix))}")
        html = "<br>".join(parts)
        if self._existing is not None:
            if self._existing:
                items = "".join(f"<li>{escape(self._redactor(x))}</li>" for x in self._existing)
                html += (
                    "<p><b>What exists now in your AWS account</b> (saved in the link's progress, "
                    f"nothing is lost):</p><ul>{items}</ul>"
                )
            else:
                html += "<p><b>Nothing was created</b> in your AWS account.</p>"
            remove = "<i>Remove what was created</i> deletes it (you are asked first)."
            html += (
                "<p><i>Retry</i> runs the step again and reuses what exists. <i>Continue later</i> "
                "keeps everything and closes; next time the wizard offers to resume. "
                + (remove if self._existing else "")
                + "</p>"
            )
        self._label.setText(html)
        self._label.setAccessibleDescription(self.text())
        self._buttons.setVisible(self._existing is not None)
        self.remove_button.setVisible(bool(self._existing))
        self.setVisible(True)
