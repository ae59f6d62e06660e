"""Issue 5 (1), least privilege: resources/iam-policy.json lists exactly the actions the app uses,
the whole CLI flow works for an IAM user holding only that policy (moto's IAM enforcement on),
and a policy missing an action stops the flow with a message naming that action and the step.

What the sandbox proves: moto checks every ec2, rds and elasticloadbalancing call against the
caller's policies (the request's signing name is the service prefix), and the sandbox's IAM model
(wizard/sandbox/iam_model.py) evaluates them as AWS does: with the request's resources and their
tags (the policy's `aws:ResourceTag` conditions), and with the extra permission AWS checks when a
create carries tags (elasticloadbalancing:AddTags, ec2:CreateTags, rds:AddTagsToResource, under
their create-action conditions). sts:GetCallerIdentity is always allowed, as AWS does.
iam:CreateServiceLinkedRole, which AWS calls on the caller's behalf for the account's first load
balancer, is enforced by the sandbox (wizard/sandbox/elb_service_role.py): the flow below starts
without the role and creates it.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

import wizard
from wizard.aws import activity
from wizard.aws import errors as errors_module
from wizard.policy import policy_actions, policy_document
from wizard.sandbox import moto_ext
from wizard.sandbox.consumer import SimulatedConsumer
from wizard.sandbox.seed import seed_sample_account

from .conftest import LINK, NONE, REGION, Run, cli, client, counts, setup_args

WIZARD_DIR = Path(wizard.__file__).parent
# Real AWS needs these when a create call carries tags; the code names no call for them.
TAG_ON_CREATE = {
    "elasticloadbalancing:AddTags",
    "ec2:CreateTags",
    "rds:AddTagsToResource",
    "sns:TagResource",
    "cloudwatch:TagResource",
}
# The same for the target sync's creates (issue 17), and iam:PassRole, which AWS checks when
# CreateFunction hands the function its role.
SYNC_TAG_ON_CREATE = {"iam:TagRole", "lambda:TagResource", "events:TagResource", "logs:TagResource"}
# Permission-only actions (no API call has their name): AWS checks vpce:AllowMultiRegion along with
# Create/ModifyVpcEndpointServiceConfiguration when the request names supported regions (PrivateLink
# guide, "Cross-Region access"); test_permission_only_actions_ride_on_the_calls_that_need_them
# checks the engine sends those parameters.
PERMISSION_ONLY = {"vpce:AllowMultiRegion"}
CHECKED_WITH_OTHER_CALLS = SYNC_TAG_ON_CREATE | {"iam:PassRole"} | PERMISSION_ONLY
# Granted twice: while creating (tag-on-create), and on the link's own target group, where the
# target sync notes its state (`privatelink-wizard sync`).
GRANTED_TWICE = {"elasticloadbalancing:AddTags"}
# AWS calls this itself, with the caller's permissions, to create Elastic Load Balancing's
# service-linked role along with an account's first load balancer or target group.
ON_CALLERS_BEHALF = {"iam:CreateServiceLinkedRole"}
_ACTION = re.compile(
    r"^(ec2|elasticloadbalancing|rds|sts|iam|sns|cloudwatch|lambda|events|logs):[A-Z][A-Za-z]+$"
)
# The IAM prefix of a service whose signing name differs (CloudWatch signs as "monitoring").
IAM_PREFIX = {"monitoring": "cloudwatch"}
_CLIENTS = {"ec2": "ec2", "elbv2": "elbv2", "rds": "rds"}


# ---- static: the policy and the code agree ------------------------------------------------------


def _engine_files() -> list[Path]:
    # The sandbox and the GUI make no AWS calls of the app's own (the GUI goes through the engine).
    return [p for p in sorted(WIZARD_DIR.rglob("*.py")) if "sandbox" not in p.parts and "ui" not in p.parts]


@functools.cache
def _boto_client(service: str) -> Any:
    return boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def _iam_action(service: str, method: str, kind: str = "call") -> str:
    """The IAM action behind `client.method` (or a paginator / waiter of that name)."""
    client = _boto_client(service)
    if kind == "waiter":
        operation = client.get_waiter(method).config.operation
    else:
        operation = client.meta.method_to_api_mapping[method]
    prefix = client.meta.service_model.signing_name
    return f"{IAM_PREFIX.get(prefix, prefix)}:{operation}"


def _service_of(node: ast.expr) -> str | None:
    """'ec2' for `aws.ec2`, 'sts' for `aws.client("sts")`, else None."""
    if isinstance(node, ast.Attribute) and node.attr in _CLIENTS:
        return _CLIENTS[node.attr]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "client"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return str(node.args[0].value)
    return None


@functools.cache
def code_actions() -> dict[str, set[str]]:
    """Every AWS API the engine references, as IAM actions, with where it is referenced."""
    found: dict[str, set[str]] = {}
    for path in _engine_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Attribute)
                and (service := _service_of(node.value))
                and node.attr not in {"get_paginator", "get_waiter", "meta", "exceptions"}
            ):
                found.setdefault(_iam_action(service, node.attr), set()).add(where)
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            # aws.ec2.get_paginator("describe_subnets") / get_waiter("load_balancer_available")
            if (
                node.func.attr in {"get_paginator", "get_waiter"}
                and (service := _service_of(node.func.value))
                and isinstance(node.args[0], ast.Constant)
            ):
                kind = "waiter" if node.func.attr == "get_waiter" else "call"
                found.setdefault(_iam_action(service, str(node.args[0].value), kind), set()).add(where)
    # discovery._paginate(aws, "rds", "describe_db_instances", …): service and method as text.
    for path in _engine_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_paginate"
                and all(isinstance(a, ast.Constant) for a in node.args[1:3])
            ):
                service, method = (str(a.value) for a in node.args[1:3])  # type: ignore[attr-defined]
                found.setdefault(_iam_action(service, method), set()).add(f"{path.name}:{node.lineno}")
    return found


def named_actions() -> set[str]:
    """Every IAM action the engine's aws_step(...) blocks name (string literals). Action-like
    strings inside a literal collection or passed as a keyword argument are data, not steps: the
    target sync role's policy document, AddPermission's Action="lambda:InvokeFunction"."""
    names: set[str] = set()
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        data: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
                data.update(id(n) for n in ast.walk(node) if n is not node)
            elif isinstance(node, ast.keyword):
                data.update(id(n) for n in ast.walk(node.value))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _ACTION.match(node.value)
                and id(node) not in data
            ):
                names.add(node.value)
    return names


def test_policy_lists_exactly_the_actions_the_code_calls() -> None:
    used = code_actions()
    assert len(used) > 40, "the scan must find the engine's calls"
    policy = set(policy_actions())
    assert len(policy) + len(GRANTED_TWICE) == len(policy_actions()), "an action is listed twice"
    missing = sorted(set(used) - policy)
    assert not missing, f"the code calls these, the policy lacks them: {missing}"
    unused = sorted(policy - set(used) - TAG_ON_CREATE - ON_CALLERS_BEHALF - CHECKED_WITH_OTHER_CALLS)
    assert not unused, f"the policy grants these, the code never calls them: {unused}"
    assert policy >= TAG_ON_CREATE | ON_CALLERS_BEHALF


def test_every_named_action_is_a_real_call_and_every_call_is_named() -> None:
    # A typo in an aws_step action would make an AccessDenied message send the DBA's admin after
    # the wrong permission; an unnamed call would make it say only "(the permission for X)".
    code = set(code_actions())
    assert named_actions() - (TAG_ON_CREATE - code) - ON_CALLERS_BEHALF - CHECKED_WITH_OTHER_CALLS == code


def test_permission_only_actions_ride_on_the_calls_that_need_them() -> None:
    # Granting vpce:AllowMultiRegion is honest only while the engine sends the parameters that make
    # AWS check it, inside steps that name the ec2 call they ride on.
    sent = {"SupportedRegions", "AddSupportedRegions", "RemoveSupportedRegions"}
    found: set[str] = set()
    for path in _engine_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in sent:
                found.add(str(node.value))
    assert found == sent
    assert set(policy_actions()) >= PERMISSION_ONLY
    assert {"ec2:CreateVpcEndpointServiceConfiguration", "ec2:ModifyVpcEndpointServiceConfiguration"} <= set(
        code_actions()
    )


def test_policy_command_prints_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "policy")
    assert run.code == 0
    assert json.loads(run.out) == policy_document()


# ---- enforced: the flow as an IAM user holding only the policy ----------------------------------


@pytest.fixture(scope="module")
def iam_account() -> Iterator[Any]:
    """Seeded in-process moto, shared by this module's flow tests (each uses its own link name,
    so they never see each other's resources); the CLI signs in as the IAM user `dba`."""
    moto_ext.install()
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        from wizard.aws.session import Credentials, make_context

        sample = seed_sample_account(make_context(Credentials(), REGION))
        iam = boto3.client("iam", region_name=REGION)
        # Seeding (unchecked) created the load balancer service role: the flow must create it.
        iam.delete_role(RoleName="AWSServiceRoleForElasticLoadBalancing")
        iam.create_user(UserName="dba")
        key = iam.create_access_key(UserName="dba")["AccessKey"]
        patch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        patch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        yield sample


