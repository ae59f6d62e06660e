"""Reconciling the target group with the addresses the database has now, the state kept on the
group's tags, and one run (the Lambda's handler, `privatelink-wizard sync`). Part of the target
sync (see __init__): standard library and boto3 only."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .addresses import AURORA, MULTI_AZ_CLUSTER, NoTargets, aws_step, desired_targets, locate

MISSES_BEFORE_REMOVAL = 3
# The state kept on the target group. ELB tags: at most 50 per resource, keys up to 128 and
# values up to 256 characters of letters, digits, spaces and + - = . _ : / @ ("Tag a target group
# for your Network Load Balancer"; API reference, Tag). Three tags, compact values.
TAG_MISSES = "privatelink-wizard:sync-misses"  # "10.0.1.5=2 10.0.2.7=1": runs each was missing
TAG_WRITER = "privatelink-wizard:sync-writer"  # a cluster's writer instance at the last run
TAG_LAST_RUN = "privatelink-wizard:sync-last-run"  # "at=… registered=…+… deregistered=… …"
TAG_VALUE_MAX = 256
_LEAVING = {"draining"}


@dataclass(frozen=True)
class SyncResult:
    registered: tuple[str, ...] = ()
    deregistered: tuple[str, ...] = ()
    waiting: dict[str, int] = field(default_factory=dict)  # still registered: runs missing so far
    current: tuple[str, ...] = ()  # the addresses the database has now
    writer: str = ""
    at: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.registered or self.deregistered)

    def to_dict(self) -> dict[str, Any]:
        return {
            "registered": list(self.registered),
            "deregistered": list(self.deregistered),
            "waiting": dict(self.waiting),
            "current": list(self.current),
            "writer": self.writer,
            "at": self.at,
        }

    def words(self, removal_after: int = MISSES_BEFORE_REMOVAL) -> str:
        """What the run did, in plain words."""
        parts = []
        if self.registered:
            parts.append(f"registered {', '.join(self.registered)}")
        if self.deregistered:
            parts.append(f"removed {', '.join(self.deregistered)}")
        for ip, count in self.waiting.items():
            parts.append(
                f"{ip} is no longer the database's address ({count} of {removal_after} checks); "
                "it is removed if it stays away"
            )
        if not parts:
            return f"nothing to change: the target group points at {', '.join(self.current)}"
        return "; ".join(parts)


# ---- the target group: what is registered, and the state kept on its tags -----------------------


def _group_tags(clients: Any, tg_arn: str) -> dict[str, str]:
    with aws_step("Reading the target group's tags", "elasticloadbalancing:DescribeTags"):
        reply = clients.elbv2.describe_tags(ResourceArns=[tg_arn])
    descriptions = reply.get("TagDescriptions", [])
    return {t["Key"]: t.get("Value", "") for d in descriptions for t in d.get("Tags", [])}


def _registered(clients: Any, tg_arn: str) -> list[tuple[str, int]]:
    """(address, port) of every target still in the group (a draining one is leaving)."""
    with aws_step("Checking target health", "elasticloadbalancing:DescribeTargetHealth"):
        reply = clients.elbv2.describe_target_health(TargetGroupArn=tg_arn)
    return [
        (d["Target"]["Id"], int(d["Target"].get("Port", 0)))
        for d in reply.get("TargetHealthDescriptions", [])
        if d.get("TargetHealth", {}).get("State") not in _LEAVING
    ]


def parse_counts(text: str) -> dict[str, int]:
    """'10.0.1.5=2 10.0.2.7=1' -> {'10.0.1.5': 2, '10.0.2.7': 1} (anything else is dropped)."""
    counts: dict[str, int] = {}
    for item in text.split():
        ip, _, count = item.partition("=")
        if count.isdigit():
            counts[ip] = int(count)
    return counts


def _fit(value: str) -> str:
    """A tag value ELB accepts: its characters only, at most TAG_VALUE_MAX of them."""
    kept = "".join(c if c.isalnum() or c in " _.:/=+-@" else " " for c in value)
    return " ".join(kept.split())[:TAG_VALUE_MAX]


def last_run_text(result: SyncResult | None, error: str = "", at: str = "") -> str:
    """The value of TAG_LAST_RUN: when, and what the run did (or the error that stopped it)."""
    at = at or (result.at if result else "") or _now()
    parts = [f"at={at}"]
    if result is not None:
        for key, ips in (("registered", result.registered), ("deregistered", result.deregistered)):
            if ips:
                parts.append(f"{key}={'+'.join(ips)}")
        if result.waiting:
            parts.append("waiting=" + "+".join(f"{ip}:{n}" for ip, n in result.waiting.items()))
        parts.append(f"current={'+'.join(result.current)}")
    if error:
        parts.append(f"error={error}")
    return _fit(" ".join(parts))


def parse_last_run(text: str) -> dict[str, str]:
    """TAG_LAST_RUN's value as a dict (at, registered, deregistered, waiting, current, error);
    an error runs to the end of the value, so it may hold spaces."""
    head, _, error = text.partition(" error=")
    if text.startswith("error="):
        head, error = "", text[len("error=") :]
    found = dict(item.partition("=")[::2] for item in head.split() if "=" in item)
    if error:
        found["error"] = error
    return found


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_state(clients: Any, tg_arn: str, tags: dict[str, str], old: dict[str, str]) -> None:
    """Set the changed state tags; remove a miss count that is no longer needed."""
    changed = [{"Key": k, "Value": v} for k, v in tags.items() if old.get(k) != v]
    if changed:
        with aws_step("Noting the sync's state on the target group", "elasticloadbalancing:AddTags"):
            clients.elbv2.add_tags(ResourceArns=[tg_arn], Tags=changed)
    if TAG_MISSES in old and TAG_MISSES not in tags:
        with aws_step("Noting the sync's state on the target group", "elasticloadbalancing:RemoveTags"):
            clients.elbv2.remove_tags(ResourceArns=[tg_arn], TagKeys=[TAG_MISSES])


def note_failure(clients: Any, tg_arn: str, error: str) -> None:
    """Record on the target group that a run failed (status shows it); best effort."""
    with contextlib.suppress(Exception):
        old = _group_tags(clients, tg_arn)
        _write_state(clients, tg_arn, {**_state_tags(old), TAG_LAST_RUN: last_run_text(None, error)}, old)


def read_state(clients: Any, tg_arn: str) -> dict[str, str]:
    """The sync's state tags on the target group (for status)."""
    return _state_tags(_group_tags(clients, tg_arn))


