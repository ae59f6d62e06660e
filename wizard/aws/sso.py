"""Signing in through IAM Identity Center (SSO) without the AWS CLI: the OAuth device
authorization of `sso-oidc`, then the access portal (`sso`) for accounts, roles and the role's
temporary credentials.

The token is cached where and as the AWS CLI v2 keeps it (wizard/aws/sso_cache.py). These calls
are not IAM actions (Identity Center authorizes them by the user's token), so they are not in the
IAM policy; their clients are unsigned, as botocore's own SSO token provider makes them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from wizard.aws import sso_cache
from wizard.aws.errors import aws_step, translate
from wizard.aws.polling import Patience, wait_until
from wizard.aws.session import RETRY_CONFIG, Credentials, boto3_session
from wizard.aws.sso_cache import CachedToken, SsoLogin
from wizard.errors import EXIT_BAD_INPUT, EXIT_TIMEOUT, UserError

CLIENT_NAME = "privatelink-wizard"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628 section 3.5: after slow_down, every later poll waits 5 seconds longer.
SLOW_DOWN_SECONDS = 5.0
SSO_CODE = "SSOSignInAgain"  # a UserError code: the page offers "Sign in again" in place


@dataclass(frozen=True)
class DeviceCode:
    """What the user needs to approve the sign-in in the browser."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class SsoAccount:
    account_id: str
    name: str
    email: str


def sign_in_again(why: str) -> UserError:
    return UserError(
        what="Your IAM Identity Center sign-in has expired",
        why=why,
        fix="Sign in again (the window's 'Sign in again' button, or `privatelink-wizard login`).",
        exit_code=EXIT_BAD_INPUT,
        code=SSO_CODE,
    )


def cancelled() -> UserError:
    return UserError("Sign-in cancelled; nothing was changed", exit_code=EXIT_BAD_INPUT, code="SSOCancelled")


