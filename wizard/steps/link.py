"""A link being built: where to act, what is wanted, what exists; the step interface; the link's lock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import ClassVar

from wizard.aws import nlb
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError, bad_input
from wizard.model import LinkPlan, LinkRecord
from wizard.state import DamagedRecordError, RecordStore

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    pass


@dataclass
class Link:
    """Everything a step needs: where to act, what is wanted, what exists."""

    aws: AwsContext
    plan: LinkPlan
    record: LinkRecord
    store: RecordStore
    notes: list[str] = field(default_factory=list)  # what the user should hear about opening it

    def save(self) -> None:
        self.store.save(self.record)

    def created(self, kind: str) -> Callable[[str], None]:
        """An on_created callback: note the new id in the record and save it immediately."""

        def note(resource_id: str) -> None:
            self.record.note_created(kind, resource_id)
            self.save()

        return note


def open_link(aws: AwsContext, plan: LinkPlan, account_id: str, store: RecordStore | None = None) -> Link:
    """Resume the saved record for this link, or start a new one (setting a damaged one aside:
    every step finds what exists by its tags, so nothing is lost)."""
    store = store or RecordStore()
    notes = []
    try:
        saved = store.load(account_id, plan.region, plan.name)
    except DamagedRecordError as damaged:
        kept = store.set_aside(damaged)
        notes.append(f"The saved progress file was damaged ({damaged.why}); it is kept as {kept}.")
        saved = None
    record = saved or LinkRecord(name=plan.name, region=plan.region, account_id=account_id)
    if record.port and record.port != plan.port and "target_group" in record.completed_steps:
        # Another port is asked: the target group step is to do again (it converges the link).
        record.completed_steps.remove("target_group")
    record.source_id = plan.source.id
    record.source_kind = plan.source.kind.value
    record.port = plan.port
    record.principal = plan.principal
    return Link(aws, plan, record, store, notes)


@dataclass(frozen=True)
class PreviewItem:
    action: str  # "create" | "reuse" | "change" | "remove"
    what: str
    detail: str = ""

    def line(self) -> str:
        verb = {
            "create": "Will create",
            "reuse": "Will reuse",
            "change": "Will change",
            "remove": "Will remove",
            "cost": "Will cost",
        }[self.action]
        return f"{verb}: {self.what}" + (f" ({self.detail})" if self.detail else "")


class Step:
    id: ClassVar[str]
    title: ClassVar[str]

    def check(self, link: Link) -> list[CheckRow]:
        return []

    def preview(self, link: Link) -> list[PreviewItem]:
        raise NotImplementedError

    def apply(self, link: Link, progress: Progress = quiet) -> None:
        raise NotImplementedError

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        raise bad_input(f"There is no automatic fix for '{key}' on this step")


def require_nlb(link: Link) -> nlb.NlbInfo:
    found = nlb.find_nlb(link.aws, link.plan.name)
    if found is None:
        raise UserError(
            what="The load balancer for this link does not exist yet",
            fix="Run the load balancer step first.",
        )
    return found


def link_lock(link: Link, wait: float = 0, progress: Progress = quiet) -> AbstractContextManager[None]:
    """The link's lock. The GUI refuses at once (wait 0); the CLI waits up to `wait` seconds,
    saying so, and then finds whatever the other run created."""

    def waiting() -> None:
        progress(
            f"Another window or command is changing the link '{link.plan.name}'; waiting up to "
            f"{wait:g} s for it to finish…"
        )

    return link.store.locked(
        link.record.account_id, link.plan.region, link.plan.name, wait=wait, on_wait=waiting
    )


def merge_saved(link: Link) -> None:
    """Fold in what another run saved while this one waited for the lock, so saving this record
    never drops a resource the other run noted."""
    saved = link.store.load(link.record.account_id, link.plan.region, link.plan.name)
    if saved is None:
        return
    record = link.record
    for res in saved.created:
        record.note_created(res.kind, res.id, res.note, **res.details())
    for step_id in saved.completed_steps:
        record.mark_done(step_id)
    for name in (
        "nlb_arn",
        "nlb_dns_name",
        "target_group_arn",
        "listener_arn",
        "endpoint_service_id",
        "service_name",
        "alert_email",
    ):
        if not getattr(record, name):
            setattr(record, name, getattr(saved, name))
    record.az_ids = record.az_ids or saved.az_ids
    # The databases added to the link: only add / remove change them, under this same lock, so
    # the saved list is the one that holds (one added or removed meanwhile included).
    record.databases = list(saved.databases)
    for endpoint_id in saved.accepted_endpoint_ids:
        if endpoint_id not in record.accepted_endpoint_ids:
            record.accepted_endpoint_ids.append(endpoint_id)
