"""The CLI subcommands over the engine (setup, accept, status, teardown)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from wizard import alerts_cli, hostnames
from wizard.account_commands import before_setup, login, preflight, profiles  # noqa: F401
from wizard.aws import activity, alerts, connections, discovery, endpoint_service
from wizard.aws import teardown as td
from wizard.aws.polling import Patience
from wizard.aws.polling import wait_until as poll
from wizard.aws.session import (
    AwsContext,
    Credentials,
    Identity,
    list_profiles,
    make_context,
    whoami,
)
from wizard.consumers import Consumer, load_consumer
from wizard.errors import EXIT_AWS, EXIT_TIMEOUT, UserError, bad_input
from wizard.model import LinkPlan, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps import (
    SETUP_STEPS,
    AllowlistStep,
    Link,
    TargetGroupStep,
    accept_on_service,
    apply_fix,
    open_link,
    remove_link,
    run_setup,
    service_summary,
)
from wizard.terminal import confirm, emit_json
from wizard.validators import (
    default_link_name,
    principal_account,
    validate_link_name,
    validate_port,
    validate_principal,
    validate_region,
    validate_service_id,
    validate_source_id,
    validate_subnet_ids,
)


def say(message: str) -> None:
    """Progress goes to stderr so --json output on stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


# How long the CLI waits for another run on the same link (the GUI refuses at once instead).
LOCK_WAIT_SECONDS = 30.0


def _credentials(profile: str) -> Credentials:
    """An AWS config profile by name, or else a profile saved in the app (keys in keyring)."""
    if profile and profile not in {p.name for p in list_profiles()}:
        from wizard import secrets
        from wizard.settings import Settings

        settings, note = Settings.load_with_note()
        if note:
            say(f"Note: {note}")
        if profile in {p.name for p in settings.saved_profiles}:
            return secrets.load_profile(profile)
    return Credentials(profile=profile)


def _connect(args: argparse.Namespace) -> tuple[AwsContext, Identity]:
    aws = make_context(_credentials(args.profile), args.region, args.endpoint_url)
    aws.on_slow = lambda message: say(f"  {message}")
    if args.verbose:
        stop = activity.ACTIVITY.subscribe(lambda e: say(f"  · {e.line()}\n    $ {e.cli}"))
        args.cleanups.append(stop)  # the log is the process's: a command run in-process ends it
    identity = whoami(aws)
    return aws, identity


def _consumer_and_principal(args: argparse.Namespace) -> tuple[Consumer, str]:
    consumer = load_consumer(args.consumer)
    return consumer, validate_principal(args.principal or consumer.principal)


def setup(args: argparse.Namespace) -> int:
    # Everything that can be checked without AWS is checked first: bad input creates nothing.
    validate_region(args.region)
    validate_source_id(args.source)
    port = validate_port(args.port) if args.port is not None else None
    name = validate_link_name(args.name) if args.name is not None else None
    subnets = validate_subnet_ids(args.subnets) if args.subnets is not None else None
    consumer, principal = _consumer_and_principal(args)
    notify = alerts.validate_email(args.notify) if args.notify else ""

    aws, identity = _connect(args)
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
    )
    link = open_link(aws, plan, identity.account_id)
    for note in link.notes:
        say(f"Note: {note}")
    if not consumer.supports_region(aws.region):
        say(
            f"Note: {consumer.display_name} has no endpoints in {aws.region} yet. Ask "
            f"{consumer.support_contact or 'the platform support'} to enable it (setup continues)."
        )

    nlb_rows = SETUP_STEPS[0].check(link)
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
        before_setup(aws, identity)
    confirm("Go ahead?", args.yes)

    progress = lambda m: say(f"  {m}")  # noqa: E731
    try:
        run_setup(link, progress=progress, steps=SETUP_STEPS[:2], wait=LOCK_WAIT_SECONDS)
        if args.fix:  # while AWS starts the load balancer
            _apply_fixes(link, allow_reboot=args.allow_reboot)
        run_setup(link, progress=progress, steps=SETUP_STEPS[2:], wait=LOCK_WAIT_SECONDS)
        if others and args.remove_old_principals:
            progress(apply_fix(link, AllowlistStep(), "other-principals", wait=LOCK_WAIT_SECONDS))
        # Alerts asked now, or asked before (kept pointing at this port's target group).
        alert = alerts_cli.alerts_for(link, notify or link.record.alert_email, progress)
        checks = _report_checks(link, fixed=args.fix)
    except UserError:
        _explain_partial(aws, link)
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


