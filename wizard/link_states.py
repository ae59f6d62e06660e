"""Each link of an account and region in one word, with its next action: what the home screen and
`privatelink-wizard list` show. The word is read off `diagnostics.link_status` (the same checks
as link health), never worked out a second way. No Qt here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wizard import diagnostics
from wizard.aws.session import AwsContext, Identity
from wizard.consumers import Consumer
from wizard.diagnostics import Finding, LinkStatus
from wizard.model import LinkRecord
from wizard.state import RecordStore

HEALTHY = "Healthy"
WAITING = "Waiting for the platform"
NEEDS_ATTENTION = "Needs attention"
UNFINISHED = "Unfinished"
NOT_SYNCED = "Not synced"
WORDS = (HEALTHY, WAITING, NEEDS_ATTENTION, UNFINISHED, NOT_SYNCED)

# What the next action does (the home screen's button for it).
ACCEPT, FIX, CONTINUE, SYNC, OPEN, HEALTH = "accept", "fix", "continue", "sync", "open", "health"

# The build's steps in order (wizard.steps ids) and how the next one is said.
SETUP_STEPS = ("nlb", "target_group", "endpoint_service", "allowlist")
STEP_WORDS = {
    "nlb": "the load balancer",
    "target_group": "the target group",
    "endpoint_service": "the endpoint service",
    "allowlist": "allowing the platform",
}

# Target sync (another part of the work) reports here: why a link's targets are out of sync
# with its database, or "" when they are in sync or the link has no sync.
SyncProbe = Callable[[LinkStatus], str]


def no_sync(_status: LinkStatus) -> str:
    return ""


@dataclass(frozen=True)
class LinkState:
    name: str
    word: str  # one of WORDS
    next_action: str  # plain words: what to do now
    action: str = ""  # ACCEPT, FIX, CONTINUE, SYNC, OPEN, HEALTH: what the action button does
    fix_key: str = ""  # the diagnostics fix the action applies (FIX, ACCEPT and SYNC)
    severity: str = "ok"  # "ok" | "warning" | "problem": the mark beside the word
    source_id: str = ""
    completed_steps: tuple[str, ...] = ()  # from the record, else from what exists in AWS
    status: LinkStatus | None = field(default=None, compare=False, repr=False)

    def record(self) -> LinkRecord:
        """The link's saved record, or one made from what exists (a link built elsewhere), to
        continue or open it in the wizard."""
        s = self.status
        if s is not None and s.record is not None:
            return s.record
        record = LinkRecord(self.name, s.region if s else "", s.account_id if s else "")
        record.source_id = self.source_id
        record.port = s.port if s else 0
        record.completed_steps = list(self.completed_steps)
        if s is not None and s.service is not None:
            record.endpoint_service_id, record.service_name = s.service.id, s.service.name
        return record

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.word,
            "next_action": self.next_action,
            "action": self.action,
            "source_id": self.source_id,
            "completed_steps": list(self.completed_steps),
            "databases": [d.source_id for d in self.status.databases] if self.status else [],
        }


def built_steps(s: LinkStatus, principal: str, platform_account: str) -> list[str]:
    """The steps whose result exists in AWS (for a link with no saved record)."""
    done = []
    if s.nlb is not None:
        done.append("nlb")
    if s.target_group is not None and any(s.target_group.arn in ls.target_group_arns for ls in s.listeners):
        done.append("target_group")
    if s.service is not None:
        done.append("endpoint_service")
        if principal in s.principals:
            done.append("allowlist")
    if any(c.state == "available" and c.owner_account == platform_account for c in s.connections):
        done.append("accept")
    return done


def _with_fix(f: Finding) -> str:
    return f"{f.title}. {f.fix}" if f.fix else f"{f.title}."


def link_state(s: LinkStatus, consumer: Consumer, sync_reason: str = "") -> LinkState:
    """The word for one link and its next action, from its status (diagnostics.link_status)."""
    platform = consumer.account_for(s.record.principal if s.record else "")
    principal = (s.record.principal if s.record else "") or consumer.principal
    built = built_steps(s, principal, platform)
    done = tuple(s.record.completed_steps) if s.record else tuple(built)
    source_id = s.source.id if s.source else (s.record.source_id if s.record else "")

    def state(word: str, next_action: str, action: str, fix_key: str = "", severity: str = "ok") -> LinkState:
        return LinkState(s.name, word, next_action, action, fix_key, severity, source_id, done, s)

    missing = [step for step in SETUP_STEPS if step not in done]
    if missing:
        return state(UNFINISHED, f"Continue: {STEP_WORDS[missing[0]]} is next.", CONTINUE, severity="warning")
    problems = [f for f in s.findings if f.severity == "problem" and f.fix_key != "accept-connection"]
    if problems:
        first = problems[0]
        more = f" {len(problems) - 1} more: see Check health." if len(problems) > 1 else ""
        return state(
            NEEDS_ATTENTION,
            _with_fix(first) + more,
            FIX if first.fix_key else HEALTH,
            first.fix_key,
            "problem",
        )
    if sync_reason:
        return state(NOT_SYNCED, f"{sync_reason} Sync the targets.", SYNC, "refresh-targets", "warning")
    pending = [c for c in s.connections if c.state == "pendingAcceptance" and c.owner_account == platform]
    if pending:
        ids = ", ".join(c.endpoint_id for c in pending)
        return state(
            WAITING,
            f"{consumer.display_name}'s connection request {ids} is waiting: accept it.",
            ACCEPT,
            "accept-connection",
            "warning",
        )
    if "accept" not in built:
        name = s.service.name if s.service else "the service name"
        return state(
            WAITING,
            f"Send {name} to {consumer.display_name}; its connection request will show here.",
            OPEN,
            severity="warning",
        )
    warnings = [f for f in s.findings if f.severity == "warning"]
    if warnings:
        return state(HEALTHY, _with_fix(warnings[0]), HEALTH, severity="warning")
    return state(HEALTHY, "Nothing to do: the platform is connected.", OPEN)


def list_links(
    aws: AwsContext,
    identity: Identity,
    consumer: Consumer,
    store: RecordStore,
    sync_probe: SyncProbe = no_sync,
) -> list[LinkState]:
    """Every link of this account and region (by the wizard's tags in AWS and by saved records),
    each with its word. Reads only."""
    states = []
    for name in diagnostics.link_names(aws, identity.account_id, store):
        status = diagnostics.link_status(aws, identity, name, consumer, store)
        states.append(link_state(status, consumer, sync_probe(status)))
    return states


def text(states: list[LinkState], region: str, account_id: str) -> str:
    """`privatelink-wizard list` without --json: one block per link."""
    if not states:
        return f"No links found in {region} for account {account_id}."
    width = max(len(s.name) for s in states)
    lines = [f"Links in {region} (account {account_id}):"]
    for s in states:
        count = len(s.status.databases) if s.status else 0  # several databases on one link
        lines.append(f"  {s.name:<{width}}  {s.word}" + (f" ({count} databases)" if count > 1 else ""))
        lines.append(f"  {'':<{width}}  Next: {s.next_action}")
    return "\n".join(lines)
