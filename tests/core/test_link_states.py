"""The word for a link, from its status (the rules behind the home screen and `list`), on
statuses made by hand: what each combination of records, resources and findings says."""

from __future__ import annotations

from wizard import link_states as ls
from wizard.aws.connections import Connection
from wizard.aws.endpoint_service import ServiceInfo
from wizard.aws.nlb import NlbInfo
from wizard.aws.target_group import TargetGroupInfo
from wizard.consumers import load_consumer
from wizard.diagnostics import Finding, LinkStatus, ListenerInfo
from wizard.model import LinkRecord

RIVERY = load_consumer()
SETUP = ["nlb", "target_group", "endpoint_service", "allowlist"]


def built(
    record_steps: list[str] | None = SETUP,
    findings: list[Finding] | None = None,
    connections: list[Connection] | None = None,
) -> LinkStatus:
    """A link whose whole chain exists; `record_steps` None: no saved record (built elsewhere)."""
    record = None
    if record_steps is not None:
        record = LinkRecord("plw-x", "us-east-1", "123456789012", source_id="orders-mysql")
        record.completed_steps = list(record_steps)
    s = LinkStatus("plw-x", "us-east-1", "123456789012", record=record)
    s.nlb = NlbInfo("arn:nlb", "plw-x", "dns", "vpc-1", "active", "internal", ("subnet-1",), (), True)
    s.target_group = TargetGroupInfo("arn:tg", "plw-x-3306", 3306, "TCP", "ip", "vpc-1")
    s.listeners = [ListenerInfo(3306, "TCP", ("arn:tg",))]
    s.service = ServiceInfo(
        "vpce-svc-1", "com.amazonaws.vpce.us-east-1.vpce-svc-1", "Available", True, (), ()
    )
    s.principals = [RIVERY.principal]
    s.connections = connections if connections is not None else []
    s.findings = findings or [Finding("ok", "Everything checked is in order")]
    return s


def available() -> list[Connection]:
    return [Connection("vpce-1", RIVERY.account_id, "available")]


def test_connected_and_nothing_wrong_is_healthy_with_a_tick() -> None:
    state = ls.link_state(built(connections=available()), RIVERY)
    assert (state.word, state.severity, state.action) == (ls.HEALTHY, "ok", ls.OPEN)


def test_a_warning_is_never_shown_as_a_tick() -> None:
    """A setting waiting for a reboot (a warning) leaves the link working but not 'all fine'."""
    waiting = Finding("warning", "skip_name_resolve waits for a reboot", fix="Reboot orders-mysql.")
    state = ls.link_state(built(findings=[waiting], connections=available()), RIVERY)
    assert (state.word, state.severity) == (ls.HEALTHY, "warning")
    assert state.next_action == "skip_name_resolve waits for a reboot. Reboot orders-mysql."


def test_the_platform_not_asking_yet_is_waiting_with_the_service_name_to_send() -> None:
    state = ls.link_state(built(), RIVERY)
    assert (state.word, state.action) == (ls.WAITING, ls.OPEN)
    assert "Send com.amazonaws.vpce.us-east-1.vpce-svc-1 to Rivery" in state.next_action


def test_a_pending_request_from_the_platform_is_waiting_with_accept() -> None:
    pending = Finding("problem", "Connection vpce-2 is waiting", fix_key="accept-connection")
    request = [Connection("vpce-2", RIVERY.account_id, "pendingAcceptance")]
    state = ls.link_state(built(findings=[pending], connections=request), RIVERY)
    assert (state.word, state.action, state.fix_key) == (ls.WAITING, ls.ACCEPT, "accept-connection")


def test_a_problem_needs_attention_with_its_fix_before_anything_else() -> None:
    problem = Finding("problem", "No targets are registered", fix="Register them.", fix_key="refresh-targets")
    request = [Connection("vpce-2", RIVERY.account_id, "pendingAcceptance")]
    state = ls.link_state(built(findings=[problem], connections=request), RIVERY)
    assert (state.word, state.action, state.fix_key) == (ls.NEEDS_ATTENTION, ls.FIX, "refresh-targets")
    rejected = Finding("problem", "Rivery's connection vpce-2 is rejected", fix="Ask Rivery.")
    state = ls.link_state(built(findings=[rejected]), RIVERY)
    assert (state.word, state.action) == (ls.NEEDS_ATTENTION, ls.HEALTH)  # no automatic fix


def test_a_record_that_stopped_midway_is_unfinished_even_if_something_is_broken() -> None:
    problem = Finding("problem", "There is no endpoint service", fix="Run setup again.")
    state = ls.link_state(built(record_steps=["nlb", "target_group"], findings=[problem]), RIVERY)
    assert (state.word, state.action) == (ls.UNFINISHED, ls.CONTINUE)
    assert state.next_action == "Continue: the endpoint service is next."
    assert state.record().completed_steps == ["nlb", "target_group"]


def test_without_a_record_what_exists_in_aws_says_how_far_it_got() -> None:
    s = built(record_steps=None, connections=available())
    state = ls.link_state(s, RIVERY)
    assert state.word == ls.HEALTHY
    assert state.completed_steps == (*SETUP, "accept")
    s.principals = []  # never allowed: the allow-list step was not done
    assert ls.link_state(s, RIVERY).word == ls.UNFINISHED
    record = ls.link_state(s, RIVERY).record()  # what Continue opens in the wizard
    assert (record.name, record.endpoint_service_id) == ("plw-x", "vpce-svc-1")


def test_the_sync_hook_says_not_synced() -> None:
    state = ls.link_state(built(connections=available()), RIVERY, sync_reason="The database moved.")
    assert (state.word, state.action, state.fix_key) == (ls.NOT_SYNCED, ls.SYNC, "refresh-targets")
    assert state.next_action == "The database moved. Sync the targets."
