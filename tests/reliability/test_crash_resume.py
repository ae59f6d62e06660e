"""Issue 5 (4), crash and resume: the CLI process dies (os._exit, no clean-up of any kind) right
after AWS returns each create step's resource, before the wizard could note it anywhere; running
`setup` again finds it (by its tags, and by the record for what was noted before) and completes
with no duplicate. The process runs against the sandbox server, as a user's would against AWS.

The GUI side of resuming (the offer on start-up, jumping to the first unfinished step) is proven
by tests/ui/test_pages.py::test_resume_offers_the_saved_link_and_jumps_to_its_first_unfinished_step;
it reads the same link record these runs leave behind.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from wizard.state import RecordStore

from .conftest import ONE_EACH, REGION, cli, client, link_resources, run_wizard_process, setup_args

RIVERY = "arn:aws:iam::012922587834:root"

# Runs the CLI with one create step made fatal: os._exit(137) the moment AWS returns the new
# resource (before on_created notes it), as a kill -9 or a power cut would. No test hook exists in
# the app; the wrapper patches the step from outside.
CRASH_AFTER = """
import os, sys
from wizard import steps
from wizard.aws import endpoint_service

kind = sys.argv[1]
noting = steps.Link.created

def created(self, what):
    note = noting(self, what)
    def crash(resource_id):
        if what == kind:
            os._exit(137)
        note(resource_id)
    return crash

steps.Link.created = created
if kind == "allowlist":
    allow = endpoint_service.allow_principal
    def allow_then_crash(*args, **kwargs):
        allow(*args, **kwargs)
        os._exit(137)
    endpoint_service.allow_principal = allow_then_crash

from wizard.cli import main
sys.exit(main(sys.argv[2:]))
"""

KINDS = ["security-group", "nlb", "target-group", "listener", "endpoint-service", "allowlist"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_crash_right_after_each_create_resumes_without_duplicates(
    kind: str, sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    link = f"plw-crash-{kind}"
    crashed = run_wizard_process(CRASH_AFTER, [kind, *setup_args("--json", name=link)], {})
    assert crashed.returncode == 137, crashed.stderr
    before = link_resources(link, sandbox.endpoint_url)
    created_so_far = KINDS.index(kind) + 1  # each kind is made after the ones listed before it
    assert [len(before[k]) for k in KINDS[:5]] == [
        1 if KINDS.index(k) < created_so_far else 0 for k in KINDS[:5]
    ]
    record = RecordStore().load("123456789012", REGION, link)
    if record is not None:  # what the crashed run noted: never the resource it died on
        assert all(r.kind != kind for r in record.created)

    run = cli(capsys, *setup_args("--json", name=link))
    assert run.code == 0, run.err
    after = link_resources(link, sandbox.endpoint_url)
    assert {k: len(v) for k, v in after.items()} == ONE_EACH
    for k in KINDS[:5]:
        if before[k]:  # the resource made before the crash is the one in use, not a new one
            assert after[k] == before[k]
    result = json.loads(run.out)
    assert (
        result["nlb_arn"] == after["nlb"][0] and result["endpoint_service_id"] == after["endpoint-service"][0]
    )
    ec2 = client("ec2", sandbox.endpoint_url)
    allowed = ec2.describe_vpc_endpoint_service_permissions(ServiceId=result["endpoint_service_id"])
    assert [p["Principal"] for p in allowed["AllowedPrincipals"]] == [RIVERY]
    record = RecordStore().load("123456789012", REGION, link)
    assert record is not None
    assert {"nlb", "target_group", "endpoint_service", "allowlist"} <= set(record.completed_steps)
