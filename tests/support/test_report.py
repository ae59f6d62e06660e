"""The diagnostics report: everything support needs (version, OS, region, the record, the chain's
live state, the checks, the recent activity) and nothing secret, in Markdown and in a zip."""

from __future__ import annotations

import platform
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.helpers import RIVERY, build_link
from wizard import __version__, diagnostics
from wizard.aws import network
from wizard.aws.activity import ACTIVITY, ActivityEvent
from wizard.aws.session import AwsContext, Credentials, Identity, make_context, whoami
from wizard.sandbox import moto_ext
from wizard.sandbox.seed import SampleAccount, seed_sample_account
from wizard.state import RecordStore

ACCESS_KEY = "AKIAZ7QXNMVB4RTEXAMP"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tn3Vb2K"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEHsaCXVzLWVhc3QtMSJHMEUCIQD" + "x" * 60 + "/Zm9vYmFy+cmVwb3J0=="
ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AwsContext, Identity, SampleAccount]]:
    """The sandbox reached with a temporary key pair and session token, as after an SSO login."""
    from moto import mock_aws

    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])
    moto_ext.install()
    with mock_aws():
        aws = make_context(
            Credentials(access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, session_token=SESSION_TOKEN),
            "us-east-1",
        )
        sample = seed_sample_account(aws)
        yield aws, whoami(aws), sample


def _write(
    tmp_path: Path, signed_in: tuple[AwsContext, Identity, SampleAccount], name: str, presenter: bool = False
) -> Path:
    aws, identity, sample = signed_in
    ACTIVITY.clear()
    build_link(aws, sample.orders_mysql)
    # A careless line in the log (a pasted `aws configure`) must not carry the secret out.
    ACTIVITY.record(
        ActivityEvent(
            time=datetime.now(),
            service="configure",
            operation="Set",
            summary="Configured the AWS CLI",
            cli=f"aws configure set aws_secret_access_key {SECRET_KEY} && echo {SESSION_TOKEN}",
        )
    )
    status = diagnostics.link_status(aws, identity, "orders", RIVERY, RecordStore())
    return diagnostics.write_report(tmp_path / name, aws, identity, [status], presenter=presenter)


def _assert_complete(text: str, account: str = "123456789012") -> None:
    for expected in (
        f"App version: {__version__}",
        f"OS: {platform.platform()}",
        "Region: us-east-1",
        # the link record
        '"name": "orders"',
        '"completed_steps"',
        '"endpoint_service_id": "vpce-svc-',
        # the chain's live state
        "Load balancer: orders — active, cross-zone on",
        "listener TCP 3306",
        "- TCP 3306 → arn:aws:elasticloadbalancing:us-east-1:",
        '"proxy_protocol_v2.enabled": "false"',
        '"preserve_client_ip.enabled": "false"',
        "Target health:",
        "- 10.20.1.10:3306 — healthy",
        "Endpoint service: com.amazonaws.vpce.us-east-1.vpce-svc-",
        "Allowed principals:",
        "Connections:",
        "- none yet",
        # the checks and findings
        "Checks:",
        "✖ The database's firewall lets the load balancer in on port 3306",
        "Fix: Add an inbound rule to security group",
        # the recent activity, with the CLI equivalents
        "## Recent activity",
        "Creating the load balancer — done",
        "`aws elbv2 create-load-balancer --name orders",
        "`aws ec2 create-vpc-endpoint-service-configuration",
    ):
        assert expected in text, expected
    assert f"arn:aws:iam::{RIVERY.account_id}:root" in text or "•••• 7834" in text
    assert account in text


def _assert_no_secret(text: str) -> None:
    assert SECRET_KEY not in text
    assert SESSION_TOKEN not in text
    assert SESSION_TOKEN[:40] not in text
    assert ACCESS_KEY not in text
    assert "aws_secret_access_key ****" in text


def test_markdown_report_has_everything_and_no_secret(
    tmp_path: Path, signed_in: tuple[AwsContext, Identity, SampleAccount]
) -> None:
    path = _write(tmp_path, signed_in, "report.md")
    text = path.read_text(encoding="utf-8")
    _assert_complete(text)
    _assert_no_secret(text)
    assert f"arn:aws:iam::{RIVERY.account_id}:root" in text


def test_zip_report_holds_markdown_and_json_and_no_secret(
    tmp_path: Path, signed_in: tuple[AwsContext, Identity, SampleAccount]
) -> None:
    path = _write(tmp_path, signed_in, "report.zip")
    raw = path.read_bytes()
    assert SECRET_KEY.encode() not in raw  # not even compressed by chance: checked unpacked too
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["report.md", "status.json"]
        text = zf.read("report.md").decode()
        data = zf.read("status.json").decode()
    _assert_complete(text)
    _assert_no_secret(text)
    for secret in (SECRET_KEY, SESSION_TOKEN, ACCESS_KEY):
        assert secret not in data
    assert '"target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:' in data
    assert '"healthy": false' in data


def test_presenter_mode_report_has_no_account_id(
    tmp_path: Path, signed_in: tuple[AwsContext, Identity, SampleAccount]
) -> None:
    path = _write(tmp_path, signed_in, "report.zip", presenter=True)
    with zipfile.ZipFile(path) as zf:
        text = zf.read("report.md").decode()
        data = zf.read("status.json").decode()
    for content in (text, data):
        assert not ACCOUNT.findall(content), ACCOUNT.findall(content)[:3]
        assert "•••• 9012" in content and "•••• 7834" in content
    _assert_complete(text, account="account •••• 9012")
    _assert_no_secret(text)


def test_report_without_sign_in_still_has_app_os_and_activity(tmp_path: Path) -> None:
    ACTIVITY.clear()
    ACTIVITY.record(
        ActivityEvent(
            time=datetime.now(),
            service="sts",
            operation="GetCallerIdentity",
            summary="Checking who you are signed in as",
            cli="aws sts get-caller-identity --region eu-west-1",
            ok=False,
            error_code="InvalidClientTokenId",
        )
    )
    text = diagnostics.write_report(tmp_path / "r.md", None, None, []).read_text(encoding="utf-8")
    assert f"App version: {__version__}" in text and "Region: not signed in" in text
    assert "Checking who you are signed in as — failed (InvalidClientTokenId)" in text
