"""`privatelink-wizard list`: every link of the account and region in a word, with its next
action, the words the home screen shows (one engine function, wizard.link_states)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.four_links import EXPECTED, REGION
from wizard import link_states
from wizard.cli import main
from wizard.consumers import load_consumer
from wizard.sandbox.server import Sandbox
from wizard.state import RecordStore


def test_list_names_each_state_and_its_next_action(
    four_links: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--region", REGION, "--endpoint-url", four_links.endpoint_url]
    assert main(["list", *where, "--json"]) == 0
    listed = {link["name"]: link for link in json.loads(capsys.readouterr().out)["links"]}
    assert {name: link["status"] for name, link in listed.items()} == EXPECTED
    assert listed["plw-healthy"]["action"] == link_states.OPEN
    assert listed["plw-waiting"]["action"] == link_states.ACCEPT
    assert "accept it" in listed["plw-waiting"]["next_action"]
    assert listed["plw-broken"]["action"] == link_states.FIX
    assert "registered" in listed["plw-broken"]["next_action"]
    assert listed["plw-unfinished"]["action"] == link_states.CONTINUE
    assert listed["plw-unfinished"]["next_action"] == "Continue: the endpoint service is next."

    # The same words as text.
    assert main(["list", *where]) == 0
    out = capsys.readouterr().out
    for name, word in EXPECTED.items():
        assert f"{name}  " in out and word in out

    # Built on another computer (no saved record here): found by its tags, same words.
    store = RecordStore()
    for record in store.all():
        store.delete(record)
    assert main(["list", *where, "--json"]) == 0
    again = {link["name"]: link["status"] for link in json.loads(capsys.readouterr().out)["links"]}
    assert again == EXPECTED


def test_list_with_no_links(quiet_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--region", REGION, "--endpoint-url", quiet_sandbox.endpoint_url]) == 0
    assert "No links found in us-east-1" in capsys.readouterr().out


def test_a_sync_probe_makes_a_link_not_synced(four_links: Sandbox) -> None:
    """The hook target sync will feed: its reason turns an otherwise healthy link 'Not synced'."""
    aws = four_links.aws_context()
    from wizard.aws.session import whoami

    def probe(s: Any) -> str:
        return "The database moved to 10.20.1.99." if s.name == "plw-healthy" else ""

    states = link_states.list_links(aws, whoami(aws), load_consumer(), RecordStore(), sync_probe=probe)
    by_name = {s.name: s for s in states}
    assert by_name["plw-healthy"].word == link_states.NOT_SYNCED
    assert by_name["plw-healthy"].action == link_states.SYNC
    assert by_name["plw-unfinished"].word == link_states.UNFINISHED
