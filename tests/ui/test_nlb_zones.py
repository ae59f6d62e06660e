"""The load balancer page says which zones it leaves out and why, and marks the subnets a load
balancer cannot use (here: a zone the sandbox reports as constrained)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.flow import next_page, page, wait_settled
from wizard.sandbox import ec2_model
from wizard.ui.page_ids import PageId


@pytest.fixture
def zone_c_constrained(sandbox_url: str) -> Iterator[None]:
    from moto.ec2.models import ec2_backends

    backend = ec2_backends["123456789012"]["us-east-1"]
    ec2_model.set_zone_state(backend, "us-east-1c", "constrained")
    try:
        yield
    finally:
        ec2_model.set_zone_state(backend, "us-east-1c", "available")  # the sandbox is shared


def test_the_nlb_page_shows_the_zones_it_leaves_out(
    open_window: Any, qtbot: Any, sandbox_url: str, zone_c_constrained: None
) -> None:
    window = open_window(sandbox_url)
    wait_settled(qtbot, window)
    next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    page(window).select("orders-mysql")
    window.state.link_name = "plw-zones-test"  # not a link other tests built in the shared sandbox
    next_page(qtbot, window, PageId.NLB)
    p = wait_settled(qtbot, window)

    row = p.checklist.row("left-out-zones")
    assert row is not None and row.warning and not row.required
    assert "us-east-1c" in row.reason and "constrained" in row.reason
    items = [p.subnets.item(i) for i in range(p.subnets.count())]
    marked = [i for i in items if "us-east-1c" in i.text()]
    assert len(marked) == 1 and "cannot be used" in marked[0].text()
    assert marked[0].checkState() == Qt.CheckState.Unchecked
    assert p.action_button.isEnabled()  # a warning does not block creating the load balancer
