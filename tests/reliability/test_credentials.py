"""Issue 5 (2), credentials: an invalid key, a wrong secret, an expired session token, an expired
SSO login and no credentials at all each get their own clear message, in the CLI and from the
engine call the credentials page makes (wizard.ui.tasks.sign_in), exit code 2, never a traceback.

moto's IAM enforcement produces the first two for real (unknown key id, bad signature); moto has
no token expiry, so the expired session token is AWS's ExpiredToken reply injected before send;
the SSO case is a real botocore SSO profile whose cached login has expired.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from hashlib import sha1
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import enable_iam_authentication

from wizard.errors import EXIT_BAD_INPUT, UserError

from .conftest import REGION, Faults, cli

SSO_START_URL = "https://example.awsapps.com/start"

# case -> (what the message says first, a word of what to do)
EXPECTED = {
    "invalid-key": ("AWS does not recognise the access key", "IAM console"),
    "wrong-secret": ("AWS rejected the secret access key", "Paste the secret access key again"),
    "expired-session-token": ("The temporary credentials have expired", "Get fresh credentials"),
    "sso-expired": ("The AWS SSO login has expired or was never done", "aws sso login"),
    "no-credentials": ("No AWS credentials were found", "aws configure"),
    # Issue 16 (13): a damaged file is named.
    "broken-config": ("The AWS settings file", "aws configure list"),
    "sso-cache-garbled": ("The saved SSO login", "aws sso login --profile sso-dba"),
}
NAMES_A_FILE = {"broken-config", "sso-cache-garbled"}


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """In-process moto with IAM enforcement, and one real IAM user's key pair."""
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        iam.create_user(UserName="dba")
        key = iam.create_access_key(UserName="dba")["AccessKey"]
        with enable_iam_authentication():
            yield {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def arrange(
    case: str, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, faults: Faults
) -> tuple[str, str, str, str]:
    """Set up the environment for `case`; returns (profile, access key, secret, token) to sign in with."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata probing
    if case == "invalid-key":
        return "", "AKIAIOSFODNN7EXAMPLE", creds["secret"], ""
    if case == "wrong-secret":
        return "", creds["key"], "x" * 40, ""
    if case == "expired-session-token":
        faults.add(
            "GetCallerIdentity",
            "ExpiredToken",
            status=403,
            times=99,
            message="The security token included in the request is expired",
        )
        return "", "ASIAIOSFODNN7EXAMPLE", creds["secret"], "FwoGZXIvYXdzEXAMPLETOKEN"
    if case == "broken-config":
        config = tmp_path / "config"
        config.write_text("[default\nregion = us-east-1\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        return "", creds["key"], creds["secret"], ""
    if case in ("sso-expired", "sso-cache-garbled"):
        home = tmp_path / "home"
        cache = home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True)
        expired = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        (cache / f"{sha1(SSO_START_URL.encode()).hexdigest()}.json").write_text(
            json.dumps(
                {"startUrl": SSO_START_URL, "region": REGION, "accessToken": "t", "expiresAt": expired}
            )
            if case == "sso-expired"
            else '{"startUrl": "https://exa'
        )
        config = tmp_path / "config"
        config.write_text(
            "[profile sso-dba]\n"
            f"sso_start_url = {SSO_START_URL}\nsso_region = {REGION}\n"
            "sso_account_id = 123456789012\nsso_role_name = DBA\nregion = us-east-1\n"
        )
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(var, raising=False)
        return "sso-dba", "", "", ""
    assert case == "no-credentials"
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return "", "", "", ""


@pytest.mark.parametrize("case", list(EXPECTED))
def test_each_credential_problem_has_its_own_message_in_the_cli(
    case: str,
    account: dict[str, str],
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile, key, secret, token = arrange(case, account, monkeypatch, tmp_path, faults)
    if key:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    args = ["status", "--region", REGION, "--name", "plw-x"] + (["--profile", profile] if profile else [])
    run = cli(capsys, *args)
    what, fix = EXPECTED[case]
    assert run.code == EXIT_BAD_INPUT, run.err
    assert what in run.err and fix in run.err
    assert "Traceback" not in run.err and run.err.count("\n") == 1  # one paragraph
    others = [w for c, (w, _) in EXPECTED.items() if c != case]
    assert not any(other in run.err for other in others)
    assert secret not in run.err or not secret


@pytest.mark.parametrize("case", list(EXPECTED))
def test_the_credentials_page_engine_call_gives_the_same_message(
    case: str,
    account: dict[str, str],
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from wizard.ui import tasks

    profile, key, secret, token = arrange(case, account, monkeypatch, tmp_path, faults)
    kind = "profile" if profile else "keys"
    with pytest.raises(UserError) as caught:
        tasks.sign_in(kind, profile, key, secret, token, REGION, None)
    error: Any = caught.value
    what, fix = EXPECTED[case]
    if case in NAMES_A_FILE:  # "The AWS settings file <path> could not be read"
        assert error.what.startswith(what) and str(tmp_path) in error.what
    else:
        assert error.what == what
    assert fix in error.fix
    assert error.exit_code == EXIT_BAD_INPUT


def test_keys_in_the_environment_work_beside_a_broken_credentials_file(
    aws: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 16 (13): botocore reads ~/.aws/credentials with the config; keys given need neither.
    broken = tmp_path / "credentials"
    broken.write_text("[default]\naws_access_key_id\n=== not ini\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(broken))
    run = cli(capsys, "status", "--region", REGION)
    assert run.code == 0, run.err
    assert "No links found" in run.out
