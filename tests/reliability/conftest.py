"""Helpers for the reliability tests: run the CLI in this process, count what exists in moto."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from wizard.cli import main
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE

REGION = "us-east-1"
LINK = "plw-orders-mysql"
SOURCE = "orders-mysql"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """One CLI command in this process (fast); stdout and stderr as the user would see them."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return Run(code, out, err)


def setup_args(*extra: str, name: str = LINK, source: str = SOURCE) -> list[str]:
    # --fix: without it a link whose database's firewall is still closed ends in exit 1.
    return ["setup", "--region", REGION, "--source", source, "--name", name, "--yes", "--fix", *extra]


def client(service: str, endpoint_url: str | None = None, **kw: Any) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url, **kw)


def _elbv2_tags(elbv2: Any, arns: Sequence[str]) -> dict[str, dict[str, str]]:
    tags: dict[str, dict[str, str]] = {}
    for i in range(0, len(arns), 20):
        for desc in elbv2.describe_tags(ResourceArns=list(arns[i : i + 20]))["TagDescriptions"]:
            tags[desc["ResourceArn"]] = {t["Key"]: t["Value"] for t in desc.get("Tags", [])}
    return tags


def link_resources(link: str = LINK, endpoint_url: str | None = None) -> dict[str, list[str]]:
    """Everything in the account that carries the wizard's tags for `link`, by kind. Listeners are
    counted on every load balancer, tagged or not, so a stray one would show up too."""
    elbv2, ec2 = client("elbv2", endpoint_url), client("ec2", endpoint_url)
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    groups = elbv2.describe_target_groups()["TargetGroups"]
    tags = _elbv2_tags(elbv2, [x["LoadBalancerArn"] for x in lbs] + [g["TargetGroupArn"] for g in groups])

    def ours(arn: str) -> bool:
        t = tags.get(arn, {})
        return t.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and t.get(LINK_TAG_KEY) == link

    our_lbs = [x["LoadBalancerArn"] for x in lbs if ours(x["LoadBalancerArn"])]
    listeners = [
        ls["ListenerArn"]
        for arn in our_lbs
        for ls in elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    ]
    services = [
        s["ServiceId"]
        for s in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
        if {t["Key"]: t["Value"] for t in s.get("Tags", [])}.get(LINK_TAG_KEY) == link
        and s.get("ServiceState") not in {"Deleting", "Deleted"}
    ]
    link_groups = ec2.describe_security_groups(Filters=[{"Name": f"tag:{LINK_TAG_KEY}", "Values": [link]}])
    return {
        "nlb": our_lbs,
        "target-group": [g["TargetGroupArn"] for g in groups if ours(g["TargetGroupArn"])],
        "listener": listeners,
        "endpoint-service": services,
        "security-group": [g["GroupId"] for g in link_groups["SecurityGroups"]],
    }


def counts(link: str = LINK, endpoint_url: str | None = None) -> dict[str, int]:
    return {kind: len(ids) for kind, ids in link_resources(link, endpoint_url).items()}


ONE_EACH = {"nlb": 1, "target-group": 1, "listener": 1, "endpoint-service": 1, "security-group": 1}
NONE = {"nlb": 0, "target-group": 0, "listener": 0, "endpoint-service": 0, "security-group": 0}


@pytest.fixture(scope="module")
def shared_seeded() -> Iterator[Any]:
    """The sample account in an in-process moto shared by a module's tests (each test builds
    its own link in it, so they stay independent)."""
    from moto import mock_aws

    from wizard.aws.session import Credentials, make_context
    from wizard.sandbox import moto_ext
    from wizard.sandbox.seed import seed_sample_account

    moto_ext.install()
    with mock_aws():
        yield seed_sample_account(make_context(Credentials(), REGION))


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[Any]:
    """One seeded sandbox server per test module (each test builds its own link in it). Only for
    modules that use no in-process moto: a mock_aws block resets the server's state."""
    from wizard.sandbox.server import Sandbox

    sandbox = Sandbox(region=REGION)
    sandbox.start(port=0, seeded=True, consumer=False)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox(shared_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL", shared_sandbox.endpoint_url)
    return shared_sandbox


def run_wizard_process(
    code: str, args: Sequence[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -c code args…` with the test's environment (data dirs, endpoint URL)."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---- fault injection (botocore before-send: the request never reaches moto) ---------------------


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _error_body(protocol: str, code: str, message: str) -> bytes:
    error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    if protocol == "ec2":
        return f"<Response><Errors>{error}</Errors><RequestID>r</RequestID></Response>".encode()
    # The query protocol: elbv2, rds, sts.
    return f"<ErrorResponse>{error}<RequestId>r</RequestId></ErrorResponse>".encode()


@dataclass
class Fault:
    operation: str  # e.g. "CreateLoadBalancer"
    code: str  # AWS error code, e.g. "Throttling"
    status: int = 400
    times: int = 1  # how many calls fail before the real one goes through
    message: str = "injected by the test"
    refused: bool = False  # True: AWS never saw the call; False: AWS acted, the reply was lost
    seen: int = 0  # calls of `operation` so far (failed or not)


class Faults:
    """Make the first N calls of chosen operations fail the way AWS would. Hooked into every
    client the app creates (wizard.aws.activity.attach runs once per new client).

    In-process moto answers in its own before-send hook, which runs before ours: a failure injected
    there arrives after moto has made the resource, which is the hard case for a create (AWS
    acted, the reply was lost). A refused fault answers in before-call instead, so nothing reaches
    moto."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(
        self,
        operation: str,
        code: str,
        status: int = 400,
        times: int = 1,
        message: str = "",
        refused: bool = False,
    ) -> Fault:
        fault = Fault(operation, code, status, times, message or f"{code} (injected by the test)", refused)
        self.rules.append(fault)
        return fault

    def _due(self, operation: str, refused: bool) -> Fault | None:
        for fault in self.rules:
            if fault.operation == operation and fault.refused == refused:
                fault.seen += 1
                if fault.seen <= fault.times:
                    return fault
        return None

    def attach(self, client: Any) -> None:
        protocol = client.meta.service_model.protocol

        def before_send(request: Any, event_name: str, **_: Any) -> Any:
            from botocore.awsrequest import AWSResponse

            fault = self._due(event_name.rsplit(".", 1)[-1], refused=False)
            if fault is None:
                return None
            body = _error_body(protocol, fault.code, fault.message)
            return AWSResponse(request.url, fault.status, {}, _Raw(body))

        def before_call(model: Any, **_: Any) -> Any:
            from botocore.awsrequest import AWSResponse

            fault = self._due(model.name, refused=True)
            if fault is None:
                return None
            parsed = {
                "Error": {"Code": fault.code, "Message": fault.message},
                "ResponseMetadata": {"HTTPStatusCode": fault.status},
            }
            return AWSResponse("", fault.status, {}, _Raw(b"")), parsed

        client.meta.events.register("before-send.*.*", before_send)
        client.meta.events.register("before-call.*.*", before_call)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    from wizard.aws import activity

    injected = Faults()
    original = activity.attach

    def attach(client: Any, region: str, *args: Any) -> None:
        original(client, region, *args)
        injected.attach(client)

    monkeypatch.setattr(activity, "attach", attach)
    return injected