def _state_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k in (TAG_MISSES, TAG_WRITER, TAG_LAST_RUN)}


def reconcile(
    clients: Any,
    tg_arn: str,
    port: int,
    wanted: Sequence[str],
    writer: str = "",
    removal_after: int = MISSES_BEFORE_REMOVAL,
) -> SyncResult:
    """Register `wanted` on `port` at once; deregister what is not wanted once it has been missing
    `removal_after` runs in a row (at once when the cluster's writer changed). Never empties the
    group: `wanted` must name at least one address."""
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        raise NoTargets("No address to point the target group at; nothing was changed")
    old = _group_tags(clients, tg_arn)
    misses = parse_counts(old.get(TAG_MISSES, ""))
    writer_moved = bool(writer and old.get(TAG_WRITER) and old[TAG_WRITER] != writer)
    present = _registered(clients, tg_arn)
    on_port = {ip for ip, p in present if p == port}
    to_register = [ip for ip in wanted if ip not in on_port]
    stale: list[tuple[str, int]] = []
    waiting: dict[str, int] = {}
    for ip, p in present:
        if ip in wanted and p == port:
            continue
        count = misses.get(ip, 0) + 1
        if writer_moved or count >= removal_after:
            stale.append((ip, p))
        else:
            waiting[ip] = count
    # New addresses first: the link carries traffic again before anything is taken away.
    if to_register:
        with aws_step("Registering the database as a target", "elasticloadbalancing:RegisterTargets"):
            clients.elbv2.register_targets(
                TargetGroupArn=tg_arn, Targets=[{"Id": ip, "Port": port} for ip in to_register]
            )
    if stale:
        with aws_step("Removing old targets", "elasticloadbalancing:DeregisterTargets"):
            clients.elbv2.deregister_targets(
                TargetGroupArn=tg_arn, Targets=[{"Id": ip, "Port": p} for ip, p in stale]
            )
    result = SyncResult(
        registered=tuple(to_register),
        deregistered=tuple(dict.fromkeys(ip for ip, _ in stale)),
        waiting=waiting,
        current=tuple(wanted),
        writer=writer,
        at=_now(),
    )
    state = {TAG_LAST_RUN: last_run_text(result)}
    if waiting:
        state[TAG_MISSES] = _fit(" ".join(f"{ip}={n}" for ip, n in waiting.items()))
    if writer:
        state[TAG_WRITER] = _fit(writer)
    _write_state(clients, tg_arn, state, _state_tags(old))
    return result


# ---- one run: the Lambda's, and `privatelink-wizard sync`'s ---------------------------------------


