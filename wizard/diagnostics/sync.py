"""The target sync in `status`: whether it is deployed, when it last ran and what it did (from the
state it keeps on the target group's tags), and what that means for the link's targets. (Part of
`wizard.diagnostics`.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from wizard.aws import sync_deploy, target_sync
from wizard.aws.session import AwsContext
from wizard.diagnostics.status import Finding, LinkStatus

# Runs every 5 minutes: a last run older than this means the schedule is not running it.
STALE_MINUTES = 20


@dataclass
class SyncStatus:
    deployed: bool = False
    function: str = ""
    last_run: dict[str, str] = field(default_factory=dict)  # target_sync.parse_last_run
    waiting: dict[str, int] = field(default_factory=dict)  # old addresses still registered

    def minutes_ago(self, now: datetime | None = None) -> int | None:
        try:
            at = datetime.strptime(self.last_run.get("at", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return int(((now or datetime.now(UTC)) - at).total_seconds() // 60)

    def line(self) -> str:
        if not self.deployed:
            return "Target sync: not deployed (run setup without --no-sync to add it)"
        ago = self.minutes_ago()
        if ago is None:
            return f"Target sync: {self.function}, deployed; it has not run yet"
        what = _did(self.last_run)
        return f"Target sync: {self.function}, last ran {_ago(ago)}: {what}"


def _ago(minutes: int) -> str:
    return "just now" if minutes < 1 else f"{minutes} minute{'s' if minutes != 1 else ''} ago"


def _did(run: dict[str, str]) -> str:
    if run.get("error"):
        return f"failed: {run['error']}"
    parts = [f"{label} {run[key].replace('+', ', ')}" for key, label in _WORDS if run.get(key)]
    for item in filter(None, run.get("waiting", "").split("+")):
        ip, _, count = item.partition(":")
        parts.append(f"{ip} missing from {count} of {target_sync.MISSES_BEFORE_REMOVAL} runs, then removed")
    return "; ".join(parts) or f"nothing to change ({run.get('current', '').replace('+', ', ')})"


did = _did  # what a run did, in words (one database's block in status uses it too)

_WORDS = (("registered", "registered"), ("deregistered", "removed"))


def read(aws: AwsContext, s: LinkStatus) -> SyncStatus | None:
    """The link's target sync, for a link reached by IP (None for a server target)."""
    if s.target_group is None or s.target_group.target_type != "ip":
        return None
    found = sync_deploy.find_sync(aws, s.name)
    state = target_sync.read_state(aws, s.target_group.arn)
    return SyncStatus(
        deployed=found.deployed,
        function=sync_deploy.function_name(s.name),
        last_run=target_sync.parse_last_run(state.get(target_sync.TAG_LAST_RUN, "")),
        waiting=target_sync.parse_counts(state.get(target_sync.TAG_MISSES, "")),
    )


def findings(s: LinkStatus, sync: SyncStatus | None) -> list[Finding]:
    if sync is None or not sync.deployed:
        return []
    command = f"privatelink-wizard sync --region {s.region} --name {s.name}"
    log = sync_deploy.log_group_name(s.name)
    if sync.last_run.get("error"):
        return [
            Finding(
                "warning",
                "The target sync's last run failed",
                f"It said: {sync.last_run['error']}. Until it works, a failover is not followed.",
                f"Run `{command}` to see the error here, and read the function's log ({log} in "
                "CloudWatch Logs).",
            )
        ]
    ago = sync.minutes_ago()
    if ago is None:
        return []
    if ago > STALE_MINUTES:
        return [
            Finding(
                "warning",
                f"The target sync has not run for {ago} minutes",
                "It runs every 5 minutes; its schedule (EventBridge rule) may be disabled or "
                "deleted, or the function may fail before it can note its run.",
                f"Run setup again (it restores the sync), and read the function's log ({log}).",
            )
        ]
    # Said even when all is well: link health shows the sync at work (e.g. after a failover).
    return [
        Finding(
            "ok",
            "The target sync keeps the load balancer on the database's address",
            f"It runs every 5 minutes and on the database's failover and maintenance events; it "
            f"last ran {_ago(ago)}: {_did(sync.last_run)}.",
        )
    ]


def softened(s: LinkStatus, sync: SyncStatus | None, registered: set[str]) -> Finding | None:
    """While the sync waits to remove an old address (the current ones registered already), the
    targets are not out of date but being replaced: a warning, not a problem."""
    if sync is None or not sync.deployed or not s.expected_targets:
        return None
    extra = registered - set(s.expected_targets)
    if not set(s.expected_targets) <= registered or not extra or not extra <= set(sync.waiting):
        return None
    return Finding(
        "warning",
        f"The old address {', '.join(sorted(extra))} is still registered",
        f"The database now uses {', '.join(s.expected_targets)}, which the target sync has "
        f"registered; it removes the old address once it has been missing from "
        f"{target_sync.MISSES_BEFORE_REMOVAL} runs in a row (a passing wrong answer never cuts the link).",
        "Nothing to do; to remove it now, refresh the targets.",
        fix_key="refresh-targets",
    )