def grant(actions: list[str] | None = None, without: str = "") -> None:
    """Give `dba` the app's policy (or only `actions`), minus `without`."""
    document = policy_document()
    for statement in document["Statement"]:
        statement["Action"] = [
            a for a in statement["Action"] if a != without and (actions is None or a in actions)
        ]
    document["Statement"] = [s for s in document["Statement"] if s["Action"]]
    with disable_iam_authentication():
        iam = boto3.client("iam", region_name=REGION, aws_access_key_id="admin", aws_secret_access_key="x")
        iam.put_user_policy(
            UserName="dba", PolicyName="privatelink-wizard", PolicyDocument=json.dumps(document)
        )


def consumer_requests_a_connection() -> None:
    """The platform (another account) creates its endpoint; not the DBA's permissions at work."""
    with disable_iam_authentication():
        made = SimulatedConsumer(REGION, delay=0).poll_once()
    assert made


PHASES = ("setup", "consumer", "accept", "status", "teardown")


def run_phase(
    capsys: pytest.CaptureFixture[str], phase: str, link: str, report: Path, *setup_extra: str
) -> Run | None:
    if phase == "consumer":
        consumer_requests_a_connection()
        return None
    args = {
        "setup": setup_args("--fix", "--allow-reboot", "--json", *setup_extra, name=link),
        "accept": ["accept", "--region", REGION, "--name", link, "--json"],
        "status": ["status", "--region", REGION, "--name", link, "--report", str(report)],
        "teardown": ["teardown", "--region", REGION, "--name", link, "--yes"],
    }[phase]
    with enable_iam_authentication():
        return cli(capsys, *args)


