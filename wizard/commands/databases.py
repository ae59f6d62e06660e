"""`privatelink-wizard add` and `remove`: one more database behind an existing link (its own
target group and listener port), or one database less (the others keep working)."""

from __future__ import annotations

import argparse
import dataclasses

from wizard.aws import discovery
from wizard.commands import context
from wizard.errors import bad_input
from wizard.state import RecordStore
from wizard.steps import database_fixes, databases
from wizard.terminal import confirm, emit_json, say
from wizard.validators import validate_link_name, validate_port, validate_region, validate_source_id


def add(args: argparse.Namespace) -> int:
    # Everything that can be checked without AWS is checked first: bad input creates nothing.
    validate_region(args.region)
    name = validate_link_name(args.name)
    validate_source_id(args.source)
    listener_port = validate_port(args.listener_port) if args.listener_port is not None else None
    port = validate_port(args.port) if args.port is not None else None
    consumer, _ = context.consumer_and_principal(args)
    aws, identity = context.connect(args)
    source = discovery.find_data_source(aws, args.source)
    if port is not None:
        source = dataclasses.replace(source, port=port)
    elif source.port is None:
        raise bad_input(
            f"{source.id} is an EC2 server, so the wizard cannot guess its port",
            "Add --port: the database's port (3306, 5432, …) or 22 for an SSH tunnel host.",
        )
    store = RecordStore()
    plan = databases.plan_add_database(aws, store, identity.account_id, name, source, listener_port)
    if plan.refusal is not None:
        raise plan.refusal
    say(
        f"Adding {source.kind.label} {source.id} (port {source.port}) to the link '{name}' in "
        f"{aws.region}: the platform will reach it on port {plan.listener_port}."
    )
    for item in plan.preview:
        say(f"  - {item.line()}")
    for row in plan.checks:
        # The firewall rule is made by add itself (in the preview); the rest is the DBA's to fix.
        if (not row.ok or row.warning) and row.key != "security-group":
            mark = "!" if row.ok or not row.required else "✖"
            say(f"  {mark} {row.label}: {row.reason}" + (f"\n      Fix: {row.fix}" if row.fix else ""))
    confirm("Go ahead?", args.yes)
    added = databases.add_database(
        aws,
        store,
        identity.account_id,
        name,
        source,
        consumer,
        plan.listener_port,
        lambda m: say(f"  {m}"),
        context.LOCK_WAIT_SECONDS,
    )
    summary = database_fixes.link_summary(aws, store, identity.account_id, name, consumer)
    if args.json:
        emit_json(
            {"name": name, "database": dataclasses.asdict(added)}
            | {"message": summary.message if summary else ""}
        )
        return 0
    print(f"Added {source.id} to the link '{name}': the platform connects on port {added.listener_port}.")
    if summary is not None:
        print("\nSend this to the platform (the message lists every database now):\n" + summary.message)
    return 0


def remove(args: argparse.Namespace) -> int:
    validate_region(args.region)
    name = validate_link_name(args.name)
    validate_source_id(args.source)
    aws, identity = context.connect(args)
    store = RecordStore()
    record = context.saved_record(identity.account_id, aws.region, name)
    found = databases.link_databases(aws, name, record)
    gone = next((d for d in found if d.source_id == args.source), None)
    if gone is not None and len(found) > 1:
        say(f"Removing {gone.source_id} from the link '{name}'; its other databases keep working:")
        say(f"  - Will remove: the TCP listener on port {gone.listener_port or 'n/a'}")
        say(f"  - Will remove: the target group '{gone.target_group_name}'")
        say("  - Will remove: the firewall rules the wizard added for it, and its health alarm")
        say("  - Will change: the target sync (it stops keeping this database's targets), if any")
        confirm("Go ahead?", args.yes)
    # Otherwise remove_database refuses, saying why (not on the link, or its only database).
    removed = databases.remove_database(
        aws, store, identity.account_id, name, args.source, lambda m: say(f"  {m}"), context.LOCK_WAIT_SECONDS
    )
    left = [d.source_id for d in found if d.source_id != args.source]
    if args.json:
        emit_json({"name": name, "removed": removed, "databases": left})
        return 0
    print(f"Removed {args.source} from the link '{name}' ({len(removed)} resource(s)).")
    print(f"Still on the link: {', '.join(left)}. Tell the platform it can drop that database's port.")
    return 0
