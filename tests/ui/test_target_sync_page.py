"""Issue 17 (1): the target group page offers the target sync by default, with its cost in the
preview, and a checkbox that leaves it out."""

from __future__ import annotations

from typing import Any

import boto3

from tests.ui.flow import WAIT_MS, create, next_page, wait_settled
from wizard.ui.app import MainWindow
from wizard.ui.page_ids import PageId


def _to_target_group(qtbot: Any, window: MainWindow, link_name: str) -> Any:
    wait_settled(qtbot, window)
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    p.select("orders-mysql")
    p = next_page(qtbot, window, PageId.NLB)
    wait_settled(qtbot, window)
    p.name.setText(link_name)
    create(qtbot, window)
    next_page(qtbot, window, PageId.TARGET_GROUP)
    return wait_settled(qtbot, window)


def _functions(url: str) -> list[str]:
    lam = boto3.client("lambda", region_name="us-east-1", endpoint_url=url)
    return [f["FunctionName"] for f in lam.list_functions()["Functions"]]


def test_the_checkbox_offers_the_sync_and_leaves_it_out(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    window = open_window(sandbox_url)
    p = _to_target_group(qtbot, window, "plw-gui-nosync")
    assert p.sync.isVisible() and p.sync.isChecked()
    lines = [item.line() for item in p.preview.items()]
    offer = next(line for line in lines if "target sync" in line)
    assert offer.startswith("Will create") and "effectively free" in offer and "8,760" in offer

    p.sync.setChecked(False)  # the user opts out: the preview no longer offers it
    qtbot.waitUntil(lambda: not any("target sync" in i.line() for i in p.preview.items()), timeout=WAIT_MS)
    create(qtbot, window)
    assert "privatelink-wizard-sync-plw-gui-nosync" not in _functions(sandbox_url)
    assert not p.sync.isEnabled()  # made (or not) with the step; setup --no-sync removes it later
