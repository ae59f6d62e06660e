"""The steps package's own logic, with no AWS: opening a link from its record, folding in what
another run saved, the step runner's bookkeeping, and the message to the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wizard import steps
from wizard.consumers import load_consumer
from wizard.errors import UserError
from wizard.model import DataSource, LinkPlan, LinkRecord, SourceKind
from wizard.state import RecordStore
from wizard.steps.link import Progress, merge_saved, quiet

ACCOUNT = "123456789012"
MYSQL = DataSource(SourceKind.RDS_INSTANCE, "orders-mysql", "vpc-0123456789abcdef0", "mysql", 3306)
TUNNEL = DataSource(SourceKind.EC2_INSTANCE, "i-0123456789abcdef0", "vpc-0123456789abcdef0")
NO_AWS: Any = object()  # none of these calls reaches AWS: any use of it would fail loudly


def plan(source: DataSource = MYSQL, port: int | None = None) -> LinkPlan:
    return LinkPlan.of(
        name="plw-orders",
        region="us-east-1",
        source=source,
        consumer=load_consumer(),
        subnet_ids=["subnet-1"],
        port=port,
    )


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path)


def test_a_new_link_starts_a_record_holding_what_the_plan_asks(store: RecordStore) -> None:
    link = steps.open_link(NO_AWS, plan(), ACCOUNT, store)
    record = link.record
    assert (record.name, record.region, record.account_id) == ("plw-orders", "us-east-1", ACCOUNT)
    assert (record.source_id, record.source_kind, record.port) == ("orders-mysql", "rds-instance", 3306)
    assert record.principal == load_consumer().principal and link.notes == []


def test_another_port_reopens_the_target_group_step_and_nothing_else(store: RecordStore) -> None:
    saved = LinkRecord(name="plw-orders", region="us-east-1", account_id=ACCOUNT, port=3306)
    saved.completed_steps = ["nlb", "target_group", "endpoint_service"]
    store.save(saved)
    assert steps.open_link(NO_AWS, plan(port=3306), ACCOUNT, store).record.completed_steps == [
        "nlb",
        "target_group",
        "endpoint_service",
    ]
    record = steps.open_link(NO_AWS, plan(port=3307), ACCOUNT, store).record
    assert record.completed_steps == ["nlb", "endpoint_service"] and record.port == 3307


def test_a_damaged_record_is_set_aside_with_a_note_and_the_link_starts_afresh(store: RecordStore) -> None:
    path = store.path(ACCOUNT, "us-east-1", "plw-orders")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[]", encoding="utf-8")
    link = steps.open_link(NO_AWS, plan(), ACCOUNT, store)
    assert link.record.created == [] and len(link.notes) == 1
    assert "The saved progress file was damaged" in link.notes[0]
    assert not path.exists() and any(path.parent.iterdir())  # kept beside it, under another name


def test_what_another_run_saved_is_folded_in_never_dropped(store: RecordStore) -> None:
    link = steps.open_link(NO_AWS, plan(), ACCOUNT, store)
    link.record.note_created("nlb", "arn:nlb/mine")
    other = LinkRecord(name="plw-orders", region="us-east-1", account_id=ACCOUNT)
    other.note_created("target-group", "arn:tg/theirs")
    other.target_group_arn = "arn:tg/theirs"
    other.accepted_endpoint_ids = ["vpce-1"]
    other.mark_done("target_group")
    store.save(other)
    merge_saved(link)
    assert [(r.kind, r.id) for r in link.record.created] == [
        ("nlb", "arn:nlb/mine"),
        ("target-group", "arn:tg/theirs"),
    ]
    assert link.record.target_group_arn == "arn:tg/theirs"
    assert link.record.completed_steps == ["target_group"]
    assert link.record.accepted_endpoint_ids == ["vpce-1"]


class Failing(steps.Step):
    id = "failing"
    title = "A step that fails"

    def apply(self, link: steps.Link, progress: Progress = quiet) -> None:
        raise UserError("It broke", fix="Try again.")


class Working(steps.Step):
    id = "working"
    title = "A step that works"

    def apply(self, link: steps.Link, progress: Progress = quiet) -> None:
        progress("working")


def test_a_failing_step_leaves_its_error_in_the_record_and_a_later_success_clears_it(
    store: RecordStore,
) -> None:
    link = steps.open_link(NO_AWS, plan(), ACCOUNT, store)
    with pytest.raises(UserError, match="It broke"):
        steps.apply_step(link, Failing())
    saved = store.load(ACCOUNT, "us-east-1", "plw-orders")
    assert saved is not None and "It broke" in saved.last_error and "Try again." in saved.last_error
    heard: list[str] = []
    steps.apply_step(link, Working(), heard.append)
    saved = store.load(ACCOUNT, "us-east-1", "plw-orders")
    assert heard == ["working"] and saved is not None and saved.last_error == ""


def test_steps_are_found_by_id_and_an_unknown_one_is_an_error() -> None:
    assert [s.id for s in steps.SETUP_STEPS] == ["nlb", "target_group", "endpoint_service", "allowlist"]
    assert steps.step_by_id("allowlist") is steps.SETUP_STEPS[-1]
    with pytest.raises(KeyError):
        steps.step_by_id("nope")


def test_a_preview_line_says_what_will_happen_in_words() -> None:
    assert steps.PreviewItem("create", "Load balancer plw-orders", "internal").line() == (
        "Will create: Load balancer plw-orders (internal)"
    )
    assert (
        steps.PreviewItem("remove", "TCP listener on port 22").line()
        == "Will remove: TCP listener on port 22"
    )


def test_the_message_to_the_platform_names_the_service_port_zones_and_what_it_reaches(
    store: RecordStore,
) -> None:
    link = steps.open_link(NO_AWS, plan(TUNNEL, port=22), ACCOUNT, store)
    with pytest.raises(UserError, match="There is no service name yet"):
        steps.service_summary(link)
    link.record.service_name = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    link.record.az_ids = ["use1-az1", "use1-az2"]
    summary = steps.service_summary(link)
    assert summary.port == 22 and summary.az_ids == ("use1-az1", "use1-az2")
    assert "Service name: com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0" in summary.message
    assert "Availability zone IDs: use1-az1, use1-az2" in summary.message
    assert "our SSH tunnel host (i-0123456789abcdef0) on port 22" in summary.message
    assert f"Your principal {load_consumer().principal} is allowed" in summary.message
