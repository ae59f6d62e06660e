"""Running a checked batch: each link built as the single `setup` builds it (the same steps,
fixes, alerts and checks, each step under the link's lock), then each database added to its link;
one row failing never stops the others. Each row ends as one result for the table."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.batch.checks import BatchPlan, PlannedDatabase, PlannedLink
from wizard.commands import context
from wizard.commands.notify import alerts_for
from wizard.commands.setup import apply_fixes, explain_partial, report_checks
from wizard.errors import UserError
from wizard.state import RecordStore
from wizard.steps import SETUP_STEPS, AllowlistStep, apply_fix, run_setup, service_summary
from wizard.steps.link import Progress
from wizard.terminal import say

CREATED = "created"
ALREADY = "already there"
FAILED = "failed"


@dataclass
class RunOptions:
    """The command line's flags that apply to every row, as in the single setup."""

    fix: bool = False
    allow_reboot: bool = False
    remove_old_principals: bool = False


@dataclass
class RowResult:
    line: int
    link: str
    database: str
    region: str
    status: str  # CREATED | ALREADY | FAILED
    listener_port: int | None = None
    service_name: str = ""
    why: str = ""  # for a failed row: what happened, why, what to do
    remove: str = ""  # for a failed row that left something: the command that removes it

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def status_text(self) -> str:
        """For the table: a failed row's what-happened only (the whole paragraph is said above)."""
        if self.status != FAILED:
            return self.status
        return f"{FAILED}: " + self.why.split(" Why: ")[0].split(" What to do: ")[0]


def run_batch(plan: BatchPlan, options: RunOptions) -> list[RowResult]:
    """Every link row, then every database row, in the file's order; results in line order."""
    by_link: dict[tuple[str, str], RowResult] = {}
    out: list[RowResult] = []
    for planned in plan.links:
        row = planned.row
        say(f"\nLine {row.line}: the link '{row.name}' for {planned.link.plan.source.id}")
        try:
            result = run_link(planned, options)
        except Exception as exc:  # a bug in one row must not stop the others
            result = RowResult(row.line, row.name, row.source, row.region, FAILED, why=_unexpected(exc))
        by_link[(row.region, row.name)] = result
        out.append(result)
    for db in plan.databases:
        say(f"\nLine {db.row.line}: {db.source.id} on the link '{db.row.link}'")
        link_result = by_link.get((db.row.region, db.row.link))
        # A link built but not yet carrying traffic (a check to fix) still takes its databases.
        if link_result is not None and not link_result.service_name:
            why = (
                f"its link '{db.row.link}' was not built (line {link_result.line}). Fix that row "
                "and run the same command again."
            )
            out.append(_failed(db, why))
            continue
        try:
            out.append(run_database(plan.store, db, link_result))
        except UserError as exc:
            say(f"  {exc.paragraph()}")
            out.append(_failed_partway(plan.store, db, exc.paragraph()))
        except Exception as exc:  # a bug in one row must not stop the others
            out.append(_failed(db, _unexpected(exc)))
    return sorted(out, key=lambda r: r.line)


def run_link(planned: PlannedLink, options: RunOptions) -> RowResult:
    """The single setup's run for one link (wizard/commands/setup.py), reporting instead of
    raising: what exists and how to finish or remove it is said as setup says it."""
    link, row = planned.link, planned.row
    progress: Progress = lambda m: say(f"  {m}")  # noqa: E731
    wait = context.LOCK_WAIT_SECONDS
    result = RowResult(row.line, row.name, link.plan.source.id, row.region, FAILED, link.plan.port)
    try:
        run_setup(link, progress=progress, steps=SETUP_STEPS[:2], wait=wait)
        if options.fix:  # while AWS starts the load balancer
            apply_fixes(link, allow_reboot=options.allow_reboot)
        run_setup(link, progress=progress, steps=SETUP_STEPS[2:], wait=wait)
        if planned.others and options.remove_old_principals:
            progress(apply_fix(link, AllowlistStep(), "other-principals", wait=wait))
        alerts_for(link, row.notify or link.record.alert_email, progress)
        checks = report_checks(link, fixed=options.fix)
    except UserError as exc:
        say(f"  {exc.paragraph()}")
        explain_partial(link.aws, link)
        result.why = exc.paragraph()
        result.remove = f"privatelink-wizard teardown --region {row.region} --name {row.name}"
        return result
    result.service_name = service_summary(link).service_name
    blocking = [c for c in checks if c.required and not c.ok]
    if blocking:
        # As the single setup: the chain exists but would not carry the platform's traffic.
        result.why = (
            "it will not carry traffic until this is fixed: "
            + "; ".join(c.label for c in blocking)
            + ". Run again with --fix, or fix it by hand and check with `status`."
        )
        return result
    result.status = ALREADY if planned.existed else CREATED
    return result


def run_database(store: RecordStore, db: PlannedDatabase, link_result: RowResult | None) -> RowResult:
    """Add one database to its link (under the link's lock), or say it is there already."""
    from wizard.steps import databases

    row = db.row
    if db.already:
        record = store.load(db.account_id, db.aws.region, row.link)
        service = record.service_name if record else ""
        return RowResult(row.line, row.link, db.source.id, row.region, ALREADY, db.listener_port, service)
    added = databases.add_database(
        db.aws,
        store,
        db.account_id,
        row.link,
        db.source,
        db.consumer,
        db.listener_port,
        progress=lambda m: say(f"  {m}"),
        wait=context.LOCK_WAIT_SECONDS,
    )
    record = store.load(db.account_id, db.aws.region, row.link)
    service = (record.service_name if record else "") or (link_result.service_name if link_result else "")
    return RowResult(row.line, row.link, db.source.id, row.region, CREATED, added.listener_port, service)


def _failed(db: PlannedDatabase, why: str) -> RowResult:
    row = db.row
    return RowResult(row.line, row.link, db.source.id, row.region, FAILED, row.listener_port, why=why)


def _failed_partway(store: RecordStore, db: PlannedDatabase, why: str) -> RowResult:
    """A database that failed being added: if its link lists it now, how to remove what was made."""
    result = _failed(db, why)
    record = store.load(db.account_id, db.aws.region, db.row.link)
    if record is not None and record.database(db.source.id) is not None:
        result.remove = (
            f"privatelink-wizard remove --region {db.aws.region} --name {db.row.link} --source {db.source.id}"
        )
        say(
            f"  {db.source.id} is partly added to the link '{db.row.link}'. Retry: fix the cause "
            "above, then run the same command again; it continues where this one stopped."
        )
        say(f"  Or remove what was made: `{result.remove}`.")
    return result


def _unexpected(exc: Exception) -> str:
    from wizard.aws.errors import translate

    return translate(exc).paragraph()
