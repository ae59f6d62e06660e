"""Page 7: the service name to give the platform, with a ready-to-send message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QFormLayout, QLabel, QPushButton

from wizard.checks import CheckRow
from wizard.ui.pages.base import BasePage
from wizard.ui.widgets.copy_field import CopyField
from wizard.ui.worker import tasks


class ServiceNamePage(BasePage):
    TITLE = "Send the service name"
    EXPLANATION = (
        "The platform needs this service name to request a private connection to your database. "
        "Send it, with the region, zone IDs and port, to the platform (the message below has "
        "everything). Zone IDs such as use1-az1 are the same in every account, unlike zone names."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.summary: Any = None
        self.service_name = CopyField(self.redactor, "&Copy")
        self.service_name.setObjectName("serviceName")
        self.details = QLabel()
        self.details.setObjectName("details")
        self.details.setWordWrap(True)
        self.message = CopyField(self.redactor, "Copy &message for the platform", large=False)
        self.message.setObjectName("message")
        self.save_button = QPushButton("Sa&ve summary…")
        self.save_button.clicked.connect(self.save_summary)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow("Service name:", self.service_name)
        form.addRow(self.details)
        form.addRow("Message for the platform:", self.message)
        form.addRow(self.save_button)
        form.setAlignment(self.save_button, Qt.AlignmentFlag.AlignLeft)
        self.body.addLayout(form)

    def initializePage(self) -> None:
        super().initializePage()
        self.refresh()

    def refresh(self) -> None:
        self.run_check(
            tasks.service_summary,
            self.state.link,
            pending=["Reading the service name…"],
            on_done=self._ready,
        )

    def _ready(self, summary: Any) -> None:
        self.summary = summary
        self.service_name.set_value(summary.service_name)
        self.details.setText(
            self.redactor(
                f"Region: {summary.region}    Zone IDs: {', '.join(summary.az_ids) or 'n/a'}    "
                f"Port: {summary.port}"
            )
        )
        self.message.set_value(summary.message)
        self.checklist.set_rows([CheckRow("service", True, "The endpoint service is available")])

    def summary_text(self) -> str:
        return self.summary.message if self.summary is not None else ""

    def save_summary(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the summary", f"{self.state.link_name or 'privatelink'}.txt", "Text (*.txt)"
        )
        if path:
            Path(path).write_text(self.summary_text() + "\n", encoding="utf-8")
            self.set_status(f"Saved to {path}")

    def page_ready(self) -> bool:
        return self.summary is not None
