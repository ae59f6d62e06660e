"""Issue 17 (2, 3) in the window: the allow-list page's optional alerts (off by default, with
their cost) drive the same engine operation as `setup --notify`, and the Done page shows the
hostname the platform will use, with the port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from tests.ui.flow import WAIT_MS, create, next_page, page, shoot, wait_settled
from wizard.ui.page_ids import PageId

SHOTS = Path("/tmp/alerts-shots")


def test_alerts_on_the_allowlist_page_and_the_hostname_on_done(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    window = open_window(sandbox_url)
    wait_settled(qtbot, window)
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    p.select("orders-mysql")
    next_page(qtbot, window, PageId.NLB)
    create(qtbot, window)
    next_page(qtbot, window, PageId.TARGET_GROUP)
    create(qtbot, window)
    next_page(qtbot, window, PageId.ENDPOINT_SERVICE)
    create(qtbot, window)
    p = next_page(qtbot, window, PageId.ALLOWLIST)
    wait_settled(qtbot, window)

    box = p.alerts
    assert not box.enabled.isChecked()  # off by default
    assert "US$0.10 a month" in box.note.text() and "1,000 e-mails" in box.note.text()
    assert not box.button.isEnabled()
    box.enabled.setChecked(True)
    box.address.setText("dba@example.com")
    assert not box.button.isEnabled()  # nothing to watch before the platform is allowed
    shoot(window, SHOTS, "allowlist-alerts", qtbot)
    create(qtbot, window)  # Allow; the alerts asked for follow at once
    qtbot.waitUntil(lambda: box.result.isVisible() and not p.busy, timeout=WAIT_MS)
    assert not p.error_panel.isVisible(), p.error_panel.text()
    assert "E-mail to dba@example.com" in box.result.text()
    name = window.state.link.record.name
    assert window.state.link.record.alert_email == "dba@example.com"
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=sandbox_url)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[f"{name}-no-healthy-database"])["MetricAlarms"]
    assert alarm["Threshold"] == 1.0
    assert box.button.isEnabled()  # pressing again updates them (another address, say)
    shoot(window, SHOTS, "allowlist-alerts-on", qtbot)

    p = next_page(qtbot, window, PageId.SERVICE_NAME)
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    p = next_page(qtbot, window, PageId.ACCEPT)
    qtbot.waitUntil(
        lambda: any(c.pending and c.owner_account == p.expected_owner for c in p.connections),
        timeout=WAIT_MS,
    )
    pending = next(c for c in p.connections if c.pending)
    p.table.findChild(object, f"accept-{pending.endpoint_id}").click()
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    p = next_page(qtbot, window, PageId.DONE)
    qtbot.waitUntil(p.hostnames.isVisible, timeout=WAIT_MS)
    text = p.hostnames.text()
    assert f"{pending.endpoint_id}-" in text and ".vpce.amazonaws.com</code>, port 3306" in text
    assert "per zone:" in text
    shoot(window, SHOTS, "done-hostnames", qtbot)
    assert page(window) is p
