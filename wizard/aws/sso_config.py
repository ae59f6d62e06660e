"""Saving an IAM Identity Center login as a profile in ~/.aws/config, as `aws configure sso` does:
an `[sso-session NAME]` section and a `[profile NAME]` that uses it.

The file is the user's: it is edited as text, only the two sections named here are added or
replaced (their lines exactly), and every other line, comment and blank line stays as it was.
The caller shows `preview()` and asks before `save()`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from wizard import private_files
from wizard.aws.sso_cache import SsoLogin
from wizard.errors import bad_input

_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*(?:[#;].*)?$")
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]+$")


def config_path() -> Path:
    return Path(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"))


@dataclass(frozen=True)
class ProfilePlan:
    profile: str
    login: SsoLogin
    account_id: str
    role: str
    region: str

    def sections(self) -> dict[str, list[str]]:
        return {
            f"sso-session {self.login.session_name}": [
                f"sso_start_url = {self.login.start_url}",
                f"sso_region = {self.login.region}",
                "sso_registration_scopes = sso:account:access",
            ],
            f"profile {self.profile}": [
                f"sso_session = {self.login.session_name}",
                f"sso_account_id = {self.account_id}",
                f"sso_role_name = {self.role}",
                f"region = {self.region}",
            ],
        }


def validate_profile_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name) or name == "default":
        raise bad_input(
            f"'{name}' cannot be used as a profile name",
            "Use letters, digits and - _ . @ + only (not 'default'), such as prod-dba.",
        )
    return name


def _split(text: str) -> list[tuple[str | None, list[str]]]:
    """The file as (section header name or None for the lines before any, its lines)."""
    parts: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line)
        if match:
            parts.append((" ".join(match.group(1).split()), [line]))
        else:
            parts[-1][1].append(line)
    return parts


def preview(plan: ProfilePlan) -> tuple[str, list[str]]:
    """The lines that will be written, and the sections of the same name they replace."""
    existing = _read()
    names = {name for name, _ in _split(existing) if name}
    lines: list[str] = []
    for header, body in plan.sections().items():
        lines += [f"[{header}]", *body, ""]
    return "\n".join(lines).rstrip() + "\n", sorted(set(plan.sections()) & names)


def _read() -> str:
    try:
        return config_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def save(plan: ProfilePlan) -> Path:
    """Add the two sections, or replace sections of the same names; nothing else changes."""
    plan = ProfilePlan(
        validate_profile_name(plan.profile), plan.login, plan.account_id, plan.role, plan.region
    )
    path = config_path()
    wanted = plan.sections()
    out: list[str] = []
    written: set[str] = set()
    for name, lines in _split(_read()):
        if name in wanted:
            if name not in written:  # a duplicate section of that name is dropped with it
                out += _section(name, wanted[name], lines)
                written.add(name)
            continue
        out += lines
    text = "".join(out)
    for name, body in wanted.items():
        if name not in written:
            if text and not text.endswith("\n"):
                text += "\n"
            if text and not text.endswith("\n\n"):
                text += "\n"
            text += "".join(_section(name, body, []))
    if not path.parent.exists():
        private_files.app_folder(path.parent)
    tmp = path.with_name(path.name + ".plw-tmp")
    tmp.write_text(text, encoding="utf-8")
    if path.exists():
        os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return path


def _section(name: str, body: list[str], old: list[str]) -> list[str]:
    # Blank lines that ended the old section stay, so the next section keeps its spacing.
    trailing = len(old) - len(list(_strip_trailing_blank(old))) if old else 1
    return [f"[{name}]\n", *(f"{line}\n" for line in body), *(["\n"] * trailing)]


def _strip_trailing_blank(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines
