"""The engine calls of the sign-in widgets (IAM Identity Center, the permission check, deleting a
saved profile), as plain functions that run on worker threads. No Qt here."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wizard import secrets
from wizard.aws import preflight as pf
from wizard.aws import sso, sso_cache, sso_config
from wizard.aws.session import AwsContext, Credentials, Identity
from wizard.aws.sso_cache import SsoLogin
from wizard.errors import bad_input
from wizard.validators import validate_region

_demo_cache: list[Path] = []


def use_demo_cache() -> None:
    """The demo keeps its Identity Center login in a folder of its own: it saves nothing of the
    user's (their ~/.aws stays as it was)."""
    if not _demo_cache:
        _demo_cache.append(Path(tempfile.mkdtemp(prefix="plw-demo-sso-")))
        sso_cache.set_cache_dir(_demo_cache[0])


@dataclass(frozen=True)
class SsoSession:
    portal: sso.Portal
    token: str
    accounts: list[sso.SsoAccount]


def login_for(start_url: str, region: str, session_name: str = "") -> SsoLogin:
    url = sso_cache.validate_start_url(start_url)
    if not region.strip():
        raise bad_input("The IAM Identity Center region is missing", "Type it, such as us-east-1.")
    return SsoLogin(url, validate_region(region.strip()), session_name or sso_cache.default_session_name(url))


def profile_login(profile: str) -> SsoLogin | None:
    """The IAM Identity Center login behind an AWS config profile (None: not an SSO profile)."""
    import botocore.session

    full = botocore.session.Session().full_config
    values = full.get("profiles", {}).get(profile, {})
    session = values.get("sso_session")
    config = full.get("sso_sessions", {}).get(session, {}) if session else values
    url, region = config.get("sso_start_url"), config.get("sso_region")
    if not (url and region):
        return None
    return SsoLogin(str(url), str(region), str(session or url))


def sso_sign_in(
    login: SsoLogin,
    endpoint_url: str | None,
    show_code: Callable[[sso.DeviceCode], None],
    cancel: threading.Event,
    force_new: bool = False,
    demo: bool = False,
) -> SsoSession:
    if demo:
        use_demo_cache()
    portal = sso.Portal(login, endpoint_url)
    token, accounts = sso.sign_in(portal, show_code, cancel, force_new)
    return SsoSession(portal, token, accounts)


def sso_roles(session: SsoSession, account_id: str) -> list[str]:
    return session.portal.roles(session.token, account_id)


def sso_role_credentials(session: SsoSession, account_id: str, role: str) -> Credentials:
    return session.portal.role_credentials(session.token, account_id, role)


def sso_save_profile(plan: sso_config.ProfilePlan) -> Path:
    return sso_config.save(plan)


def preflight(aws: AwsContext, identity: Identity) -> pf.Preflight:
    return pf.run(aws, identity)


def delete_saved_profile(name: str) -> None:
    secrets.delete_profile(name)
