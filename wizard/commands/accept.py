"""`privatelink-wizard accept`: accept the platform's connection request, waiting for it if asked."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from wizard import hostnames
from wizard.aws import connections, endpoint_service
from wizard.aws.polling import Patience
from wizard.aws.polling import wait_until as poll
from wizard.commands import context
from wizard.errors import EXIT_TIMEOUT, UserError, bad_input
from wizard.state import RecordStore
from wizard.steps import (
    accept_on_service,
)
from wizard.terminal import emit_json, say
from wizard.validators import (
    principal_account,
    validate_link_name,
    validate_region,
    validate_service_id,
)


def accept(args: argparse.Namespace) -> int:
    validate_region(args.region)
    _, principal = context.consumer_and_principal(args)
    service_id = validate_service_id(args.service) if args.service is not None else ""
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = context.connect(args)
    if name:
        service = endpoint_service.find_endpoint_service(aws, name)
        if service is None:
            raise bad_input(
                f"No endpoint service found for the link '{name}' in {aws.region}",
                "Run `privatelink-wizard setup` first, or check --name and --region.",
            )
        service_id = service.id
    owner = principal_account(principal)

    def platforms(state: str) -> list[connections.Connection]:
        return [
            c
            for c in connections.list_connections(aws, service_id)
            if c.state == state and (c.owner_account == owner or c.endpoint_id in args.endpoint)
        ]

    # Accepted already (by an earlier run, the window or the console): say so, wait for nothing.
    already = [] if platforms("pendingAcceptance") else platforms("available")
    if args.wait and not already:
        say(f"Waiting up to {args.wait:g} s for a connection request from account {owner}…")
    todo = (
        []
        if already
        else _wait_until(
            lambda: platforms("pendingAcceptance"),
            args.wait,
            2.0,
            f"a connection request from account {owner}",
        )
    )
    others = [
        c
        for c in connections.list_connections(aws, service_id)
        if c.state == "pendingAcceptance" and c not in todo
    ]
    for c in others:
        say(
            f"  ! Not accepting {c.endpoint_id}: it comes from account {c.owner_account}, not "
            f"the platform's ({owner}). Add --endpoint {c.endpoint_id} if you expect it."
        )
    accepted = (
        accept_on_service(
            aws,
            service_id,
            [c.endpoint_id for c in todo],
            RecordStore(),
            identity.account_id,
            name,
            wait=context.LOCK_WAIT_SECONDS,
        )
        if todo
        else []
    )
    saved = context.saved_record(identity.account_id, aws.region, name) if name else None
    port = saved.port if saved else 0
    if args.json:
        emit_json(
            {
                "service_id": service_id,
                "port": port,
                "accepted": [c.__dict__ for c in accepted],
                "already_accepted": [c.__dict__ for c in already],
                "not_accepted": [c.__dict__ for c in others],
            }
        )
    elif accepted:
        for c in accepted:
            print(f"Accepted {c.endpoint_id} from account {c.owner_account}: {c.state}")
            _print_hostnames(c, port)
    elif already:
        for c in already:
            print(
                f"Already accepted: {c.endpoint_id} from account {c.owner_account} is {c.state}; "
                "nothing to do."
            )
            _print_hostnames(c, port)
    else:
        print(
            f"No pending request from account {owner} on {service_id} yet. Ask the platform "
            "to create the endpoint, then run this again (or use --wait 600)."
        )
    return 0


def _print_hostnames(connection: connections.Connection, port: int) -> None:
    """The names the platform will connect to, as AWS gave them to the endpoint."""
    for line in hostnames.lines(connection.dns_names, port):
        print(f"  {line}")


def _wait_until(probe: Callable[[], Any], seconds: float, interval: float, what: str) -> Any:
    """Poll probe() every `interval` s until it returns something truthy; UserError (exit 3)
    after `seconds` (0: look once, and return what it gives)."""
    if seconds <= 0:
        return probe()
    timed_out = UserError(
        what=f"Timed out after {seconds:g} s waiting for {what}",
        fix="Run the command again later (it is safe to repeat).",
        exit_code=EXIT_TIMEOUT,
    )
    every = Patience(timeout=seconds, shortest=interval, longest=interval)
    return poll(probe, bool, every, lambda _: timed_out)
