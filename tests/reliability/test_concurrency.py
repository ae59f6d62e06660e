"""Issue 5 (8), concurrency: two `setup` processes on the same link never build two of anything.
The link's lock (wizard/state.py) serialises them; the CLI waits for it (up to
commands.LOCK_WAIT_SECONDS, saying so) and then finds what the other run built, while the GUI
refuses at once with "being changed by another window or command". A double-click on a GUI
create button is refused by the page itself:
tests/ui/test_pages.py::test_a_second_run_while_busy_is_refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from wizard.commands import context
from wizard.errors import UserError
from wizard.state import RecordStore

from .conftest import ONE_EACH, REGION, cli, link_resources, setup_args

ACCOUNT = "123456789012"

# The CLI, held right after it creates the load balancer (still holding the link's lock) until
# the test creates the file named by $RELEASE: a handshake, so a slow machine cannot let the
# first run finish before the second arrives.
HELD_AFTER_NLB = """
import os, sys, time
from wizard import steps

noting = steps.Link.created

def created(self, what):
    note = noting(self, what)
    def slow(resource_id):
        note(resource_id)
        if what == "nlb":
            print("HOLDING THE LOCK", file=sys.stderr, flush=True)
            give_up = time.monotonic() + 120
            while not os.path.exists(os.environ["RELEASE"]) and time.monotonic() < give_up:
                time.sleep(0.05)
    return slow

steps.Link.created = created
from wizard.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start(code: str, args: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_setups_at_once_build_one_set_and_the_second_waits(sandbox: Any, tmp_path: Path) -> None:
    link = "plw-two-at-once"
    args = setup_args("--json", name=link)
    release = tmp_path / "release"
    first = start(HELD_AFTER_NLB, args, RELEASE=str(release))
    # Start the second run once the first holds the lock with its load balancer made.
    deadline = time.monotonic() + 30
    while not link_resources(link, sandbox.endpoint_url)["nlb"]:
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    second = start("import sys; from wizard.cli import main; sys.exit(main(sys.argv[1:]))", args)
    # Release the first run once the second says it is waiting for the lock (or has ended).
    assert second.stderr is not None
    waiting = []
    for line in second.stderr:
        waiting.append(line)
        if "waiting up to" in line:
            break
    release.touch()
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    err2 = "".join(waiting) + err2
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert f"Another window or command is changing the link '{link}'; waiting up to 30 s" in err2
    assert "Load balancer found" in err2  # it found the first run's, it did not make its own
    assert {k: len(v) for k, v in link_resources(link, sandbox.endpoint_url).items()} == ONE_EACH
    assert out1 == out2 or ('"endpoint_service_id"' in out1 and '"endpoint_service_id"' in out2)
    record = RecordStore().load(ACCOUNT, REGION, link)
    assert record is not None and {r.kind for r in record.created} >= {"nlb", "target-group", "listener"}


def test_a_run_that_cannot_get_the_lock_in_time_stops_with_a_clear_message(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    link = "plw-locked"
    monkeypatch.setattr(context, "LOCK_WAIT_SECONDS", 0.5)
    # Another window holds the link (the GUI never waits: wait=0 is what its pages use).
    with RecordStore().locked(ACCOUNT, REGION, link):
        run = cli(capsys, *setup_args(name=link))
        refused = pytest.raises(UserError, match="being changed by another window or command")
        with refused, RecordStore().locked(ACCOUNT, REGION, link):
            pass
    assert run.code == 1
    assert f"The link '{link}' is being changed by another window or command (waited 0.5 s)" in run.err
    assert "Wait for the other run to finish" in run.err and "Nothing was created for this link." in run.err
    assert not any(link_resources(link, sandbox.endpoint_url).values())


def test_teardown_racing_a_setup_leaves_the_whole_link_or_nothing(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 16 (17): teardown takes the link's lock in the engine, as setup does. While another
    # run holds the link, teardown deletes nothing; once it is free, it deletes all of it.
    link = "plw-race"
    assert cli(capsys, *setup_args(name=link)).code == 0
    monkeypatch.setattr(context, "LOCK_WAIT_SECONDS", 0.5)
    with RecordStore().locked(ACCOUNT, REGION, link):  # a setup (or a window) is changing it
        run = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert run.code == 1
    assert f"Another window or command is changing the link '{link}'; waiting up to 0.5 s" in run.err
    assert "is being changed by another window or command" in run.err
    assert {k: len(v) for k, v in link_resources(link, sandbox.endpoint_url).items()} == ONE_EACH
    assert RecordStore().load(ACCOUNT, REGION, link) is not None
    done = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert done.code == 0, done.err
    assert not any(link_resources(link, sandbox.endpoint_url).values())
    assert RecordStore().load(ACCOUNT, REGION, link) is None
