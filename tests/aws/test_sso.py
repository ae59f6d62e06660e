"""Issue 19 (1, 2): signing in through IAM Identity Center without the AWS CLI, against the
sandbox's Identity Center (wizard/sandbox/sso_model.py) over real boto3 `sso-oidc` / `sso` calls.

The login is cached as the AWS CLI v2 caches it, and botocore's own SSO token provider and SSO
credential provider read it (a boto3 session made from an `sso-session` profile signs in with it).
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.credentials
import botocore.tokens
import pytest

from wizard.aws import sso, sso_cache, sso_config
from wizard.aws.session import make_context, whoami
from wizard.aws.sso_cache import SsoLogin
from wizard.errors import UserError
from wizard.sandbox import sso_model, timing

REGION = "us-east-1"
LOGIN = SsoLogin("https://my-company.awsapps.com/start", REGION, "my-company")
CACHE_KEYS = {
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own: the login cache and ~/.aws/config live under it, and
    botocore (which fixed its cache folder when imported) looks there too."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sso_cache, "_cache_dir", [])  # not the demo's folder (a GUI test's)
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    cache = str(tmp_path / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / ".aws" / "config"))
    sso_model.reset()
    return tmp_path


@pytest.fixture
def portal(empty_sandbox: Any, home: Path) -> sso.Portal:
    return sso.Portal(LOGIN, empty_sandbox.endpoint_url)


class Codes:
    """The show_code callback: what the window shows (and what the user then does)."""

    def __init__(self, then: Any = None) -> None:
        self.shown: list[sso.DeviceCode] = []
        self.then = then

    def __call__(self, code: sso.DeviceCode) -> None:
        self.shown.append(code)
        if self.then:
            self.then()


def test_device_flow_signs_in_and_caches_the_login_as_the_aws_cli_does(portal: sso.Portal) -> None:
    codes = Codes()
    token = sso.token_for(portal, codes)
    [code] = codes.shown
    assert code.user_code and code.verification_uri_complete.endswith(code.user_code)
    data = json.loads(sso_cache.cache_path("my-company").read_text())
    assert set(data) == CACHE_KEYS
    assert data["accessToken"] == token and data["startUrl"] == LOGIN.start_url
    for key in ("expiresAt", "registrationExpiresAt"):  # the AWS CLI's form: 2026-01-01T00:00:00Z
        assert sso_cache.parse_time(data[key]) is not None and data[key].endswith("Z")
    assert sso_model.calls() == ["/client/register", "/device_authorization", "/token"]
    # A second sign-in reuses the cached login: no browser, no call.
    assert sso.token_for(portal, codes) == token and len(codes.shown) == 1


def test_accounts_roles_and_role_credentials_sign_in_to_the_chosen_account(
    empty_sandbox: Any, portal: sso.Portal
) -> None:
    token = sso.token_for(portal, Codes())
    accounts = portal.accounts(token)
    assert [(a.account_id, a.name) for a in accounts] == [
        ("123456789012", "Sample production"),
        ("444455556666", "Sample staging"),
    ]
    assert portal.roles(token, "123456789012") == ["DatabaseAdmin", "ReadOnly"]
    credentials = portal.role_credentials(token, "444455556666", "DatabaseAdmin")
    identity = whoami(make_context(credentials, REGION, empty_sandbox.endpoint_url))
    assert identity.account_id == "444455556666"
    assert ":assumed-role/AWSReservedSSO_DatabaseAdmin_" in identity.arn


def test_several_accounts_and_roles_are_gathered_across_pages(
    portal: sso.Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = [
        sso_model.Account(
            f"10000000000{i}", f"Team {i}", f"team{i}@example.com", {f"Role{r}": ["*"] for r in "CBA"}
        )
        for i in range(5)
    ]
    sso_model.configure(accounts)
    token = sso.token_for(portal, Codes())
    calls_before = len(sso_model.calls())
    original = sso_model._page
    monkeypatch.setattr(
        sso_model, "_page", lambda items, query, key: original(items, {**query, "max_result": "2"}, key)
    )
    found = portal.accounts(token)
    assert [a.account_id for a in found] == [a.account_id for a in accounts]
    assert sso_model.calls()[calls_before:] == ["/assignment/accounts"] * 3  # 2 + 2 + 1
    assert portal.roles(token, "100000000003") == ["RoleA", "RoleB", "RoleC"]


def test_the_cached_login_is_what_botocore_itself_reads(
    empty_sandbox: Any, portal: sso.Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sso.token_for(portal, Codes())
    plan = sso_config.ProfilePlan("staging-dba", LOGIN, "444455556666", "DatabaseAdmin", REGION)
    sso_config.save(plan)
    monkeypatch.setenv("AWS_ENDPOINT_URL", empty_sandbox.endpoint_url)  # botocore's portal call too
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")  # the profile, not the test's keys, signs in
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    session = boto3.Session(profile_name="staging-dba")
    # botocore's SSO token provider (the sso-session's token, refreshed by botocore itself)…
    provider = botocore.tokens.SSOTokenProvider(session._session, profile_name="staging-dba")
    assert provider.load_token().get_frozen_token().token == token
    # …and its SSO credential provider, which turns it into the role's credentials.
    identity = session.client("sts").get_caller_identity()
    assert identity["Account"] == "444455556666"
    assert "AWSReservedSSO_DatabaseAdmin_" in identity["Arn"]


def test_an_expired_token_is_renewed_with_the_refresh_token(portal: sso.Portal) -> None:
    old = sso.token_for(portal, Codes())
    path = sso_cache.cache_path("my-company")
    data = json.loads(path.read_text())
    data["expiresAt"] = sso_cache.stamp(sso_cache.now() - timedelta(minutes=1))
    path.write_text(json.dumps(data))
    sso_model.expire_access_tokens()  # AWS no longer takes the old one either
    codes = Codes()
    new = sso.token_for(portal, codes)
    assert new != old and not codes.shown  # renewed without the browser
    assert sso_model.calls()[-1] == "/token"
    renewed = json.loads(path.read_text())
    assert renewed["accessToken"] == new and renewed["refreshToken"] != data["refreshToken"]
    assert sso_cache.CachedToken(renewed).fresh()
    assert portal.accounts(new)


def test_an_expired_session_asks_to_sign_in_again_then_signs_in_in_the_browser(portal: sso.Portal) -> None:
    sso.token_for(portal, Codes())
    path = sso_cache.cache_path("my-company")
    data = json.loads(path.read_text())
    data["expiresAt"] = sso_cache.stamp(sso_cache.now() - timedelta(minutes=1))
    path.write_text(json.dumps(data))
    sso_model.expire_refresh_tokens()  # the session ended: the refresh token is refused
    with pytest.raises(UserError) as caught:
        portal.cached_token()
    assert caught.value.code == sso.SSO_CODE
    assert "Sign in again" in caught.value.fix
    codes = Codes()
    assert sso.token_for(portal, codes) and len(codes.shown) == 1


def test_a_token_the_portal_refuses_asks_to_sign_in_again(portal: sso.Portal) -> None:
    token = sso.token_for(portal, Codes())
    sso_model.expire_access_tokens()
    with pytest.raises(UserError) as caught:
        portal.accounts(token)
    assert caught.value.code == sso.SSO_CODE


def test_a_denied_sign_in_says_so(portal: sso.Portal) -> None:
    with pytest.raises(UserError) as caught:
        sso.token_for(portal, Codes(then=sso_model.deny))
    assert caught.value.code == "SSODenied"
    assert "denied in the browser" in caught.value.what and "Allow" in caught.value.fix
    assert sso_cache.read(LOGIN) is None


def test_an_expired_code_says_to_approve_sooner(portal: sso.Portal) -> None:
    with pytest.raises(UserError) as caught:
        sso.token_for(portal, Codes(then=sso_model.expire_device_codes))
    assert caught.value.code == "SSOExpired" and caught.value.exit_code == 3


def test_polling_waits_the_interval_until_approved(portal: sso.Portal) -> None:
    pauses: list[float] = []

    def sleep(seconds: float) -> None:  # time passes for the sandbox, not for the test
        pauses.append(seconds)
        sso_model.advance(seconds)

    with timing.scaled(1):
        token = sso.token_for(portal, Codes(), sleep=sleep)
    assert token
    # Approved 20 s in: one poll a second (the interval AWS gave), no faster.
    assert pauses == [1.0] * int(sso_model.APPROVAL_SECONDS)


def test_slow_down_adds_five_seconds_to_every_later_poll(portal: sso.Portal) -> None:
    pauses: list[float] = []
    polls = threading.Event()  # set once the first pause has passed

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        # The first pause is cut short (as if the clock jumped): the next poll is too soon.
        sso_model.advance(seconds if polls.is_set() else seconds / 4)
        polls.set()

    with timing.scaled(1):
        assert sso.token_for(portal, Codes(), sleep=sleep)
    # After slow_down, 5 s more before the next poll and every one after it (RFC 8628 3.5).
    assert pauses[:1] == [1.0] and pauses[1:7] == [1.0, 5.0] * 3


def test_cancel_stops_the_wait_and_saves_nothing(portal: sso.Portal) -> None:
    cancel = threading.Event()
    later = Codes(then=lambda: threading.Timer(0.2, cancel.set).start())
    # At AWS's pace the user has not approved yet: the wizard is waiting to poll again.
    with timing.scaled(1), pytest.raises(UserError) as caught:
        sso.token_for(portal, later, cancel=cancel)
    assert caught.value.code == "SSOCancelled"
    assert sso_cache.read(LOGIN) is None


def test_a_registration_identity_center_no_longer_knows_is_made_anew(portal: sso.Portal) -> None:
    sso.token_for(portal, Codes())
    sso_model.reset()  # Identity Center forgot the client and its tokens
    codes = Codes()
    token, accounts = sso.sign_in(portal, codes)
    assert token and len(accounts) == 2 and len(codes.shown) == 1
    assert sso_model.calls() == [
        "/assignment/accounts",  # the cached token: refused
        "/device_authorization",  # the cached registration: refused
        "/client/register",
        "/device_authorization",
        "/token",
        "/assignment/accounts",
    ]
