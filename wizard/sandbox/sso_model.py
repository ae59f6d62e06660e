"""The sandbox's IAM Identity Center: the OIDC device authorization and the access portal.

moto 5.2 has neither `sso-oidc` nor `sso` (the portal). Both are unsigned REST-JSON APIs (the
OIDC calls carry no credentials, the portal's carry the access token in `x-amz-sso_bearer_token`),
so the sandbox answers their paths itself before moto's dispatcher, which could not tell the
service from a signature. A person "approves" a device code in the browser after APPROVAL_SECONDS
of the sandbox's clock (wizard/sandbox/timing.py: at once in tests, about a second in the demo).

Two accounts are assigned to the sandbox user, each with permission sets (roles). Role
credentials are moto STS credentials of a role `AWSReservedSSO_<set>_…` under the path IAM
Identity Center uses, made in that account, so the wizard's next calls land in that account and
`GetCallerIdentity` answers with the assumed role, as on AWS. Each role exists in the account's
IAM with its permission set's policy, so the permission preflight can simulate it.

Tests steer what a person or time would do: `deny()` (the user clicks "Deny"), `expire_device_codes()`,
`expire_access_tokens()`, `expire_refresh_tokens()`, `configure(accounts)`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from wizard.sandbox import timing

# A person switching to the browser and clicking "Allow" (their time, not AWS's).
APPROVAL_SECONDS = 20.0
# "interval" and "expiresIn" of StartDeviceAuthorization as AWS answers them.
POLL_INTERVAL = 1
DEVICE_CODE_SECONDS = 600
ACCESS_TOKEN_SECONDS = 3600
CLIENT_SECONDS = 90 * 24 * 3600
ROLE_SECONDS = 3600
USER = "dba@example.com"
VERIFICATION_URI = "https://device.sso.{region}.amazonaws.com/"
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
BEARER = "x-amz-sso_bearer_token"


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    email: str
    roles: dict[str, list[str]]  # permission set name -> the actions it allows ("*" = all)


def _wizard_actions() -> list[str]:
    from wizard.policy import policy_actions

    return policy_actions()


def default_accounts() -> list[Account]:
    """The sample account (moto's default id) and a second one; "ReadOnly" cannot build a link."""
    reader = ["sts:GetCallerIdentity", "ec2:Describe*", "rds:Describe*", "elasticloadbalancing:Describe*"]
    reader += ["iam:SimulatePrincipalPolicy", "iam:GetRole"]
    return [
        Account(
            "123456789012",
            "Sample production",
            "aws-prod@example.com",
            {"DatabaseAdmin": ["wizard"], "ReadOnly": reader},
        ),
        Account("444455556666", "Sample staging", "aws-staging@example.com", {"DatabaseAdmin": ["wizard"]}),
    ]


@dataclass
class _Device:
    client_id: str
    device_code: str
    user_code: str
    started: float
    denied: bool = False
    expired: bool = False
    used: bool = False
    last_poll: float = 0.0


@dataclass
class _State:
    accounts: list[Account] = field(default_factory=default_accounts)
    clients: dict[str, str] = field(default_factory=dict)  # client id -> secret
    devices: dict[str, _Device] = field(default_factory=dict)  # device code -> device
    access: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> client id
    calls: list[str] = field(default_factory=list)  # the operations answered, in order


_lock = threading.Lock()
_state = _State()


# --- what a person, or time, does (tests and the demo) -------------------------------------------


def reset(accounts: Iterable[Account] | None = None) -> None:
    global _state
    with _lock:
        _state = _State()
        if accounts is not None:
            _state.accounts = list(accounts)


def configure(accounts: Iterable[Account]) -> None:
    with _lock:
        _state.accounts = list(accounts)


def calls() -> list[str]:
    with _lock:
        return list(_state.calls)


def deny() -> None:
    """The user clicks "Deny" for every device code waiting."""
    with _lock:
        for device in _state.devices.values():
            device.denied = True


def expire_device_codes() -> None:
    with _lock:
        for device in _state.devices.values():
            device.expired = True


def expire_access_tokens() -> None:
    with _lock:
        _state.access = dict.fromkeys(_state.access, False)


def expire_refresh_tokens() -> None:
    with _lock:
        _state.refresh.clear()


def advance(seconds: float) -> None:
    """Time passes for the sandbox: every waiting device's clocks move `seconds` (AWS time) back."""
    with _lock:
        for device in _state.devices.values():
            device.started -= seconds * timing.scale()
            if device.last_poll:
                device.last_poll -= seconds * timing.scale()


# --- answers --------------------------------------------------------------------------------------

Reply = tuple[int, dict[str, Any], dict[str, str]]


def _oidc_error(status: int, exception: str, error: str, description: str) -> Reply:
    # OIDC API Reference, "Common Errors" / CreateToken Errors: the OAuth error code and its text.
    return status, {"error": error, "error_description": description}, {"x-amzn-ErrorType": exception}


def _portal_error(status: int, exception: str, message: str) -> Reply:
    # Portal API Reference (ListAccounts, GetRoleCredentials Errors): UnauthorizedException 401 …
    return status, {"message": message}, {"x-amzn-ErrorType": exception}


def _register_client(body: dict[str, Any]) -> Reply:
    # OIDC API Reference, "RegisterClient": clientId, clientSecret, issued/expiry times (epoch s).
    client_id, secret = "plw-" + secrets.token_hex(8), secrets.token_urlsafe(24)
    _state.clients[client_id] = secret
    now = int(time.time())
    return (
        200,
        {
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": now + CLIENT_SECONDS,
        },
        {},
    )


def _start_device_authorization(body: dict[str, Any], region: str) -> Reply:
    # OIDC API Reference, "StartDeviceAuthorization": deviceCode, userCode, verification URIs,
    # expiresIn and the polling interval in seconds.
    if _state.clients.get(str(body.get("clientId"))) != body.get("clientSecret"):
        return _oidc_error(401, "InvalidClientException", "invalid_client", "Unknown client.")
    code = secrets.token_urlsafe(24)
    user = f"{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}"
    _state.devices[code] = _Device(str(body["clientId"]), code, user, timing.now())
    uri = VERIFICATION_URI.format(region=region)
    return (
        200,
        {
            "deviceCode": code,
            "userCode": user,
            "verificationUri": uri,
            "verificationUriComplete": f"{uri}?user_code={user}",
            "expiresIn": DEVICE_CODE_SECONDS,
            "interval": POLL_INTERVAL,
        },
        {},
    )


def _issue(client_id: str) -> Reply:
    # OIDC API Reference, "CreateToken": accessToken, tokenType Bearer, expiresIn, refreshToken.
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    _state.access[access] = True
    _state.refresh[refresh] = client_id
    body = {
        "accessToken": access,
        "tokenType": "Bearer",
        "expiresIn": ACCESS_TOKEN_SECONDS,
        "refreshToken": refresh,
    }
    return 200, body, {}


def _create_token(body: dict[str, Any]) -> Reply:
    client_id = str(body.get("clientId"))
    if _state.clients.get(client_id) != body.get("clientSecret"):
        return _oidc_error(401, "InvalidClientException", "invalid_client", "Unknown client.")
    grant = body.get("grantType")
    if grant == "refresh_token":
        # A refresh token lasts the user's session; once it ends, CreateToken refuses it.
        if _state.refresh.pop(str(body.get("refreshToken")), None) != client_id:
            return _oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token.")
        return _issue(client_id)
    if grant != "urn:ietf:params:oauth:grant-type:device_code":
        return _oidc_error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", str(grant))
    device = _state.devices.get(str(body.get("deviceCode")))
    if device is None or device.client_id != client_id or device.used:
        return _oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid device code.")
    # RFC 8628 section 3.5 (which CreateToken follows): expired_token, access_denied, slow_down
    # when polled faster than the interval, authorization_pending until the user approves.
    if device.expired or (timing.has_passed(device.started, DEVICE_CODE_SECONDS) and timing.scale() > 0):
        return _oidc_error(400, "ExpiredTokenException", "expired_token", "The device code has expired.")
    if device.denied:
        return _oidc_error(400, "AccessDeniedException", "access_denied", "The user denied the request.")
    now = timing.now()
    too_soon = (
        device.last_poll
        and timing.scale() > 0
        and now - device.last_poll < POLL_INTERVAL * timing.scale() * 0.9
    )
    device.last_poll = now
    if too_soon:
        return _oidc_error(400, "SlowDownException", "slow_down", "Polling too fast.")
    if not timing.has_passed(device.started, APPROVAL_SECONDS):
        return _oidc_error(
            400, "AuthorizationPendingException", "authorization_pending", "Waiting for the user."
        )
    device.used = True
    return _issue(client_id)


def _signed_in(headers: dict[str, str]) -> bool:
    return _state.access.get(headers.get(BEARER, ""), False)


def _page(items: list[dict[str, Any]], query: dict[str, str], key: str) -> Reply:
    start = int(query.get("next_token") or 0)
    size = max(1, min(int(query.get("max_result") or 20), 100))
    reply: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        reply["nextToken"] = str(start + size)
    return 200, reply, {}


def _list_accounts(query: dict[str, str]) -> Reply:
    # Portal API Reference, "ListAccounts": accountList of accountId, accountName, emailAddress.
    items = [
        {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email} for a in _state.accounts
    ]
    return _page(items, query, "accountList")


def _account(account_id: str) -> Account | None:
    return next((a for a in _state.accounts if a.account_id == account_id), None)


def _list_account_roles(query: dict[str, str]) -> Reply:
    # Portal API Reference, "ListAccountRoles": roleList of roleName, accountId.
    account = _account(query.get("account_id", ""))
    if account is None:
        return _portal_error(404, "ResourceNotFoundException", "No access to this account.")
    items = [{"roleName": r, "accountId": account.account_id} for r in account.roles]
    return _page(items, query, "roleList")


def role_name(permission_set: str) -> str:
    # IAM Identity Center user guide, "SSO roles": AWSReservedSSO_<permission set>_<suffix>.
    return f"AWSReservedSSO_{permission_set}_{hashlib.sha1(permission_set.encode()).hexdigest()[:16]}"


def _policy(actions: list[str]) -> str:
    if actions == ["wizard"]:
        from wizard.policy import policy_document

        return json.dumps(policy_document())
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )


