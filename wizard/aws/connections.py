"""Connection requests to the endpoint service: list them, accept the platform's, reject others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.errors import UserError, bad_input

# States in which an endpoint is (or may become) attached to the service.
OPEN_STATES = frozenset({"pendingAcceptance", "pending", "available"})


@dataclass(frozen=True)
class Connection:
    endpoint_id: str  # vpce-…: the consumer's interface endpoint
    owner_account: str  # the consumer's AWS account id
    # pendingAcceptance | pending | available | rejected | failed | deleting | deleted | expired
    state: str
    created_at: datetime | None = None
    dns_names: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.state == "pendingAcceptance"


def _connection(item: dict[str, Any]) -> Connection:
    created = item.get("CreationTimestamp")
    return Connection(
        endpoint_id=item.get("VpcEndpointId", ""),
        owner_account=str(item.get("VpcEndpointOwner", "")),
        state=item.get("VpcEndpointState", ""),
        created_at=created if isinstance(created, datetime) else None,
        dns_names=tuple(e["DnsName"] for e in item.get("DnsEntries", []) if e.get("DnsName")),
    )


def list_connections(aws: AwsContext, service_id: str) -> list[Connection]:
    """Every endpoint connection of the service, oldest first."""
    with aws_step("Listing connection requests", "ec2:DescribeVpcEndpointConnections"):
        pages = aws.ec2.get_paginator("describe_vpc_endpoint_connections").paginate(
            Filters=[{"Name": "service-id", "Values": [service_id]}]
        )
        items = [
            item
            for page in pages
            for item in page.get("VpcEndpointConnections", [])
            # The filter already narrows it; checking again costs nothing and guards the sandbox.
            if item.get("ServiceId", service_id) == service_id
        ]
    result = [_connection(i) for i in items]
    return sorted(result, key=lambda c: (c.created_at is None, c.created_at or datetime.min))


def _failure_text(error: dict[str, Any]) -> str:
    return str(error.get("Message") or error.get("Code") or "unknown error")


def _change(
    aws: AwsContext, service_id: str, endpoint_ids: Sequence[str], *, accept: bool
) -> list[Connection]:
    ids = list(dict.fromkeys(e.strip() for e in endpoint_ids if e.strip()))
    verb = "accept" if accept else "reject"
    if not ids:
        raise bad_input(
            f"No connection request was chosen to {verb}",
            "Pick a request from the list (its id starts with vpce-).",
        )
    step = "Accepting the connection request" if accept else "Rejecting the connection request"
    action = "ec2:AcceptVpcEndpointConnections" if accept else "ec2:RejectVpcEndpointConnections"
    with aws_step(step, action):
        call = aws.ec2.accept_vpc_endpoint_connections if accept else aws.ec2.reject_vpc_endpoint_connections
        reply = call(ServiceId=service_id, VpcEndpointIds=ids)
    failures = reply.get("Unsuccessful", [])
    if failures:
        details = "; ".join(
            f"{f.get('ResourceId', '?')}: {_failure_text(f.get('Error', {}))}" for f in failures
        )
        failed_ids = ", ".join(str(f.get("ResourceId", "?")) for f in failures)
        raise UserError(
            what=f"AWS could not {verb} {failed_ids}",
            why=f"{details}. The id may be mistyped, belong to another endpoint service, or the "
            "request may have been withdrawn or already handled.",
            fix="Refresh the list of connection requests and pick one that is shown as pending.",
            step=step,
            code=str(failures[0].get("Error", {}).get("Code", "")),
        )
    wanted = set(ids)
    return [c for c in list_connections(aws, service_id) if c.endpoint_id in wanted]


def accept_connections(aws: AwsContext, service_id: str, endpoint_ids: Sequence[str]) -> list[Connection]:
    """Accept the given requests; returns them as AWS now reports them."""
    return _change(aws, service_id, endpoint_ids, accept=True)


def reject_connections(aws: AwsContext, service_id: str, endpoint_ids: Sequence[str]) -> list[Connection]:
    """Reject the given requests (or cut off accepted ones); returns them as AWS reports them."""
    return _change(aws, service_id, endpoint_ids, accept=False)
