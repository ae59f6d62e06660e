"""`privatelink-wizard sync`: one reconcile of a link's targets, with the target sync's own code."""

from __future__ import annotations

import argparse

from wizard.commands import context
from wizard.state import RecordStore
from wizard.terminal import emit_json
from wizard.validators import (
    validate_link_name,
    validate_region,
)


def sync(args: argparse.Namespace) -> int:
    """One reconcile of the link's targets with the deployed target sync's own code."""
    from wizard.steps.sync import run_sync, run_sync_others

    validate_region(args.region)
    name = validate_link_name(args.name)
    aws, identity = context.connect(args)
    result, config = run_sync(aws, RecordStore(), identity.account_id, name, context.LOCK_WAIT_SECONDS)
    # The databases added to the link (`add`), each its own target group.
    others = run_sync_others(aws, RecordStore(), identity.account_id, name, context.LOCK_WAIT_SECONDS)
    if args.json:
        payload = {"name": name, "target_group_arn": config.target_group_arn} | result.to_dict()
        if others:
            payload["databases"] = [
                {"source_id": c.source_id, "target_group_arn": c.target_group_arn} | r.to_dict()
                for r, c in others
            ]
        emit_json(payload)
        return 0
    print(f"Link '{name}': {result.words(config.removal_after)}.")
    if result.writer:
        print(f"The cluster's writer is {result.writer}.")
    for other, other_config in others:
        print(f"  {other_config.source_id}: {other.words(other_config.removal_after)}.")
    return 0
