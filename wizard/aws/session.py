"""Signing in: profiles (SSO too), access keys, the endpoint override, retries, and who-am-I."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ConfigParseError

from wizard import __version__
from wizard.aws import activity, deadline, model_loader
from wizard.aws.errors import aws_step, translate
from wizard.aws.model_loader import forget_repeated_search_paths, shared_loader
from wizard.errors import EXIT_BAD_INPUT, UserError, bad_input

log = logging.getLogger(__name__)

# Adaptive retries absorb throttling and transient 5xx without any step having to care.
RETRY_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    user_agent_extra=f"privatelink-wizard/{__version__}",
    # AWS's control-plane calls answer in well under a second; with the per-call deadline
    # (wizard/aws/deadline.py) a silent endpoint is given up on within a minute.
    connect_timeout=5,
    read_timeout=15,
)
# For create calls only: one attempt, so a lost reply is never resent (wizard/aws/retry.py
# retries them after looking for what the lost call made).
NO_RETRY_CONFIG = RETRY_CONFIG.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))


@dataclass(frozen=True)
class Credentials:
    """How to sign in. Exactly one of: a profile name, an access key pair, or neither (env)."""

    profile: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    session_token: str = ""

    def __repr__(self) -> str:  # never print secrets, even in a debugger or a log line
        key = f"{self.access_key_id[:4]}…" if self.access_key_id else ""
        return f"Credentials(profile={self.profile!r}, access_key_id={key!r})"


@dataclass(frozen=True)
class Identity:
    account_id: str
    arn: str
    user_id: str


@dataclass
class AwsContext:
    """A boto3 session plus the region, the optional endpoint override and cached clients."""

    session: boto3.Session
    region: str
    endpoint_url: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    data_path: str | None = None  # botocore's AWS_DATA_PATH setting: which model loader
    on_slow: Callable[[str], None] | None = None  # told when a call goes unanswered for a while
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str, retries: bool = True) -> Any:
        """The cached client; `retries=False` for create calls (see wizard/aws/retry.py)."""
        key = service if retries else f"{service}/once"
        # boto3 sessions are not thread-safe for creating clients; clients themselves are.
        with self._lock:
            if key not in self._clients:
                client = self.session.client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    config=RETRY_CONFIG if retries else NO_RETRY_CONFIG,
                )
                activity.attach(client, self.region)
                deadline.bound(client, self.on_slow)
                for name, value in self.extra_headers.items():
                    _add_header(client, name, value)
                self._clients[key] = client
            return self._clients[key]

    def warm_up_models(self) -> None:
        """Parse the wizard's AWS models now rather than as the first clients need them."""
        model_loader.warm_up(self.data_path)

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    @property
    def elbv2(self) -> Any:
        return self.client("elbv2")

    @property
    def rds(self) -> Any:
        return self.client("rds")


def _add_header(client: Any, name: str, value: str) -> None:
    def add(request: Any, **_: Any) -> None:
        request.headers[name] = value

    client.meta.events.register("before-sign.*.*", add)