def _ensure_role(account_id: str, permission_set: str, actions: list[str]) -> str:
    from moto.iam.models import iam_backends

    iam = iam_backends[account_id]["aws"]
    name = role_name(permission_set)
    if not any(r.name == name for r in list(iam.roles.values())):
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Federated": "sso"}, "Action": "sts:AssumeRoleWithSAML"}
                ],
            }
        )
        iam.create_role(name, trust, SSO_ROLE_PATH, None, "IAM Identity Center permission set", [], "3600")
        iam.put_role_policy(name, permission_set, _policy(actions))
    return f"arn:aws:iam::{account_id}:role{SSO_ROLE_PATH}{name}"


def _get_role_credentials(query: dict[str, str]) -> Reply:
    # Portal API Reference, "GetRoleCredentials": roleCredentials with accessKeyId,
    # secretAccessKey, sessionToken and expiration (epoch milliseconds).
    from moto.sts.models import sts_backends

    account = _account(query.get("account_id", ""))
    name = query.get("role_name", "")
    if account is None or name not in account.roles:
        return _portal_error(404, "ResourceNotFoundException", "No access to this role.")
    arn = _ensure_role(account.account_id, name, account.roles[name])
    role = sts_backends[account.account_id]["aws"].assume_role("us-east-1", USER, arn, "", ROLE_SECONDS, "")
    credentials = {
        "accessKeyId": role.access_key_id,
        "secretAccessKey": role.secret_access_key,
        "sessionToken": role.session_token,
        "expiration": int((time.time() + ROLE_SECONDS) * 1000),
    }
    return 200, {"roleCredentials": credentials}, {}


