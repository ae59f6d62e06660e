"""The demo at its visible timing (issue 15): the load balancer provisions for seconds, the
endpoint service is Pending and the targets' health checks take their time, and the whole flow
still goes from sign-in to an accepted connection, the pages waiting where AWS makes them wait."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.flow import run_flow
from wizard import steps
from wizard.sandbox import timing
from wizard.sandbox.server import Sandbox
from wizard.ui.page_ids import PageId


@pytest.fixture
def demo_sandbox() -> Iterator[str]:
    sandbox = Sandbox(consumer_delay=0.5, consumer_interval=0.2, timing=timing.DEMO_SCALE)
    try:
        yield sandbox.start(port=0, seeded=True, consumer=True)
    finally:
        sandbox.stop()
        timing.set_scale(timing.INSTANT)


def test_the_demo_flow_finishes_at_the_demos_visible_timing(
    open_window: Any, qtbot: Any, demo_sandbox: str, no_dialogs: list[str]
) -> None:
    window = open_window(demo_sandbox)
    link = run_flow(qtbot, window, "analytics-pg")
    assert link.record.accepted_endpoint_ids
    # The load balancer page went on while AWS (the sandbox) was still starting it ...
    nlb_page = window.wizard.page_of(PageId.NLB)
    assert "(provisioning)" in nlb_page.status.text()
    # ... and the targets, still being checked when the flow passed them, become healthy.
    qtbot.waitUntil(lambda: [t.state for t in steps.target_health(link)] == ["healthy"], timeout=30000)
