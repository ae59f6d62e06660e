"""Building a link in the in-process sandbox, and injecting the failures moto cannot produce."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard import diagnostics, steps
from wizard.aws import discovery
from wizard.aws.session import AwsContext, Identity, whoami
from wizard.consumers import load_consumer
from wizard.diagnostics import Finding, LinkStatus
from wizard.model import LinkPlan
from wizard.state import RecordStore

RIVERY = load_consumer("rivery")


def build_link(
    aws: AwsContext,
    source_id: str,
    name: str = "orders",
    port: int | None = None,
    subnet_ids: tuple[str, ...] | None = None,
    cross_zone: bool = True,
) -> steps.Link:
    """The whole chain through the allow-list, as `privatelink-wizard setup` leaves it."""
    source = discovery.find_data_source(aws, source_id)
    plan = LinkPlan(
        name=name,
        region=aws.region,
        source=source,
        port=port or source.port or 22,
        subnet_ids=subnet_ids or discovery.default_subnets(aws, source),
        consumer=RIVERY,
        principal=RIVERY.principal,
        cross_zone=cross_zone,
    )
    link = steps.open_link(aws, plan, whoami(aws).account_id)
    steps.run_setup(link)
    return link


def status_of(aws: AwsContext, name: str = "orders") -> LinkStatus:
    identity: Identity = whoami(aws)
    return diagnostics.link_status(aws, identity, name, RIVERY, RecordStore())


def finding(status: LinkStatus, starts: str) -> Finding:
    matches = [f for f in status.findings if f.title.startswith(starts)]
    assert matches, f"no finding starting {starts!r} in:\n{status.text()}"
    return matches[0]


def titles(status: LinkStatus) -> list[str]:
    return [f.title for f in status.findings]


def alter_response(
    client: Any, operation: str, change: Callable[[dict[str, Any]], None]
) -> Callable[[], None]:
    """Edit what AWS answers to `operation` before the engine reads it (moto cannot produce some
    states: unhealthy targets, NLB security-group enforcement). The engine's own code path runs
    unchanged on the edited answer. Returns a function that removes the edit."""
    service = client.meta.service_model.service_id.hyphenize()

    def edit(parsed: dict[str, Any], **_: Any) -> None:
        change(parsed)

    event = f"after-call.{service}.{operation}"
    client.meta.events.register(event, edit)
    return lambda: client.meta.events.unregister(event, edit)
