"""A link's databases in a DBA's words: "2 databases", each one's health, and the question asked
before one is removed. No Qt and no engine import (the home screen uses it before boto3 loads).
A database comes as a DatabaseRow, made from what the engine read: the link's status
(wizard.diagnostics.databases.DatabaseStatus, the home screen) or its list of databases
(wizard.steps.databases.DatabaseOnLink, the Done page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Severity of a database's health -> the mark beside it (as the home screen's words).
MARKS = {"ok": "✔", "warning": "⚠", "problem": "✖"}


@dataclass(frozen=True)
class DatabaseRow:
    source_id: str
    source_kind: str  # SourceKind value ("" when only AWS knows the database)
    port: int  # the database's own port
    listener_port: int  # the port the platform uses (0: no listener)
    target_group_name: str = ""
    targets: tuple[Any, ...] = ()  # wizard.aws.target_group.TargetHealthInfo
    problem: str = ""  # the first problem link health found with it ("" = none)


def row_of(database: Any) -> DatabaseRow:
    """A DatabaseStatus (targets, findings, target_group) or a DatabaseOnLink (health,
    target_group_name) as a row."""
    targets = tuple(getattr(database, "health", ()) or getattr(database, "targets", ()))
    name = getattr(database, "target_group_name", "") or getattr(database, "target_group", "")
    findings = getattr(database, "findings", ())
    problem = next((f.title for f in findings if f.severity == "problem"), "")
    source_id, kind = database.source_id, database.source_kind
    return DatabaseRow(source_id, kind, database.port, database.listener_port, name, targets, problem)


def count_words(count: int) -> str:
    return f"{count} database{'' if count == 1 else 's'}"


def database_cell(databases: Sequence[Any], fallback: str) -> str:
    """The home screen's Database column: the one database, or "2 databases: a, b"."""
    if len(databases) <= 1:
        return databases[0].source_id if databases else fallback
    return f"{count_words(len(databases))}: " + ", ".join(d.source_id for d in databases)


def health(database: Any) -> tuple[str, str]:
    """(severity, words) for one database: its listener and its target group's targets."""
    if not database.listener_port:
        return "problem", "no listener: the platform cannot reach it"
    targets = list(database.targets)
    if not targets:
        return "problem", "no targets registered"
    healthy = sum(1 for t in targets if t.state == "healthy")
    if healthy == len(targets):
        # Targets can pass while link health finds something (its firewall rule gone).
        return ("problem", database.problem) if database.problem else ("ok", "healthy")
    if all(t.state == "initial" for t in targets):
        return "warning", targets[0].words
    other = next(t for t in targets if t.state != "healthy")
    return "problem", f"{healthy} of {len(targets)} targets healthy; {other.words}"


def health_text(database: Any) -> str:
    severity, words = health(database)
    return f"{MARKS[severity]} {words}"


def ports_words(databases: Sequence[Any]) -> str:
    """ "port 5432 for analytics-pg and port 5433 for reports-aurora"."""
    parts = [f"port {d.listener_port} for {d.source_id}" for d in databases]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def removal_question(database: Any, link_name: str, others: Sequence[Any]) -> str:
    """What removing one database deletes, what stays, and the question."""
    deleted = []
    if database.listener_port:
        deleted.append(
            f"• The listener on port {database.listener_port} of the load balancer {link_name}: "
            f"the platform's connections to {database.source_id} on that port stop."
        )
    if database.target_group_name:
        deleted.append(
            f"• The target group {database.target_group_name}: where that listener forwards to "
            f"{database.source_id}."
        )
    deleted.append(
        f"• The firewall rules the wizard added to {database.source_id}'s security group for the "
        "load balancer, and its health alarm, where there are any."
    )
    kept = ", ".join(f"{d.source_id} (port {d.listener_port})" for d in others)
    return (
        f"These resources of the database {database.source_id} on the link '{link_name}' will be "
        f"deleted from your AWS account:\n" + "\n".join(deleted) + "\n\n"
        f"The database itself is not touched. The link, its endpoint service and its other "
        f"database{'s' if len(others) > 1 else ''} ({kept}) stay as they are: the platform keeps "
        "its connection and the ports it uses.\n\nRemove the database from the link now?"
    )