def make_context(
    credentials: Credentials,
    region: str,
    endpoint_url: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> AwsContext:
    """Build the context; raises UserError for a missing profile or a malformed endpoint URL."""
    from wizard.validators import validate_endpoint_url, validate_region

    region = validate_region(region)
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    if endpoint_url:
        endpoint_url = validate_endpoint_url(endpoint_url)
    if bool(credentials.access_key_id) != bool(credentials.secret_access_key):
        raise bad_input(
            "Both the access key id and the secret access key are needed",
            "Enter both, or choose a profile instead.",
        )
    with aws_step("Opening the AWS profile"):
        session, data_path = boto3_session(
            region,
            credentials.access_key_id,
            credentials.secret_access_key,
            credentials.session_token,
            credentials.profile,
        )
    return AwsContext(session, region, endpoint_url, dict(extra_headers or {}), data_path)


def boto3_session(
    region: str,
    access_key_id: str = "",
    secret_access_key: str = "",
    session_token: str = "",
    profile: str = "",
) -> tuple[boto3.Session, str | None]:
    """A boto3 session on the process-wide model loader (see model_loader.py), and the
    AWS_DATA_PATH setting that chose the loader: its clients parse no AWS model another session
    has parsed."""
    core = botocore.session.Session(profile=profile or None)
    try:
        data_path = core.get_config_variable("data_path")
    except ConfigParseError as exc:
        # Keys given here or in the environment need no credentials file: a broken one must not
        # stop them (botocore reads it with the config file). A broken config file still does.
        keys_given = access_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
        if not keys_given or profile or not _is_credentials_file(core, exc):
            raise
        log.warning("Ignoring the unreadable AWS credentials file %s: keys are given", exc.kwargs.get("path"))
        core = botocore.session.Session()
        core.set_config_variable("credentials_file", os.devnull)
        data_path = core.get_config_variable("data_path")
    loader = shared_loader(data_path)
    core.register_component("data_loader", loader)
    session = boto3.Session(
        aws_access_key_id=access_key_id or None,
        aws_secret_access_key=secret_access_key or None,
        aws_session_token=session_token or None,
        region_name=region,
        botocore_session=core,
    )
    forget_repeated_search_paths(loader)  # boto3 has just added its own data folder again
    return session, data_path


def _is_credentials_file(core: botocore.session.Session, exc: ConfigParseError) -> bool:
    path = os.path.expanduser(str(exc.kwargs.get("path", "")))
    configured = os.path.expanduser(str(core.get_config_variable("credentials_file")))
    return os.path.abspath(path) == os.path.abspath(configured)


def whoami(aws: AwsContext) -> Identity:
    try:
        with aws_step("Checking your AWS credentials", "sts:GetCallerIdentity"):
            reply = aws.client("sts").get_caller_identity()
    except UserError as exc:
        damaged = damaged_sso_cache(aws.session.profile_name) if exc.code == "SSOLogin" else None
        raise (damaged or exc) from None
    return Identity(reply["Account"], reply["Arn"], reply["UserId"])


def sso_cache_file(profile: str) -> Path | None:
    """Where the AWS CLI v2 and botocore keep this SSO profile's login, if it is an SSO profile."""
    try:
        config = botocore.session.Session(profile=profile or None).get_scoped_config()
    except Exception:  # not a readable profile: nothing to point at
        return None
    key = config.get("sso_session") or config.get("sso_start_url")
    if not key:
        return None
    name = hashlib.sha1(str(key).encode("utf-8")).hexdigest() + ".json"
    return Path(os.path.expanduser("~")) / ".aws" / "sso" / "cache" / name


def damaged_sso_cache(profile: str) -> UserError | None:
    """A UserError naming the login cache file when it exists but cannot be used."""
    path = sso_cache_file(profile)
    if path is None or not path.exists():
        return None
    try:
        token = json.loads(path.read_text(encoding="utf-8"))
        usable = isinstance(token, dict) and "accessToken" in token and "expiresAt" in token
    except (OSError, ValueError) as err:
        usable, why = False, str(err)
    else:
        why = "It is not an SSO login the AWS CLI wrote (accessToken or expiresAt is missing)."
    if usable:
        return None
    return UserError(
        what=f"The saved SSO login {path} is damaged",
        why=why,
        fix=f"Run `aws sso login --profile {profile}` (it writes the file again), or delete the "
        "file and sign in again.",
        exit_code=EXIT_BAD_INPUT,
    )


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    region: str
    is_sso: bool


def list_profiles() -> list[ProfileInfo]:
    """Profiles from ~/.aws/config and ~/.aws/credentials (reads files only, no network)."""
    try:
        full = botocore.session.Session().full_config.get("profiles", {})
    except ConfigParseError as exc:
        raise translate(exc, "Reading your AWS profiles") from None
    except Exception as exc:  # a malformed config file must not stop the app
        raise UserError(
            what="Your AWS config file could not be read",
            why=str(exc),
            fix="Fix or move ~/.aws/config, or enter an access key instead.",
        ) from exc
    return [
        ProfileInfo(
            name=name,
            region=str(values.get("region", "")),
            is_sso=bool(values.get("sso_start_url") or values.get("sso_session")),
        )
        for name, values in sorted(full.items())
    ]