def _apply_fixes(link: Link, allow_reboot: bool) -> None:
    step = TargetGroupStep()
    for row in step.check(link):
        # skip_name_resolve set but waiting for a reboot: its fix is the reboot, only if allowed.
        waiting = row.warning and row.key == "skip-name-resolve" and allow_reboot
        if row.fix and (not row.ok or waiting):
            say(f"  Fixing: {row.label} — {row.fix}")
            done = apply_fix(link, step, row.key, allow_reboot, LOCK_WAIT_SECONDS, lambda m: say(f"  {m}"))
            say(f"  {done}")


def _report_checks(link: Link, fixed: bool) -> list[Any]:
    rows = TargetGroupStep().check(link)
    for row in rows:
        mark = "ok " if row.ok and not row.warning else ("!  " if row.ok else "✖  ")
        say(f"  {mark}{row.label}" + (f": {row.reason}" if row.reason else ""))
        if not row.ok and row.fix and not fixed:
            say(f"     Fix: {row.fix} (run again with --fix to apply it)")
        elif row.ok and row.warning and row.key == "skip-name-resolve" and row.fix:
            say(f"     Not finished yet: {row.fix} Or run setup again with --fix --allow-reboot.")
    return rows


def _explain_partial(aws: AwsContext, link: Link) -> None:
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
            "created",
        )
    }


def accept(args: argparse.Namespace) -> int:
    validate_region(args.region)
    _, principal = _consumer_and_principal(args)
    service_id = validate_service_id(args.service) if args.service is not None else ""
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = _connect(args)
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
            wait=LOCK_WAIT_SECONDS,
        )
        if todo
        else []
    )
    saved = _saved_record(identity.account_id, aws.region, name) if name else None
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


notify = alerts_cli.notify  # `privatelink-wizard notify`


def _print_hostnames(connection: connections.Connection, port: int) -> None:
    """The names the platform will connect to, as AWS gave them to the endpoint."""
    for line in hostnames.lines(connection.dns_names, port):
        print(f"  {line}")


def status(args: argparse.Namespace) -> int:
    from wizard import diagnostics

    validate_region(args.region)
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = _connect(args)
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
    aws, identity = _connect(args)
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


def teardown(args: argparse.Namespace) -> int:
    from wizard import diagnostics

    validate_region(args.region)
    name = validate_link_name(args.name) if args.name is not None else ""
    aws, identity = _connect(args)
    if not name:
        names = diagnostics.link_names(aws, identity.account_id, RecordStore())
        if len(names) != 1:
            raise bad_input(
                "Say which link to remove" if names else f"No links found in {aws.region}",
                f"Add --name (links here: {', '.join(names)})." if names else "There is nothing to remove.",
            )
        name = names[0]
    record = _saved_record(identity.account_id, aws.region, name)
    plan = td.plan_teardown(aws, name, record, _platform_account(record))
    if not plan.resources:
        print(f"Nothing tagged for the link '{name}' exists in {aws.region}.")
        for left in plan.left:
            print(f"  ! {left.line()}")
        remove_link(aws, RecordStore(), identity.account_id, name, record, wait=LOCK_WAIT_SECONDS)
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
        aws, RecordStore(), identity.account_id, name, record, lambda m: say(f"  {m}"), LOCK_WAIT_SECONDS
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


def sync(args: argparse.Namespace) -> int:
    """One reconcile of the link's targets with the deployed target sync's own code."""
    from wizard.steps.sync import run_sync

    validate_region(args.region)
    name = validate_link_name(args.name)
    aws, identity = _connect(args)
    result, config = run_sync(aws, RecordStore(), identity.account_id, name, LOCK_WAIT_SECONDS)
    if args.json:
        emit_json({"name": name, "target_group_arn": config.target_group_arn} | result.to_dict())
        return 0
    print(f"Link '{name}': {result.words(config.removal_after)}.")
    if result.writer:
        print(f"The cluster's writer is {result.writer}.")
    return 0


def _saved_record(account: str, region: str, name: str) -> LinkRecord | None:
    """The link's record (it names the firewall rules the wizard made), or None."""
    try:
        return RecordStore().load(account, region, name)
    except DamagedRecordError:  # everything else is found by its tags all the same
        return None


def _platform_account(record: LinkRecord | None) -> str:
    """The account whose connection is the platform's: the record's principal, else the default
    consumer's."""
    return load_consumer().account_for(record.principal if record else "")


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
