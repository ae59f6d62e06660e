"""`privatelink-wizard setup`: build a link, with its checks, fixes and preview."""

from __future__ import annotations

import argparse
from typing import Any

from wizard import consumer_regions as xr
from wizard import costs
from wizard.aws import alerts, discovery
from wizard.aws import teardown as td
from wizard.aws.session import (
    AwsContext,
)
from wizard.commands import context
from wizard.commands.account import before_setup
from wizard.commands.notify import alerts_for
from wizard.consumers import Consumer
from wizard.errors import EXIT_AWS, UserError, bad_input
from wizard.model import LinkPlan, LinkRecord
from wizard.steps import (
    SETUP_STEPS,
    AllowlistStep,
    Link,
    TargetGroupStep,
    apply_fix,
    open_link,
    run_setup,
    service_summary,
)
from wizard.terminal import confirm, emit_json, say
from wizard.validators import (
    default_link_name,
    validate_link_name,
    validate_port,
    validate_region,
    validate_source_id,
    validate_subnet_ids,
)


def setup(args: argparse.Namespace) -> int:
    # Everything that can be checked without AWS is checked first: bad input creates nothing.
    region = validate_region(args.region)
    validate_source_id(args.source)
    consumer_regions = xr.validate_consumer_regions(getattr(args, "consumer_region", None) or [], region)
    port = validate_port(args.port) if args.port is not None else None
    name = validate_link_name(args.name) if args.name is not None else None
    subnets = validate_subnet_ids(args.subnets) if args.subnets is not None else None
    consumer, principal = context.consumer_and_principal(args)
    notify = alerts.validate_email(args.notify) if args.notify else ""

    aws, identity = context.connect(args)
    source = discovery.find_data_source(aws, args.source)
    if port is None and source.port is None:
        raise bad_input(
            f"{source.id} is an EC2 server, so the wizard cannot guess the port",
            "Add --port: the database's port (3306, 5432, …) or 22 for an SSH tunnel host.",
        )
    plan = LinkPlan.of(
        name=name or default_link_name(source.id),
        region=aws.region,
        source=source,
        port=port,
        subnet_ids=subnets or discovery.default_subnets(aws, source),
        consumer=consumer,
        principal=principal,
        cross_zone=not args.no_cross_zone,
        target_sync=not args.no_sync,
        consumer_regions=consumer_regions,
    )
    link = open_link(aws, plan, identity.account_id)
    for note in link.notes:
        say(f"Note: {note}")
    for note in region_notes(consumer, aws.region, plan.consumer_regions):
        say(f"Note: {note}")

    nlb_rows = SETUP_STEPS[0].check(link)
    # Cross-region needs two zones that serve other regions: known before anything is created.
    nlb_rows += [r for r in SETUP_STEPS[2].check(link) if r.key == "cross-region-zones"]
    blocking = [row for row in nlb_rows if row.required and not row.ok]
    if blocking:
        raise bad_input(
            "; ".join(f"{r.label}: {r.reason}" for r in blocking),
            "Correct the subnets (--subnets) and run again.",
        )
    say(
        f"Link '{plan.name}' for {source.kind.label} {source.id} in {aws.region} "
        f"(account {identity.account_id}), port {port}:"
    )
    for step in SETUP_STEPS:
        for item in step.preview(link):
            say(f"  - {item.line()}")
    for row in nlb_rows:
        if row.warning:
            say(f"  ! {row.label}: {row.reason}")
    others = AllowlistStep().other_principals(link)
    if others and args.remove_old_principals:
        say(f"  - Will remove from the allow list: {', '.join(others)}")
    elif others:
        say(
            f"  ! Also allowed on the endpoint service: {', '.join(others)}. It stays allowed "
            "unless removed; run again with --remove-old-principals to remove it."
        )
    if not getattr(args, "skip_preflight", False):
        before_setup(aws, identity, cross_region=bool(plan.consumer_regions))
    confirm("Go ahead?", args.yes)

    progress = lambda m: say(f"  {m}")  # noqa: E731
    try:
        run_setup(link, progress=progress, steps=SETUP_STEPS[:2], wait=context.LOCK_WAIT_SECONDS)
        if args.fix:  # while AWS starts the load balancer
            apply_fixes(link, allow_reboot=args.allow_reboot)
        run_setup(link, progress=progress, steps=SETUP_STEPS[2:], wait=context.LOCK_WAIT_SECONDS)
        if others and args.remove_old_principals:
            progress(apply_fix(link, AllowlistStep(), "other-principals", wait=context.LOCK_WAIT_SECONDS))
        # Alerts asked now, or asked before (kept pointing at this port's target group).
        alert = alerts_for(link, notify or link.record.alert_email, progress)
        checks = report_checks(link, fixed=args.fix)
    except UserError:
        explain_partial(aws, link)
        raise
    summary = service_summary(link)
    blocking = [row for row in checks if row.required and not row.ok]
    if args.json:
        emit_json(
            _record_json(link.record)
            | {
                "checks": [c.__dict__ for c in checks],
                "message": summary.message,
                "alerts": alert.__dict__ if alert else None,
            }
        )
    else:
        print(f"\nService name: {summary.service_name}")
        print(f"Availability zone IDs: {', '.join(summary.az_ids)}")
        print("\nSend this to the platform:\n" + summary.message)
    if blocking:
        # As `status` does: the chain exists, but it would not carry the platform's traffic.
        say(
            f"The link '{link.plan.name}' will not carry traffic until this is fixed: "
            + "; ".join(row.label for row in blocking)
            + ". Run setup again with --fix, or fix it by hand and check with `status`."
        )
        return EXIT_AWS
    return 0


