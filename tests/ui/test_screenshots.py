"""Render every page to PNG (the README's pictures): the demo flow for the MySQL database on a
1024×640 laptop window; the Done page again at 200 % scale (a 2048×1280 window); two pages in a
dark palette.

Writes to a temporary folder; to refresh the docs run
`PLW_SCREENSHOTS_DIR=docs/screenshots pytest tests/ui/test_screenshots.py`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.ui.flow import run_flow
from tests.ui.in_child import run_test_in_child
from tests.ui.palettes import dark_palette

PAGES = (
    "01-credentials", "02-source", "03-nlb", "04-target-group", "05-endpoint-service",
    "06-allowlist", "07-service-name", "08-accept", "09-done",
)  # fmt: skip
WIDTH, HEIGHT = 1024, 640
SOURCE = "orders-mysql"  # the flow with the most to show: firewall and MySQL checks, a reboot warning
# What the two child renderings add: (environment, picture taken, its name in the docs).
SCALED = ({"QT_SCALE_FACTOR": "2"}, "09-done", "13-done-200-percent")
DARK = (
    {"PLW_SCREENSHOTS_DARK": "1"},
    ("04-target-group", "08-accept"),
    ("14-dark-target-group", "15-dark-accept"),
)


def _folder(tmp_path: Path) -> Path:
    return Path(os.environ.get("PLW_SCREENSHOTS_DIR") or tmp_path)


def test_every_page_renders_to_png(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    if os.environ.get("PLW_SCREENSHOTS_DARK"):
        # Set before the window is made, as a desktop's dark theme would be (this process only).
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    window = open_window(sandbox_url)
    window.resize(WIDTH, HEIGHT)
    qtbot.waitUntil(lambda: window.height() == HEIGHT)
    run_flow(qtbot, window, SOURCE, shots=folder)
    scale = float(os.environ.get("QT_SCALE_FACTOR") or 1)
    for name in PAGES:
        image = QImage(str(folder / f"{name}.png"))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (round(WIDTH * scale), round(HEIGHT * scale)), name


def _render_in_child(extra_env: dict[str, str], into: Path) -> None:
    """The same rendering in a fresh process: the scale factor and the desktop's palette are
    read as an application starts."""
    test = f"{Path(__file__)}::test_every_page_renders_to_png"
    run_test_in_child(test, {"PLW_SCREENSHOTS_DIR": str(into), **extra_env})


IN_CHILD = bool(os.environ.get("PLW_SCREENSHOTS_DARK") or os.environ.get("QT_SCALE_FACTOR"))


@pytest.mark.skipif(IN_CHILD, reason="the child renders the pages only")
@pytest.mark.skipif(
    not os.environ.get("PLW_SCREENSHOTS_DIR"),
    reason="two more runs of the flow, for the docs only (test_fit and test_palette check the 200 % "
    "layout and the dark colours)",
)
def test_done_at_200_percent_and_two_pages_in_a_dark_palette(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    env, taken, name = SCALED
    _render_in_child(env, tmp_path / "scaled")
    shutil.copyfile(tmp_path / "scaled" / f"{taken}.png", folder / f"{name}.png")
    assert QImage(str(folder / f"{name}.png")).width() == WIDTH * 2
    env, pages, names = DARK
    _render_in_child(env, tmp_path / "dark")
    for taken_page, dark_name in zip(pages, names, strict=True):
        shutil.copyfile(tmp_path / "dark" / f"{taken_page}.png", folder / f"{dark_name}.png")
        assert _mean_lightness(QImage(str(folder / f"{dark_name}.png"))) < 100, dark_name


def _mean_lightness(image: QImage) -> float:
    points = [(x * image.width() // 20, y * image.height() // 20) for x in range(20) for y in range(20)]
    return sum(image.pixelColor(x, y).lightness() for x, y in points) / len(points)
