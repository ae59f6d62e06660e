"""`privatelink-wizard teardown`: remove everything the wizard created for a link."""

from __future__ import annotations

import argparse

from wizard.aws import teardown as td
from wizard.commands import context
from wizard.errors import bad_input
from wizard.state import RecordStore
from wizard.steps import (
    remove_link,
)
from wizard.terminal import confirm, say
from wizard.validators import (
    validate_link_name,
    validate_region,
)


def teardown(args: argparse.Namespace) -> int:
    from wizard import diagnostics

    validate_region(args.region)
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = context.connect(args)
    if not name:
        names = diagnostics.link_names(aws, identity.account_id, RecordStore())
        if len(names) != 1:
            raise bad_input(
                "Say which link to remove" if names else f"No links found in {aws.region}",
                f"Add --name (links here: {', '.join(names)})." if names else "There is nothing to remove.",
            )
        name = names[0]
    record = context.saved_record(identity.account_id, aws.region, name)
    plan = td.plan_teardown(aws, name, record, context.platform_account(record))
    if not plan.resources:
        print(f"Nothing tagged for the link '{name}' exists in {aws.region}.")
        for left in plan.left:
            print(f"  ! {left.line()}")
        remove_link(aws, RecordStore(), identity.account_id, name, record, wait=context.LOCK_WAIT_SECONDS)
        return 0
    say(f"These resources of the link '{name}' will be deleted:")
    for res in plan.resources:
        say(f"  - {res.describe()}")
    for line in plan.connection_lines():
        say(f"  ! {line}.")
    for left in plan.left:
        say(f"  ! {left.line()}")
    if plan.blockers:
        raise plan.blocked_error()
    if any(r.kind == "security-group" for r in plan.resources):
        say(
            "  (AWS releases a deleted load balancer's network interfaces a few minutes later; "
            "teardown waits for that before it deletes the load balancer's security group.)"
        )
    confirm("Delete them?", args.yes)
    deleted, kept = remove_link(
        aws,
        RecordStore(),
        identity.account_id,
        name,
        record,
        lambda m: say(f"  {m}"),
        context.LOCK_WAIT_SECONDS,
    )
    print(f"Removed {len(deleted)} resource{'' if len(deleted) == 1 else 's'} of the link '{name}'.")
    for group in kept:
        print(
            f"Kept the parameter group {group}, which the wizard made for this link: your database "
            "still uses it (it holds the MySQL settings the wizard set for the load balancer). "
            "To remove it, switch the database back to its previous group in the RDS "
            "console (this needs a reboot), then delete the group."
        )
    return 0
