"""The CLI's side of a link's alerts: `setup --notify EMAIL` and `privatelink-wizard notify`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from wizard.aws import alerts
from wizard.commands import context
from wizard.state import RecordStore
from wizard.steps import remove_alerts, set_up_alerts
from wizard.terminal import say
from wizard.validators import validate_link_name, validate_region

if TYPE_CHECKING:
    from wizard.steps import Link


def alerts_for(link: Link, email: str, progress: Callable[[str], None]) -> alerts.AlertsInfo | None:
    """Turn on (or keep up to date) the alerts of a link setup just built; None without `email`."""

    if not email:
        return None
    record = link.record
    info = set_up_alerts(
        link.aws,
        link.store,
        record.account_id,
        record.name,
        email,
        context.LOCK_WAIT_SECONDS,
        record,
        progress,
    )
    say_alerts(info)
    return info


def say_alerts(info: alerts.AlertsInfo) -> None:

    say(f"Alerts on: {'; '.join(info.lines())}")
    if not info.confirmed:
        say(
            f"  AWS has sent a confirmation e-mail to {info.email}: click 'Confirm subscription' in "
            "it, or no alert will reach you (the link works either way)."
        )
    say(f"  {alerts.COST}")


def notify(args: argparse.Namespace) -> int:
    """Turn a link's alerts on, change their address, or (--off) remove them."""
    from wizard.terminal import emit_json

    validate_region(args.region)
    name = validate_link_name(args.name)
    email = "" if args.off else alerts.validate_email(args.email)
    aws, identity = context.connect(args)
    store = RecordStore()
    record = context.saved_record(identity.account_id, aws.region, name)

    def progress(message: str) -> None:
        say(f"  {message}")

    if args.off:
        removed = remove_alerts(
            aws, store, identity.account_id, name, context.LOCK_WAIT_SECONDS, record, progress
        )
        if args.json:
            emit_json({"name": name, "removed": removed})
        elif removed:
            print(f"Removed the alerts of the link '{name}': {'; '.join(removed)}.")
        else:
            print(f"The link '{name}' had no alerts; nothing to remove.")
        return 0
    info = set_up_alerts(
        aws, store, identity.account_id, name, email, context.LOCK_WAIT_SECONDS, record, progress
    )
    if args.json:
        emit_json({"name": name, "alerts": info.__dict__, "cost": alerts.COST})
    else:
        print(f"Alerts for the link '{name}':")
        for line in info.lines():
            print(f"  {line}")
        say_alerts(info)
    return 0
