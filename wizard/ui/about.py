"""The About box: name, version, licence, links."""

from __future__ import annotations

import platform

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from wizard import APP_NAME, __version__

HOMEPAGE = "https://github.com/privatelink-wizard/privatelink-wizard"
PRIVATELINK_DOCS = "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-share-your-services.html"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        layout = QVBoxLayout(self)
        self.text = QLabel(
            f"<h2>{APP_NAME}</h2>"
            f"<p>Version {__version__}</p>"
            "<p>Exposes an AWS-hosted database to a data platform over AWS PrivateLink, "
            "step by step, without the AWS console.</p>"
            "<p>Licensed under the Apache License, Version 2.0.<br>"
            "Built with Qt for Python (PySide6, LGPLv3), boto3 (Apache 2.0) and moto "
            "(Apache 2.0, for the demo sandbox).</p>"
            f'<p><a href="{HOMEPAGE}">Project home</a> · '
            f'<a href="{PRIVATELINK_DOCS}">AWS PrivateLink documentation</a></p>'
            f"<p><small>Python {platform.python_version()} · Qt {qVersion()} · "
            f"{platform.system()} {platform.machine()}</small></p>"
        )
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setOpenExternalLinks(True)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
