"""The IAM Identity Center login cache, in the AWS CLI v2's format and place.

`~/.aws/sso/cache/<sha1 of the sso-session name>.json` holds startUrl, region, accessToken,
expiresAt, clientId, clientSecret, registrationExpiresAt and refreshToken, with times as
`YYYY-MM-DDTHH:MM:SSZ` (UTC): what `aws sso login` writes and what botocore's SSO token provider
reads and refreshes, so the wizard and the AWS CLI reuse each other's login. A login cached by
an older CLI under the start URL's hash (a profile with no sso-session) is read too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from wizard import private_files
from wizard.errors import bad_input

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A token this close to its end is refreshed first (botocore refreshes within 15 minutes).
REFRESH_MARGIN = timedelta(minutes=15)


_cache_dir: list[Path] = []  # the demo's own folder, when set


def set_cache_dir(path: Path) -> None:
    """Keep logins elsewhere from now on (the demo: nothing of the user's is written)."""
    _cache_dir[:] = [path]


def cache_dir() -> Path:
    if _cache_dir:
        return _cache_dir[0]
    return Path(os.path.expanduser("~")) / ".aws" / "sso" / "cache"


def cache_key(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def cache_path(name: str) -> Path:
    return cache_dir() / f"{cache_key(name)}.json"


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: Any) -> datetime | None:
    """The CLI's `…Z` form, or any ISO 8601 time (botocore writes `+00:00` when it refreshes)."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SsoLogin:
    """Where to sign in: the access portal's start URL, its region, and the sso-session name."""

    start_url: str
    region: str
    session_name: str


@dataclass
class CachedToken:
    data: dict[str, Any]

    @property
    def access_token(self) -> str:
        return str(self.data.get("accessToken", ""))

    @property
    def expires_at(self) -> datetime | None:
        return parse_time(self.data.get("expiresAt"))

    def fresh(self) -> bool:
        end = self.expires_at
        return bool(self.access_token) and end is not None and end - now() > REFRESH_MARGIN

    def can_refresh(self) -> bool:
        ends = parse_time(self.data.get("registrationExpiresAt"))
        keys = ("refreshToken", "clientId", "clientSecret")
        return all(self.data.get(k) for k in keys) and ends is not None and ends > now()

    def registration(self) -> tuple[str, str] | None:
        """The registered client (id, secret) while the registration lasts."""
        ends = parse_time(self.data.get("registrationExpiresAt"))
        if self.data.get("clientId") and self.data.get("clientSecret") and ends and ends > now():
            return str(self.data["clientId"]), str(self.data["clientSecret"])
        return None


def validate_start_url(text: str) -> str:
    url = text.strip()
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise bad_input(
            f"'{text}' is not an AWS access portal URL",
            "Copy the start URL from your IAM Identity Center settings or your administrator, such "
            "as https://my-company.awsapps.com/start.",
        )
    return url


def default_session_name(start_url: str) -> str:
    """The sso-session name the user already gave this start URL in ~/.aws/config, else one
    made from its host (my-company.awsapps.com -> my-company)."""
    try:
        import botocore.session

        sessions = botocore.session.Session().full_config.get("sso_sessions", {})
    except Exception:  # an unreadable config names nothing; the login still works
        sessions = {}
    for name, values in sorted(sessions.items()):
        if str(values.get("sso_start_url", "")).rstrip("/") == start_url.rstrip("/"):
            return str(name)
    parsed = urlparse(start_url)
    label = (parsed.hostname or "").split(".")[0]
    if label in {"", "identitycenter", "portal"}:
        label = parsed.path.strip("/").split("/")[0] or "sso"
    return re.sub(r"[^A-Za-z0-9_-]", "-", label) or "sso"


def read(login: SsoLogin) -> CachedToken | None:
    """The cached login for this session (or, from an older CLI, for its start URL)."""
    for name in (login.session_name, login.start_url):
        path = cache_path(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("accessToken"):
            return CachedToken(data)
    return None


def write(login: SsoLogin, token: dict[str, Any], client: tuple[str, str, datetime]) -> Path:
    """Save a token from CreateToken (`expiresIn` seconds) with its client registration."""
    client_id, client_secret, registration_ends = client
    data: dict[str, Any] = {
        "startUrl": login.start_url,
        "region": login.region,
        "accessToken": token["accessToken"],
        "expiresAt": stamp(now() + timedelta(seconds=int(token.get("expiresIn", 3600)))),
        "clientId": client_id,
        "clientSecret": client_secret,
        "registrationExpiresAt": stamp(registration_ends),
    }
    if token.get("refreshToken"):
        data["refreshToken"] = token["refreshToken"]
    path = cache_path(login.session_name)
    private_files.app_folder(path.parent)
    private_files.write_text(path, json.dumps(data, indent=2))
    return path


def forget(login: SsoLogin) -> list[Path]:
    """Delete the cached login (signing out); the paths removed."""
    removed = []
    for name in (login.session_name, login.start_url):
        path = cache_path(name)
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
