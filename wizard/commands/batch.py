"""`privatelink-wizard setup --from links.toml`: several links (and databases added to them) from
one file. Every row is checked first, without AWS and then with AWS reads; any problem is printed
with its line and nothing is created. Then one confirmation for the whole plan (or --yes), each
row built on its own, and a table of what was built (--json: the same for scripts)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wizard.alert_words import validate_email
from wizard.aws.session import AwsContext, Identity
from wizard.batch.checks import BatchPlan, check_with_aws
from wizard.batch.rows import Defaults, Problem, read_batch
from wizard.batch.runner import FAILED, RowResult, RunOptions, run_batch
from wizard.commands import context
from wizard.commands.account import before_setup
from wizard.commands.setup import region_notes
from wizard.consumers import load_consumer
from wizard.errors import EXIT_AWS, EXIT_BAD_INPUT, UserError, bad_input
from wizard.state import RecordStore
from wizard.steps import SETUP_STEPS, service_summary
from wizard.terminal import confirm, emit_json, say
from wizard.validators import validate_principal, validate_region

# The single setup's options that name one link: in a batch each row says its own.
_PER_ROW = (("source", "--source"), ("name", "--name"), ("port", "--port"), ("subnets", "--subnets"))


def setup_from_file(args: argparse.Namespace) -> int:
    path = Path(args.from_file)
    given = [flag for attr, flag in _PER_ROW if getattr(args, attr, None) is not None]
    if given:
        raise bad_input(
            f"--from cannot be used with {', '.join(given)}",
            "Each row of the file names its own database, link name, port and subnets: put "
            "them in the file, or leave out --from to set up one link.",
        )
    region = validate_region(args.region)
    consumer = load_consumer(args.consumer)
    defaults = Defaults(
        region=region,
        consumer=args.consumer,
        principal=validate_principal(args.principal) if args.principal else "",
        notify=validate_email(args.notify) if args.notify else "",
        sync=not args.no_sync,
        cross_zone=not args.no_cross_zone,
        consumer_regions=tuple(getattr(args, "consumer_region", None) or ()),
    )
    batch = read_batch(path, defaults)
    if batch.problems:
        return _refuse(path, batch.problems, args.json, checked_with_aws=False)

    sessions: dict[str, tuple[AwsContext, Identity]] = {}

    def session(where: str) -> tuple[AwsContext, Identity]:
        if where not in sessions:
            sessions[where] = context.connect(argparse.Namespace(**{**vars(args), "region": where}))
        return sessions[where]

    say(f"Checking the {len(batch.links) + len(batch.databases)} rows of {path} with AWS (reading only)…")
    plan = check_with_aws(batch, session, RecordStore(), consumer)
    if plan.problems:
        return _refuse(path, plan.problems, args.json, checked_with_aws=True)

    _preview(plan)
    if not getattr(args, "skip_preflight", False):
        for where, (aws, identity) in sessions.items():
            cross = any(p.link.plan.consumer_regions for p in plan.links if p.row.region == where)
            before_setup(aws, identity, cross_region=cross)
    rows = len(plan.links) + len(plan.databases)
    confirm(f"Build these {rows} rows?", args.yes)

    options = RunOptions(args.fix, args.allow_reboot, args.remove_old_principals)
    results = run_batch(plan, options)
    messages = _messages(plan, results)
    if args.json:
        emit_json({"rows": [_row_json(r) for r in results], "messages": messages, "problems": []})
    else:
        print(results_table(results))
        for name, message in messages.items():
            print(f"\nSend this to the platform (link '{name}'):\n{message}")
    failed = [r for r in results if not r.ok]
    if failed:
        say(
            f"{len(failed)} of {len(results)} rows failed (see above): the others are built. Fix "
            "the cause and run the same command again; it reuses what exists."
        )
        return EXIT_AWS
    return 0


def _refuse(path: Path, problems: list[Problem], as_json: bool, checked_with_aws: bool) -> int:
    for problem in problems:
        say(problem.line_text(str(path)))
    if as_json:
        emit_json({"rows": [], "messages": {}, "problems": [p.__dict__ for p in problems]})
    stage = "checking it with AWS, reading only" if checked_with_aws else "before asking AWS anything"
    say(
        UserError(
            f"{path} has {len(problems)} problem{'s' * (len(problems) != 1)} (found {stage}); "
            "nothing was created",
            fix="Correct the lines above, then run the same command again.",
        ).paragraph()
    )
    return EXIT_BAD_INPUT


def _preview(plan: BatchPlan) -> None:
    for planned in plan.links:
        link, row = planned.link, planned.row
        for note in link.notes:
            say(f"Note: {note}")
        for note in region_notes(link.plan.consumer, link.plan.region, link.plan.consumer_regions):
            say(f"Note: {note}")
        source = link.plan.source
        done = " (already there: checked and kept as it is)" if planned.existed else ""
        say(
            f"Line {row.line}: link '{row.name}' for {source.kind.label} {source.id} in "
            f"{link.plan.region}, port {link.plan.port}{done}:"
        )
        for step in SETUP_STEPS:
            for item in step.preview(link):
                say(f"  - {item.line()}")
        for check in planned.nlb_rows:
            if check.warning:
                say(f"  ! {check.label}: {check.reason}")
        if planned.others:
            say(
                f"  ! Also allowed on the endpoint service: {', '.join(planned.others)}. It stays "
                "allowed unless removed: run with --remove-old-principals to remove it."
            )
    for db in plan.databases:
        if db.already:
            say(f"Line {db.row.line}: {db.source.id} is on the link '{db.row.link}' already.")
            continue
        say(f"Line {db.row.line}: add {db.source.kind.label} {db.source.id} to the link '{db.row.link}':")
        for item in db.preview:
            say(f"  - {item.line()}")


def _messages(plan: BatchPlan, results: list[RowResult]) -> dict[str, str]:
    """Each built link's message to the platform, once its databases are added (one per link)."""
    ok_lines = {r.line for r in results if r.ok}
    messages = {}
    for planned in plan.links:
        link = planned.link
        if planned.row.line not in ok_lines:
            continue
        saved = plan.store.load(link.record.account_id, link.plan.region, link.plan.name)
        if saved is not None:
            link.record = saved
        try:
            messages[planned.row.name] = service_summary(link).message
        except UserError:
            continue
    return messages


def results_table(results: list[RowResult]) -> str:
    header = ("LINE", "LINK", "DATABASE", "PORT", "SERVICE NAME", "STATUS")
    rows = [
        (
            str(r.line),
            r.link,
            r.database,
            str(r.listener_port or ""),
            r.service_name or "-",
            r.status_text(),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def _row_json(result: RowResult) -> dict[str, Any]:
    return {
        "line": result.line,
        "link": result.link,
        "database": result.database,
        "region": result.region,
        "listener_port": result.listener_port,
        "service_name": result.service_name,
        "status": FAILED if not result.ok else result.status,
        "error": result.why,
        "remove_with": result.remove,
    }
