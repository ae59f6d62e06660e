"""Issue 20 (2): where the platform does not connect from the link's region, the endpoint service
page offers its nearest region (pre-ticked, with the cost in the preview); the service is made
available there, the message to the platform names it, and the Done page says so."""

from __future__ import annotations

from typing import Any

import boto3

from tests.ui.flow import WAIT_MS, create, next_page, page, wait_settled
from wizard.consumers import Consumer
from wizard.ui.app import MainWindow
from wizard.ui.page_ids import PageId

# A platform that connects from Oregon and Dublin, not from the sandbox's us-east-1.
ACME = Consumer("acme", "Acme", "arn:aws:iam::012922587834:root", ("eu-west-1", "us-west-2"), "Acme support")


def _to_endpoint_service(qtbot: Any, window: MainWindow, link_name: str) -> Any:
    wait_settled(qtbot, window)
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    p.select("orders-mysql")
    p = next_page(qtbot, window, PageId.NLB)
    wait_settled(qtbot, window)
    p.name.setText(link_name)
    create(qtbot, window)
    p = next_page(qtbot, window, PageId.TARGET_GROUP)
    wait_settled(qtbot, window)
    p.sync.setChecked(False)  # not what this test is about
    create(qtbot, window)
    next_page(qtbot, window, PageId.ENDPOINT_SERVICE)
    return wait_settled(qtbot, window)


def _lines(p: Any) -> list[str]:
    return [item.line() for item in p.preview.items()]


def test_the_platforms_nearest_region_is_offered_with_its_cost_and_named_to_the_platform(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    window = open_window(sandbox_url)
    window.state.consumer = ACME
    # The sign-in page already says where the platform connects from, and what the wizard offers.
    row = page(window)._region_row("us-east-1")
    assert row.ok and row.warning and "offers the service in us-west-2, its nearest region" in row.reason
    p = _to_endpoint_service(qtbot, window, "plw-gui-xregion")
    assert p.cross_region.isVisible() and p.cross_region.isChecked()
    assert p.other_region.currentData() == "us-west-2"  # nearer to us-east-1 than eu-west-1
    assert p.other_region.itemText(0) == "us-west-2 (nearest)"
    assert "costs about $0.02 per GB (inter-region data transfer)" in p.region_note.text()
    lines = _lines(p)
    assert "Will change: Offer the endpoint service in us-west-2 too (the platform connects from it)" in lines
    assert any(
        line.startswith("Will cost: about $0.02 per GB of traffic between us-east-1 and us-west-2")
        for line in lines
    )

    p.cross_region.setChecked(False)  # declined: nothing cross-region is previewed, and the note says why
    qtbot.waitUntil(lambda: not any("Will cost" in line for line in _lines(p)), timeout=WAIT_MS)
    assert "ask Acme support to enable us-east-1" in p.region_note.text()
    p.cross_region.setChecked(True)
    qtbot.waitUntil(lambda: any("Will cost" in line for line in _lines(p)), timeout=WAIT_MS)
    create(qtbot, window)

    record = window.state.link.record
    assert record.consumer_regions == ["us-west-2"]
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox_url)
    config = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[record.endpoint_service_id])
    assert [r["Region"] for r in config["ServiceConfigurations"][0]["SupportedRegions"]] == [
        "us-east-1",
        "us-west-2",
    ]
    assert not p.cross_region.isEnabled()  # made with the step; a re-run of setup changes it
    assert "(also in us-west-2)" in p.status.text()

    next_page(qtbot, window, PageId.ALLOWLIST)
    create(qtbot, window)
    p = next_page(qtbot, window, PageId.SERVICE_NAME)
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    assert "Connect from region us-west-2 (cross-region)" in p.summary_text()
    p = next_page(qtbot, window, PageId.ACCEPT)
    qtbot.waitUntil(lambda: any(c.pending for c in p.connections), timeout=WAIT_MS)
    pending = next(c for c in p.connections if c.pending)
    p.table.findChild(object, f"accept-{pending.endpoint_id}").click()
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    p = next_page(qtbot, window, PageId.DONE)
    wait_settled(qtbot, window)
    assert "Acme connects from <b>us-west-2</b> (cross-region)" in p.next_steps.text()
    assert "Also offered in us-west-2 (cross-region)" in p.summary_text()