class StepTracker:
    """Records, for every AWS call, the IAM action of the call and the aws_step it ran in."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []  # (called action, named action, step)
        self._local = threading.local()

    def stack(self) -> list[tuple[str, str]]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        stack: list[tuple[str, str]] = self._local.stack
        return stack

    @contextlib.contextmanager
    def aws_step(self, step: str, action: str = "") -> Iterator[None]:
        self.stack().append((step, action))
        try:
            with original_aws_step(step, action):
                yield
        finally:
            self.stack().pop()

    def attach(self, client: Any, region: str, *args: Any) -> None:
        original_attach(client, region, *args)
        prefix = IAM_PREFIX.get(
            client.meta.service_model.signing_name, client.meta.service_model.signing_name
        )

        def before_call(model: Any, **_: Any) -> None:
            step, action = self.stack()[-1] if self.stack() else ("", "")
            self.calls.append((f"{prefix}:{model.name}", action, step))

        client.meta.events.register("before-call.*.*", before_call)


original_attach = activity.attach
original_aws_step = errors_module.aws_step


@pytest.fixture
def tracker(monkeypatch: pytest.MonkeyPatch) -> StepTracker:
    import importlib
    import sys

    # Import every engine module first: the CLI imports some only when a command runs.
    for path in _engine_files():
        if path.name == "__main__.py":
            continue
        relative = path.relative_to(WIZARD_DIR.parent).with_suffix("")
        importlib.import_module(".".join(p for p in relative.parts if p != "__init__"))
    tracker = StepTracker()
    for name, module in list(sys.modules.items()):
        patched = getattr(module, "aws_step", None) is original_aws_step
        if name.startswith("wizard.") and name != "wizard.aws.errors" and patched:
            monkeypatch.setattr(module, "aws_step", tracker.aws_step)
    monkeypatch.setattr(activity, "attach", tracker.attach)
    return tracker


def test_full_flow_as_a_user_holding_only_the_policy(
    iam_account: Any, tracker: StepTracker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grant()
    report = tmp_path / "report.md"
    runs = {phase: run_phase(capsys, phase, LINK, report) for phase in PHASES}
    for phase, run in runs.items():
        assert run is None or run.code == 0, f"{phase}: {run.err}"
    setup = runs["setup"]
    assert setup is not None
    result = json.loads(setup.out)
    assert result["service_name"].startswith(f"com.amazonaws.vpce.{REGION}.vpce-svc-")
    accept = runs["accept"]
    assert accept is not None
    assert [c["state"] for c in json.loads(accept.out)["accepted"]] == ["available"]
    assert report.exists()
    assert counts() == NONE  # teardown removed it all, as the same user
    with disable_iam_authentication():
        role = client("iam").get_role(RoleName="AWSServiceRoleForElasticLoadBalancing")["Role"]
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"

    # Every call ran inside an aws_step naming exactly that call's IAM action, so a denial of any
    # of them names the action and the step (translate() reads both from the step).
    called = {action for action, _, _ in tracker.calls}
    unnamed = sorted({(a, n, s) for a, n, s in tracker.calls if a != n})
    assert not unnamed, f"calls whose step names another action (or none): {unnamed}"
    assert called <= set(policy_actions())
    assert len(called) >= 35, sorted(called)


# One action per phase of the flow and per service, the creates first among them. Running the flow
# once per policy action would take minutes (a fresh seeded account each time); the test above
# proves, for every call the flow makes, that its step names its action, which is what makes the
# message right for the others.
DENIED = [
    ("rds:DescribeDBProxies", "setup", "Listing your RDS Proxies"),
    ("elasticloadbalancing:CreateLoadBalancer", "setup", "Creating the load balancer"),
    ("elasticloadbalancing:CreateListener", "setup", "Creating the listener"),
    ("ec2:CreateVpcEndpointServiceConfiguration", "setup", "Creating the endpoint service"),
    ("ec2:ModifyVpcEndpointServicePermissions", "setup", "Allowing the platform to connect"),
    ("rds:ModifyDBParameterGroup", "setup", "Changing a database parameter"),
    ("ec2:AcceptVpcEndpointConnections", "accept", "Accepting the connection request"),
    ("elasticloadbalancing:DeleteLoadBalancer", "teardown", "Deleting the load balancer"),
    # The target sync (issue 17): its role, its function, handing the function its role, removal.
    ("iam:CreateRole", "setup", "Creating the target sync's role"),
    ("lambda:CreateFunction", "setup", "Creating the target sync function"),
    ("iam:PassRole", "setup", "Creating the target sync function"),
    ("events:DeleteRule", "teardown", "Removing the target sync's trigger"),
    # The permissions AWS checks when a create carries tags (the sandbox's IAM model checks them).
    ("elasticloadbalancing:AddTags", "setup", "Creating the load balancer"),
    ("ec2:CreateTags", "setup", "Creating the load balancer's security group"),
    ("rds:AddTagsToResource", "setup", "Creating a custom parameter group"),
]


@pytest.mark.parametrize(("action", "phase", "step"), DENIED, ids=[a for a, _, _ in DENIED])
def test_a_missing_action_stops_the_flow_naming_action_and_step(
    iam_account: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    action: str,
    phase: str,
    step: str,
) -> None:
    assert action in policy_actions()
    link = f"plw-deny-{DENIED.index((action, phase, step))}"
    # An earlier test's --fix moved the database to a custom parameter group: move it back, so
    # this run has the parameter fix to do again.
    with disable_iam_authentication():
        client("rds", aws_access_key_id="admin", aws_secret_access_key="x").modify_db_instance(
            DBInstanceIdentifier=iam_account.orders_mysql,
            DBParameterGroupName=iam_account.orders_mysql_parameter_group,
            ApplyImmediately=True,
        )
    grant(without=action)
    before = {"setup": [], "accept": ["setup", "consumer"], "teardown": ["setup"]}[phase]
    # Without the preflight, which would stop setup before it starts (test_preflight.py): this
    # proves the message of the step itself, for when no preflight could tell.
    for current in before:
        earlier = run_phase(capsys, current, link, tmp_path / "report.md", "--skip-preflight")
        assert earlier is None or earlier.code == 0, f"{current} failed before {phase}: {earlier.err}"
    run = run_phase(capsys, phase, link, tmp_path / "report.md", "--skip-preflight")
    assert run is not None
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert f"{step}: AWS refused the request: your identity may not call {action}." in run.err
    assert f"Ask your AWS administrator to allow {action}" in run.err
    if phase == "setup":
        # What exists is said, with the way to finish or remove it (item 5).
        assert ("What exists now" in run.err) == (counts(link) != NONE)


def test_no_policy_at_all_is_refused_at_the_first_read(
    iam_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grant(actions=["sts:GetCallerIdentity"])
    run = run_phase(capsys, "setup", "plw-no-policy", tmp_path / "r.md")
    assert run is not None and run.code == 1
    assert "AWS refused the request: your identity may not call rds:DescribeDBInstances" in run.err
    assert counts("plw-no-policy") == NONE and os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIA")


def test_a_rerun_converges_as_a_user_holding_only_the_policy(
    iam_account: Any, tracker: StepTracker, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 16 (1, 2): another port and principal remove the old listener, target group,
    # firewall rule and principal, each allowed by the policy (the removals act on tagged
    # resources, or on the database's group) and named by its step.
    grant()
    link, other = "plw-converge", "arn:aws:iam::111122223333:root"
    with enable_iam_authentication():
        first = cli(capsys, *setup_args("--json", name=link))
        start = len(tracker.calls)
        again = cli(
            capsys,
            *setup_args(
                "--port", "3307", "--principal", other, "--remove-old-principals", "--json", name=link
            ),
        )
        rerun = {action for action, _, _ in tracker.calls[start:]}
        gone = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert first.code == 0, first.err
    assert again.code == 0, again.err
    assert "Will remove: TCP listener on port 3306" in again.err
    result = json.loads(again.out)
    assert (result["port"], result["principal"]) == (3307, other)
    assert gone.code == 0 and counts(link) == NONE
    assert {
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteTargetGroup",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:ModifyVpcEndpointServicePermissions",
    } <= rerun
    assert not sorted({(a, n, s) for a, n, s in tracker.calls if a != n})


def alert_pieces() -> dict[str, int]:
    with disable_iam_authentication():
        sns, cloudwatch = client("sns"), client("cloudwatch")
        ec2 = client("ec2")
        return {
            "topics": len(sns.list_topics()["Topics"]),
            "notifications": len(
                ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]
            ),
            "alarms": len(cloudwatch.describe_alarms()["MetricAlarms"]),
        }


def test_alerts_as_a_user_holding_only_the_policy(
    iam_account: Any, tracker: StepTracker, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 17 (2): turning alerts on, moving them to another address, reading them in status and
    # removing them with the link, each allowed by the policy's tag-conditioned statements.
    grant()
    link = "plw-alerts"
    with enable_iam_authentication():
        made = cli(capsys, *setup_args("--notify", "dba@example.com", "--json", name=link))
        moved = cli(capsys, "notify", "--region", REGION, "--name", link, "--email", "ops@example.com")
        status = cli(capsys, "status", "--region", REGION, "--name", link)
        gone = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert made.code == 0, made.err
    assert json.loads(made.out)["alerts"]["alarm_name"] == f"{link}-no-healthy-database"
    assert moved.code == 0, moved.err
    assert "Alerts:" in status.out and "ops@example.com" in status.out
    assert gone.code == 0, gone.err
    assert counts(link) == NONE and alert_pieces() == {"topics": 0, "notifications": 0, "alarms": 0}
    called = {action for action, _, _ in tracker.calls}
    assert {
        "sns:CreateTopic",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:DeleteTopic",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "ec2:CreateVpcEndpointConnectionNotification",
        "ec2:DeleteVpcEndpointConnectionNotifications",
    } <= called
    assert not sorted({(a, n, s) for a, n, s in tracker.calls if a != n})


ALERTS_DENIED = [
    ("sns:TagResource", "Creating the alert topic"),
    ("cloudwatch:TagResource", "Creating (or updating) the health alarm"),
    ("ec2:CreateVpcEndpointConnectionNotification", "Turning on the endpoint service's connection notices"),
]


@pytest.mark.parametrize(("action", "step"), ALERTS_DENIED, ids=[a for a, _ in ALERTS_DENIED])
def test_a_missing_alert_action_names_action_and_step(
    iam_account: Any, capsys: pytest.CaptureFixture[str], action: str, step: str
) -> None:
    link = f"plw-alert-deny-{ALERTS_DENIED.index((action, step))}"
    grant(without=action)
    with enable_iam_authentication():
        run = cli(capsys, *setup_args("--notify", "dba@example.com", "--skip-preflight", name=link))
        cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert run.code == 1, run.err
    assert f"{step}: AWS refused the request: your identity may not call {action}." in run.err


def test_a_cross_region_link_works_with_the_policy_and_not_without_vpce_allow_multi_region(
    iam_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 20 (2): the permission-only action is needed, and the policy grants it."""
    grant(without="vpce:AllowMultiRegion")
    link, xr = "plw-xregion-denied", ("--consumer-region", "us-west-2")
    # The preflight asks for it only of a cross-region link, and stops before anything is made.
    stopped = run_phase(capsys, "setup", link, tmp_path / "r.md", *xr)
    assert stopped is not None and stopped.code == 1, stopped
    assert "vpce:AllowMultiRegion" in stopped.err and counts(link) == NONE
    # Without the preflight, AWS's refusal names the action and the step.
    denied = run_phase(capsys, "setup", link, tmp_path / "r.md", *xr, "--skip-preflight")
    assert denied is not None and denied.code == 1, denied
    assert (
        "Creating the endpoint service: AWS refused the request: your identity may not call "
        "vpce:AllowMultiRegion" in denied.err
    )
    grant()
    for phase in ("setup", "teardown"):
        run = run_phase(capsys, phase, "plw-xregion", tmp_path / "r.md", "--consumer-region", "us-west-2")
        assert run is not None and run.code == 0, f"{phase}: {run.err if run else ''}"
    run_phase(capsys, "teardown", link, tmp_path / "r.md")
