"""A link's databases in its status: one block each (its listener port, target group and
targets), and what is wrong with each database added after setup, with the fix. (The first
database's checks are the link's own, in `diagnosis`.) A database's fix key is the step fix's
key and the database's id: `refresh-targets:reports-aurora`."""

from __future__ import annotations

from dataclasses import dataclass, field

from wizard.aws import discovery, network
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.diagnostics.status import Finding, LinkStatus
from wizard.errors import UserError
from wizard.model import SourceKind
from wizard.steps.databases import link_databases
from wizard.steps.target_group_step import database_checks

# The fixes a database added to a link offers (steps.databases.fix_database applies them).
DATABASE_FIXES = ("security-group", "refresh-targets")


def fix_key(key: str, source_id: str) -> str:
    return f"{key}:{source_id}"


@dataclass
class DatabaseStatus:
    source_id: str
    source_kind: str
    port: int  # the database's own port
    listener_port: int  # the port the platform uses (0: no listener)
    target_group: str  # its name ("" when missing)
    first: bool
    targets: list[tg.TargetHealthInfo] = field(default_factory=list)
    expected_targets: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not any(f.severity == "problem" for f in self.findings)

    def lines(self) -> list[str]:
        kind = SourceKind(self.source_kind).label if self.source_kind in set(SourceKind) else "Database"
        head = (
            f"  Database {self.source_id} ({kind}) — listener port {self.listener_port or 'missing'}"
            f" → target group {self.target_group or 'missing'} (port {self.port})"
            + (", the link's first" if self.first else "")
        )
        lines = [head]
        for t in self.targets:
            lines.append(f"    target {t.target_id}:{t.port} — {t.words}")
        if not self.first:
            lines += ["    " + f.line().replace("\n", "\n    ") for f in self.findings if f.severity != "ok"]
        return lines


def read(aws: AwsContext, s: LinkStatus) -> list[DatabaseStatus]:
    """Every database of the link with its targets; findings for the ones added after setup."""
    result = []
    for db in link_databases(aws, s.name, s.record):
        status = DatabaseStatus(
            db.source_id,
            db.source_kind,
            db.port,
            db.listener_port,
            db.target_group_name if db.target_group_arn else "",
            db.first,
            list(db.health),
        )
        if not db.first and s.nlb is not None:
            status.findings = _findings(aws, s, status)
        result.append(status)
    return result


def _findings(aws: AwsContext, s: LinkStatus, db: DatabaseStatus) -> list[Finding]:
    assert s.nlb is not None
    redo = (
        f"Remove it from the link and add it again: privatelink-wizard remove --name {s.name} "
        f"--source {db.source_id}, then add."
    )
    if not db.target_group:
        return [
            Finding(
                "problem",
                f"{db.source_id}: its target group is missing",
                "It was deleted outside the wizard.",
                redo,
            )
        ]
    found = []
    if not db.listener_port:
        found.append(
            Finding(
                "problem",
                f"{db.source_id}: no listener forwards to it",
                "Without a listener the platform cannot reach this database.",
                redo,
            )
        )
    try:
        source = discovery.find_data_source(aws, db.source_id)
    except UserError:
        return [
            *found,
            Finding(
                "problem", f"The database {db.source_id} was not found", "It was deleted or renamed.", redo
            ),
        ]
    for row in database_checks(aws, source, db.port, s.name, s.nlb):
        if not row.ok:
            key = fix_key(row.key, db.source_id) if row.fix and row.key in DATABASE_FIXES else ""
            found.append(
                Finding(
                    "problem" if row.required else "warning",
                    f"{db.source_id}: {row.label}",
                    row.reason,
                    row.fix,
                    key,
                )
            )
    if source.target_type == "ip":
        try:
            db.expected_targets = network.resolve_target_ips(aws, source)
        except UserError:
            db.expected_targets = []
    else:
        db.expected_targets = [source.id]
    now = {t.target_id for t in db.targets if t.state != "draining"}
    if db.expected_targets and set(db.expected_targets) != now:
        found.append(
            Finding(
                "problem",
                f"{db.source_id}: the registered addresses are out of date",
                f"The database now uses {', '.join(db.expected_targets)}, but its target group "
                f"points at {', '.join(sorted(now)) or 'nothing'}.",
                "Register the database's current addresses (Refresh targets).",
                fix_key("refresh-targets", db.source_id),
            )
        )
    for t in db.targets:
        if t.state == "unhealthy":
            found.append(
                Finding(
                    "problem",
                    f"{db.source_id}: target {t.target_id}:{t.port} fails the health checks",
                    t.words,
                    "Check the database is running and its firewall lets the load balancer in.",
                )
            )
    return found