class Portal:
    """The two Identity Center clients for one start URL's region (and the endpoint override)."""

    def __init__(self, login: SsoLogin, endpoint_url: str | None = None) -> None:
        self.login = login
        session, _ = boto3_session(login.region)
        config = RETRY_CONFIG.merge(Config(signature_version=UNSIGNED))
        self.oidc = session.client(
            "sso-oidc", region_name=login.region, endpoint_url=endpoint_url, config=config
        )
        self.portal = session.client(
            "sso", region_name=login.region, endpoint_url=endpoint_url, config=config
        )

    # --- the token -------------------------------------------------------------------------------
    def cached_token(self, refresh: bool = True) -> str:
        """A usable access token from the cache, refreshed if it is expiring and it can be;
        UserError(SSO_CODE) when the user must sign in again (in the browser)."""
        cached = sso_cache.read(self.login)
        if cached is None:
            raise sign_in_again("You have not signed in to this access portal on this computer yet.")
        if cached.fresh():
            return cached.access_token
        if refresh and cached.can_refresh():
            return self._refresh(cached)
        raise sign_in_again(
            "AWS limits how long a sign-in lasts (8 hours unless your administrator changed it)."
        )

    def _refresh(self, cached: CachedToken) -> str:
        oidc = self.oidc
        try:
            reply = oidc.create_token(
                clientId=cached.data["clientId"],
                clientSecret=cached.data["clientSecret"],
                grantType="refresh_token",
                refreshToken=cached.data["refreshToken"],
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {
                "InvalidGrantException",
                "ExpiredTokenException",
                "InvalidClientException",
                "UnauthorizedClientException",
            }:
                raise sign_in_again("Your sign-in session has ended, so it could not be renewed.") from None
            raise translate(exc, "Renewing your IAM Identity Center sign-in") from None
        registration = cached.registration()
        assert registration is not None  # can_refresh() checked it
        ends = sso_cache.parse_time(cached.data["registrationExpiresAt"])
        assert ends is not None
        sso_cache.write(self.login, reply, (*registration, ends))
        return str(reply["accessToken"])

    def device_sign_in(
        self,
        show_code: Callable[[DeviceCode], None],
        cancel: threading.Event | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> str:
        """The device authorization: register (or reuse the cached registration), start it, let
        `show_code` show the code and open the browser, poll until approved; the access token."""
        cancel = cancel or threading.Event()
        cached = sso_cache.read(self.login)
        registration = cached.registration() if cached else None
        ends = sso_cache.parse_time(cached.data.get("registrationExpiresAt")) if cached else None
        try:
            client, ends, start = self._start(registration, ends)
        except ClientError as exc:
            # A registration Identity Center no longer knows (revoked, or made elsewhere): anew.
            if registration is None or exc.response.get("Error", {}).get("Code") != "InvalidClientException":
                raise translate(exc, "Starting the sign-in") from None
            client, ends, start = self._start(None, None)
        code = DeviceCode(
            start["userCode"],
            start["verificationUri"],
            start.get("verificationUriComplete") or start["verificationUri"],
            int(start.get("expiresIn", 600)),
            max(1, int(start.get("interval", 5))),
        )
        show_code(code)
        token = self._poll(client, start["deviceCode"], code, cancel, sleep)
        sso_cache.write(self.login, token, (*client, ends))
        return str(token["accessToken"])

    def _start(
        self, registration: tuple[str, str] | None, ends: datetime | None
    ) -> tuple[tuple[str, str], datetime, dict[str, Any]]:
        """Register the client unless a registration is given; start the device authorization."""
        oidc = self.oidc
        if registration is None or ends is None:
            with aws_step("Registering the wizard with IAM Identity Center"):
                reply = oidc.register_client(clientName=CLIENT_NAME, clientType="public")
            registration = (reply["clientId"], reply["clientSecret"])
            ends = datetime.fromtimestamp(int(reply["clientSecretExpiresAt"]), UTC)
        start = oidc.start_device_authorization(
            clientId=registration[0], clientSecret=registration[1], startUrl=self.login.start_url
        )
        return registration, ends, dict(start)

    def _poll(
        self,
        client: tuple[str, str],
        device_code: str,
        code: DeviceCode,
        cancel: threading.Event,
        sleep: Callable[[float], None] | None,
    ) -> dict[str, Any]:
        extra = 0.0

        def pause(seconds: float) -> None:
            if sleep is not None:
                sleep(seconds)
            else:
                cancel.wait(seconds)
            if cancel.is_set():
                raise cancelled()

        def read() -> dict[str, Any] | None:
            nonlocal extra
            if cancel.is_set():
                raise cancelled()
            if extra:
                pause(extra)
            try:
                return dict(
                    self.oidc.create_token(
                        clientId=client[0],
                        clientSecret=client[1],
                        grantType=DEVICE_GRANT,
                        deviceCode=device_code,
                    )
                )
            except ClientError as exc:
                error = exc.response.get("Error", {}).get("Code", "")
                if error == "AuthorizationPendingException":
                    return None
                if error == "SlowDownException":
                    extra += SLOW_DOWN_SECONDS
                    return None
                raise _device_error(exc) from None

        # The interval AWS gave is the pause between two polls (RFC 8628 section 3.4).
        every = Patience(timeout=code.expires_in, shortest=code.interval, longest=code.interval)
        expired = UserError(
            what="The sign-in code expired before it was approved",
            fix=f"Sign in again, and approve the code in the browser within {code.expires_in // 60} minutes.",
            exit_code=EXIT_TIMEOUT,
            code="SSOExpired",
        )
        token = wait_until(read, lambda t: t is not None, every, lambda _: expired, sleep=pause)
        assert token is not None
        return token

    # --- accounts, roles, credentials -----------------------------------------------------------
    def accounts(self, token: str) -> list[SsoAccount]:
        pages = self.portal.get_paginator("list_accounts").paginate(accessToken=token)
        found = [
            SsoAccount(a["accountId"], a.get("accountName", ""), a.get("emailAddress", ""))
            for page in _pages(pages, "Listing your AWS accounts")
            for a in page.get("accountList", [])
        ]
        return sorted(found, key=lambda a: (a.name.lower(), a.account_id))

    def roles(self, token: str, account_id: str) -> list[str]:
        pages = self.portal.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId=account_id
        )
        names = {
            r["roleName"] for page in _pages(pages, "Listing your roles") for r in page.get("roleList", [])
        }
        return sorted(names, key=str.lower)

    def role_credentials(self, token: str, account_id: str, role: str) -> Credentials:
        try:
            reply = self.portal.get_role_credentials(accessToken=token, accountId=account_id, roleName=role)
        except ClientError as exc:
            raise _portal_error(exc, f"Getting credentials for {role} in {account_id}") from None
        creds = reply["roleCredentials"]
        return Credentials(
            access_key_id=creds["accessKeyId"],
            secret_access_key=creds["secretAccessKey"],
            session_token=creds["sessionToken"],
        )


def _pages(pages: Any, step: str) -> Any:
    try:
        yield from pages
    except ClientError as exc:
        raise _portal_error(exc, step) from None


def _portal_error(exc: ClientError, step: str) -> UserError:
    if exc.response.get("Error", {}).get("Code") == "UnauthorizedException":
        return sign_in_again(
            "IAM Identity Center no longer accepts this sign-in (it expired or you signed out)."
        )
    return translate(exc, step)


def _device_error(exc: ClientError) -> UserError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "AccessDeniedException":
        return UserError(
            what="The sign-in was denied in the browser",
            why="'Deny' was chosen on the AWS sign-in page, or your organisation does not allow it.",
            fix="Sign in again and choose 'Allow' on the page that shows the same code.",
            exit_code=EXIT_BAD_INPUT,
            code="SSODenied",
        )
    if code == "ExpiredTokenException":
        return UserError(
            what="The sign-in code expired before it was approved",
            fix="Sign in again, and approve the code in the browser within 10 minutes.",
            exit_code=EXIT_TIMEOUT,
            code="SSOExpired",
        )
    return translate(exc, "Waiting for your approval in the browser")


def token_for(
    portal: Portal,
    show_code: Callable[[DeviceCode], None],
    cancel: threading.Event | None = None,
    sleep: Callable[[float], None] | None = None,
    force_new: bool = False,
) -> str:
    """The cached login when it is usable (refreshed when it can be), else a new sign-in."""
    if not force_new:
        try:
            return portal.cached_token()
        except UserError as exc:
            if exc.code != SSO_CODE:
                raise
    return portal.device_sign_in(show_code, cancel, sleep)


def sign_in(
    portal: Portal,
    show_code: Callable[[DeviceCode], None],
    cancel: threading.Event | None = None,
    force_new: bool = False,
) -> tuple[str, list[SsoAccount]]:
    """A token and the user's accounts. A cached login the portal no longer takes (signed out,
    or ended early) leads to a new sign-in in the browser, as the user asked to sign in."""
    token = token_for(portal, show_code, cancel, force_new=force_new)
    try:
        return token, portal.accounts(token)
    except UserError as exc:
        if exc.code != SSO_CODE or force_new:
            raise
    token = portal.device_sign_in(show_code, cancel)
    return token, portal.accounts(token)
