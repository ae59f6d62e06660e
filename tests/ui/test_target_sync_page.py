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


def test_the_demo_shows_the_sync_repairing_a_failover_with_no_click(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    from wizard.sandbox.eventbridge import SimulatedEventBridge

    window = open_window(sandbox_url)  # the demo's window (demo=True)
    p = _to_target_group(qtbot, window, "plw-gui-sync")
    assert p.sync.isChecked()
    create(qtbot, window)
    assert "privatelink-wizard-sync-plw-gui-sync" in _functions(sandbox_url)
    # The demo's sandbox runs EventBridge (schedules, RDS events) on its timing; here, every 0.2 s.
    bridge = SimulatedEventBridge(sandbox_url, interval=0.2)
    bridge.start()
    try:
        window.failover_action.trigger()
        qtbot.waitUntil(lambda: "its address moved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.health is not None and window.health.isVisible(), timeout=WAIT_MS)
        view = window.health.view

        def repaired() -> bool:
            titles = [f.title for f in view.findings()]
            return (
                "The target sync keeps the load balancer on the database's address" in titles
                and not any("fails the health checks" in t or "still registered" in t for t in titles)
                and not any("out of date" in t for t in titles)
            )

        qtbot.waitUntil(repaired, timeout=WAIT_MS)  # no click: the window checks again by itself
        assert ("privatelink-wizard-sync-plw-gui-sync", "RDS-EVENT-0049") in bridge.runs
    finally:
        bridge.stop()
        if window.health is not None:
            window.health.close()
