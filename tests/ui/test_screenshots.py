"""Render every page to PNG (the README's pictures): the demo flow for the MySQL database.

Writes to a temporary folder; to refresh the docs run
`PLW_SCREENSHOTS_DIR=docs/screenshots pytest tests/ui/test_screenshots.py`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from tests.ui.flow import run_flow

PAGES = (
    "01-credentials", "02-source", "03-nlb", "04-target-group", "05-endpoint-service",
    "06-allowlist", "07-service-name", "08-accept", "09-done",
)  # fmt: skip


def test_every_page_renders_to_png(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], tmp_path: Path
) -> None:
    folder = Path(os.environ.get("PLW_SCREENSHOTS_DIR") or tmp_path)
    window = open_window(sandbox_url)
    window.resize(1100, 900)
    run_flow(qtbot, window, "analytics-pg", shots=folder)
    for name in PAGES:
        image = QImage(str(folder / f"{name}.png"))
        assert not image.isNull(), name
        assert image.width() >= 1000 and image.height() >= 800, name