def answer(
    method: str, path: str, query_string: str, headers: dict[str, str], body: bytes, region: str
) -> Reply | None:
    """The reply to an Identity Center request, or None for any other request."""
    oidc: dict[str, Callable[[dict[str, Any]], Reply]] = {
        "/client/register": _register_client,
        "/device_authorization": lambda b: _start_device_authorization(b, region),
        "/token": _create_token,
    }
    portal: dict[str, Callable[[dict[str, str]], Reply]] = {
        "/assignment/accounts": _list_accounts,
        "/assignment/roles": _list_account_roles,
        "/federation/credentials": _get_role_credentials,
    }
    if "authorization" in headers:  # signed: a moto service's request, not Identity Center's
        return None
    with _lock:
        if method == "POST" and path in oidc:
            _state.calls.append(path)
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                data = {}
            return oidc[path](data if isinstance(data, dict) else {})
        if method == "GET" and path in portal:
            _state.calls.append(path)
            if not _signed_in(headers):
                return _portal_error(401, "UnauthorizedException", "Session token not found or invalid")
            query = {k: v[0] for k, v in parse_qs(query_string).items()}
            return portal[path](query)
        if method == "POST" and path == "/logout":
            # Portal API Reference, "Logout": ends the session; the token stops working.
            _state.access.pop(headers.get(BEARER, ""), None)
            return 200, {}, {}
    return None


def _region_of(host: str) -> str:
    # oidc.<region>.amazonaws.com / portal.sso.<region>.amazonaws.com; the sandbox: us-east-1.
    parts = host.split(".")
    return parts[-3] if host.endswith("amazonaws.com") and len(parts) >= 4 else "us-east-1"


def install() -> None:
    """Answer Identity Center's paths in moto's server before its own dispatcher (idempotent)."""
    from moto.moto_server import werkzeug_app
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "_plw_sso", False):
        return
    # werkzeug drops headers with an underscore; moto keeps a few: keep the portal's token too.
    keeps = werkzeug_app.should_preserve_original_header_name
    werkzeug_app.should_preserve_original_header_name = lambda header_name: (
        header_name.lower() == BEARER or keeps(header_name)
    )

    def dispatch(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path in {"/client/register", "/device_authorization", "/token", "/logout"} or path.startswith(
            ("/assignment/", "/federation/")
        ):
            headers = {
                k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")
            }
            headers[BEARER] = str(environ.get("HTTP_X_AMZ_SSO_BEARER_TOKEN", ""))
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            reply = answer(
                str(environ.get("REQUEST_METHOD")),
                path,
                str(environ.get("QUERY_STRING", "")),
                headers,
                body,
                _region_of(str(environ.get("HTTP_HOST", ""))),
            )
            if reply is not None:
                status, payload, extra = reply
                data = json.dumps(payload).encode()
                reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
                start_response(
                    f"{status} {reason}",
                    [
                        ("Content-Type", "application/json"),
                        ("Content-Length", str(len(data))),
                        *extra.items(),
                    ],
                )
                return [data]
        return original(self, environ, start_response)

    dispatch._plw_sso = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.__call__ = dispatch  # type: ignore[method-assign]