def region_notes(consumer: Consumer, region: str, consumer_regions: tuple[str, ...]) -> list[str]:
    """What to tell the DBA about where the platform connects from: the offer of the platform's
    nearest region when it does not connect from the link's (see wizard/consumer_regions.py)."""
    notes = []
    platform = consumer.display_name
    theirs = [r for r in consumer_regions if r in consumer.regions]
    if consumer_regions and not theirs:
        notes.append(
            f"{platform} lists {', '.join(consumer.regions)} as the regions it connects from; "
            f"{', '.join(consumer_regions)} is not among them. Check with "
            f"{consumer.support_contact or 'the platform'} that it can connect from there."
        )
    if not consumer.supports_region(region) and not theirs:
        nearest = xr.nearest_first(region, consumer.regions)
        if nearest:
            cost = costs.cross_region_cost(region, (nearest[0],))
            price = f" (about ${min(cost.per_gb.values()):g} per GB of traffic)" if cost else ""
            notes.append(
                f"{platform} does not connect from {region}; it connects from "
                f"{', '.join(nearest)}. Add --consumer-region {nearest[0]} (the nearest) to offer "
                f"the service there too: cross-region, billed as inter-region data transfer{price}. "
                f"Or ask {consumer.support_contact or 'the platform'} to enable {region} (setup continues)."
            )
    note = xr.opt_in_note(consumer_regions)
    if note:
        notes.append(note)
    return notes


def apply_fixes(link: Link, allow_reboot: bool) -> None:
    step = TargetGroupStep()
    for row in step.check(link):
        # skip_name_resolve set but waiting for a reboot: its fix is the reboot, only if allowed.
        waiting = row.warning and row.key == "skip-name-resolve" and allow_reboot
        if row.fix and (not row.ok or waiting):
            say(f"  Fixing: {row.label} — {row.fix}")
            done = apply_fix(
                link, step, row.key, allow_reboot, context.LOCK_WAIT_SECONDS, lambda m: say(f"  {m}")
            )
            say(f"  {done}")


def report_checks(link: Link, fixed: bool) -> list[Any]:
    rows = TargetGroupStep().check(link)
    for row in rows:
        mark = "ok " if row.ok and not row.warning else ("!  " if row.ok else "✖  ")
        say(f"  {mark}{row.label}" + (f": {row.reason}" if row.reason else ""))
        if not row.ok and row.fix and not fixed:
            say(f"     Fix: {row.fix} (run again with --fix to apply it)")
        elif row.ok and row.warning and row.key == "skip-name-resolve" and row.fix:
            say(f"     Not finished yet: {row.fix} Or run setup again with --fix --allow-reboot.")
    return rows


def explain_partial(aws: AwsContext, link: Link) -> None:
    """After a failure: exactly what exists now, and the three ways on (retry, later, remove)."""
    record = link.record
    try:
        # AWS is the truth (found by our tags); the record is the fallback when it cannot be read.
        found = [r.describe() for r in td.find_link_resources(aws, record.name, record)]
    except UserError:
        found = [f"{td.KIND_WORDS.get(r.kind, r.kind)}: {r.id}" for r in record.created]
    if not found:
        say("Nothing was created for this link.")
        return
    saved_at = link.store.path(record.account_id, record.region, record.name)
    say(f"What exists now for the link '{record.name}' (also saved in {saved_at}):")
    for line in found:
        say(f"  - {line}")
    say("Retry: fix the cause above, then run the same command again; it reuses what exists.")
    say("Continue later: nothing is lost; the same command continues where this one stopped.")
    say(
        f"Remove what was created: `privatelink-wizard teardown --region {record.region} "
        f"--name {record.name}`."
    )


def _record_json(record: LinkRecord) -> dict[str, Any]:
    data = record.to_dict()
    return {
        k: data[k]
        for k in (
            "name",
            "region",
            "account_id",
            "source_id",
            "port",
            "principal",
            "nlb_arn",
            "nlb_dns_name",
            "target_group_arn",
            "listener_arn",
            "endpoint_service_id",
            "service_name",
            "az_ids",
            "consumer_regions",
            "created",
        )
    }
