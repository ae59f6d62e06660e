"""Issue 20 (3) from the home screen: "Export as Terraform…" writes the selected link's Terraform
files into `<chosen folder>/<link>-terraform` on a worker and says where; at 1024×640 the button
shows its whole text. (A module of its own: its sandbox must not share moto with another's.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.export.conftest import parse
from tests.ui.flow import WAIT_MS, signed_in_home
from wizard.cli import main


def test_home_screen_exports_the_selected_link(
    home_window: Any,
    qtbot: Any,
    quiet_sandbox: Any,
    capsys: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    where = ["--region", "us-east-1", "--endpoint-url", quiet_sandbox.endpoint_url]
    assert main(["setup", *where, "--yes", "--fix", "--source", "analytics-pg", "--name", "plw-home-tf"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(tmp_path))
    window = home_window(quiet_sandbox.endpoint_url)
    view = signed_in_home(qtbot, window).view
    qtbot.waitUntil(lambda: len(view.links) == 1 and not view.busy, timeout=WAIT_MS)
    assert view.terraform_button.isVisible() and view.terraform_button.isEnabled()
    assert view.terraform_button.width() >= view.terraform_button.sizeHint().width()  # at 1024×640
    view.terraform_button.click()
    qtbot.waitUntil(lambda: not view.busy and "Wrote" in view.status.text(), timeout=WAIT_MS)
    folder = tmp_path / "plw-home-tf-terraform"
    assert str(folder) in view.status.text()
    assert "aws_lb.link" in parse(folder).imports
