"""`privatelink-wizard status` and `list`: a link's health, and every link's state in a word."""

from __future__ import annotations

import argparse

from wizard.commands import context
from wizard.consumers import load_consumer
from wizard.state import RecordStore
from wizard.terminal import emit_json, say
from wizard.validators import (
    validate_link_name,
    validate_region,
)


def status(args: argparse.Namespace) -> int:
    from wizard import diagnostics

    validate_region(args.region)
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = context.connect(args)
    store, consumer = RecordStore(), load_consumer()
    names = [name] if name else diagnostics.link_names(aws, identity.account_id, store)
    reports = [diagnostics.link_status(aws, identity, n, consumer, store) for n in names]
    if args.report:
        path = diagnostics.write_report(args.report, aws, identity, reports)
        say(f"Report written to {path} (secrets removed).")
    if args.json:
        emit_json(
            {
                "account_id": identity.account_id,
                "region": aws.region,
                "links": [r.to_dict() for r in reports],
            }
        )
    elif not reports:
        print(f"No links found in {aws.region} for account {identity.account_id}.")
    else:
        for report in reports:
            print(report.text())
    return 1 if any(not r.healthy for r in reports) else 0


def list_links(args: argparse.Namespace) -> int:
    """`list`: every link here in a word (the home screen's words) and its next action."""
    from wizard import link_states

    validate_region(args.region)
    aws, identity = context.connect(args)
    states = link_states.list_links(aws, identity, load_consumer(), RecordStore())
    if args.json:
        emit_json(
            {
                "account_id": identity.account_id,
                "region": aws.region,
                "links": [s.to_dict() for s in states],
            }
        )
    else:
        print(link_states.text(states, aws.region, identity.account_id))
    return 0