@dataclass(frozen=True)
class Config:
    """What the function is told about its link (its environment variables)."""

    target_group_arn: str
    port: int
    kind: str
    source_id: str
    vpc_id: str
    removal_after: int = MISSES_BEFORE_REMOVAL

    def environment(self) -> dict[str, str]:
        return {
            "TARGET_GROUP_ARN": self.target_group_arn,
            "PORT": str(self.port),
            "SOURCE_KIND": self.kind,
            "SOURCE_ID": self.source_id,
            "VPC_ID": self.vpc_id,
            "MISSES_BEFORE_REMOVAL": str(self.removal_after),
        }

    @classmethod
    def from_environment(cls, env: dict[str, str] | Any) -> Config:
        return cls(
            target_group_arn=env["TARGET_GROUP_ARN"],
            port=int(env["PORT"]),
            kind=env["SOURCE_KIND"],
            source_id=env["SOURCE_ID"],
            vpc_id=env["VPC_ID"],
            removal_after=int(env.get("MISSES_BEFORE_REMOVAL") or MISSES_BEFORE_REMOVAL),
        )


# The link's other databases (added with `privatelink-wizard add`): one function keeps every
# database's target group filled. Lambda allows 4 KB of environment variables in all (Lambda
# quotas), about fifteen databases of ~200 characters each.
EXTRA_DATABASES = "EXTRA_DATABASES"


def environment_of(configs: Sequence[Config]) -> dict[str, str]:
    """The function's environment for these databases: the first in the single-database
    variables (as older versions wrote them), the others as JSON in EXTRA_DATABASES."""
    env = configs[0].environment()
    if len(configs) > 1:
        env[EXTRA_DATABASES] = json.dumps([c.environment() for c in configs[1:]], separators=(",", ":"))
    return env


def configs_from_environment(env: dict[str, str] | Any) -> list[Config]:
    """Every database the function keeps (its first, then EXTRA_DATABASES)."""
    extra = json.loads(env.get(EXTRA_DATABASES) or "[]")
    return [Config.from_environment(env), *(Config.from_environment(e) for e in extra)]


def run(config: Config, clients: Any, resolve: Callable[[str], list[str]] | None = None) -> SyncResult:
    """One reconcile: where the database is now, its addresses, the target group made to match.
    A failure is noted on the target group (status shows it) and raised."""
    try:
        source = locate(clients, config.kind, config.source_id, config.vpc_id)
        wanted = desired_targets(clients, source, resolve)
        cluster = config.kind in (AURORA, MULTI_AZ_CLUSTER)
        return reconcile(
            clients,
            config.target_group_arn,
            config.port,
            wanted,
            writer=source.instance_id if cluster else "",
            removal_after=config.removal_after,
        )
    except Exception as exc:
        note_failure(clients, config.target_group_arn, str(getattr(exc, "what", "") or exc))
        raise


@dataclass
class Clients:
    """The three AWS clients the sync uses (the wizard passes its own AwsContext instead)."""

    ec2: Any
    elbv2: Any
    rds: Any

    @classmethod
    def default(cls, **options: Any) -> Clients:
        import boto3

        return cls(*(boto3.client(name, **options) for name in ("ec2", "elbv2", "rds")))


def handle(event: Any, env: dict[str, str] | Any, clients: Any) -> dict[str, Any]:
    """The Lambda's work, given its environment and clients (the sandbox's demo calls this): every
    database of the link in turn; one failing does not stop the others (each failure is noted
    on its own target group), and the run fails after all were tried."""
    configs = configs_from_environment(env)
    results: list[dict[str, Any]] = []
    failed: Exception | None = None
    for config in configs:
        try:
            results.append(run(config, clients).to_dict() | {"source_id": config.source_id})
        except Exception as exc:  # noted on the group by run(); the others still get their turn
            failed = failed or exc
    if failed is not None:
        raise failed
    reply = results[0] | {"trigger": _trigger(event)}
    if len(results) > 1:
        reply["databases"] = results
    return reply


def _trigger(event: Any) -> str:
    if isinstance(event, dict) and event.get("source") == "aws.rds":
        detail = event.get("detail", {})
        return f"{detail.get('EventID', 'RDS event')} {detail.get('SourceIdentifier', '')}".strip()
    return "schedule"


def handler(event: Any, context: Any) -> dict[str, Any]:
    """AWS Lambda's entry point: triggered by the schedule and by the database's RDS events."""
    reply = handle(event, os.environ, Clients.default())
    print(json.dumps(reply))  # the function's log (CloudWatch Logs) keeps one line per run
    return reply
