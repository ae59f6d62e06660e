"""Issue 20 (3) in the window: the Done page's "Export as Terraform…" asks for a folder, writes
the link's Terraform files into `<folder>/<link>-terraform` off the GUI thread, and says where;
a second export into the same place is refused (the files are not overwritten). At 1024×640
the button shows its whole text. (The home screen's button: test_terraform_export_home.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QScrollArea

from tests.export.conftest import parse
from tests.ui.flow import run_flow


def test_done_page_exports_the_link_as_terraform(
    open_window: Any,
    qtbot: Any,
    sandbox_url: str,
    no_dialogs: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(sandbox_url)
    window.resize(1024, 640)
    link = run_flow(qtbot, window, "orders-mysql", fixes=[])
    done = window.wizard.currentPage()
    asked: list[str] = []

    def choose(_parent: Any, caption: str, *_: Any, **__: Any) -> str:
        asked.append(caption)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose)
    button = done.terraform_button
    scroll = done.findChild(QScrollArea)
    if scroll is not None:
        scroll.ensureWidgetVisible(button)
    assert button.isVisible() and button.width() >= button.sizeHint().width()  # not cut short
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked and link.record.name in asked[0]

    folder = tmp_path / f"{link.record.name}-terraform"
    qtbot.waitUntil(lambda: "Wrote" in done.status.text(), timeout=60000)
    assert str(folder) in done.status.text() and "terraform init" in done.status.text()
    parsed = parse(folder)
    assert parsed.imports["aws_lb.link"] == link.record.nlb_arn
    assert parsed.imports["aws_vpc_endpoint_service.link"] == link.record.endpoint_service_id

    # Again into the same place: refused, nothing overwritten.
    (folder / "main.tf").write_text("# the team's edits\n")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(done.error_panel.isVisible, timeout=60000)
    assert "is not empty" in done.error_panel.text() and "Choose another folder" in done.error_panel.text()
    assert "--force" not in done.error_panel.text()  # words for the window, not the command line
    assert (folder / "main.tf").read_text() == "# the team's edits\n"
