"""Input validation shared by the CLI and the GUI. Each returns the cleaned value or raises a
UserError (exit code 2) whose message says exactly what is wrong and how to write it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wizard.errors import UserError, bad_input

# (?a): ASCII \d and \w, as AWS means them.
_REGION = re.compile(r"(?a)^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_PRINCIPAL = re.compile(
    r"(?a)^arn:aws(-cn|-us-gov)?:iam::(\d{12}):(root|user/[\w+=,.@/-]{1,512}|role/[\w+=,.@/-]{1,512})$"
)
_LINK_NAME = re.compile(r"(?a)^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# NLB names are at most 32 characters; the target group is named "<link>-<port>" (port ≤ 5
# digits), so a link name of 26 keeps both within AWS's limit.
LINK_NAME_MAX = 26
_SOURCE_ID = re.compile(r"(?a)^[A-Za-z][A-Za-z0-9-]{0,62}$")
_EC2_ID = re.compile(r"(?a)^i-[0-9a-f]{8}([0-9a-f]{9})?$")
_SERVICE_ID = re.compile(r"(?a)^vpce-svc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"(?a)^subnet-[0-9a-f]{8,17}$")


def _text(value: object) -> str:
    """Inputs come from argv, TOML files and text boxes; anything else is treated as its text."""
    return "" if value is None else str(value).strip()


def validate_region(region: str) -> str:
    value = _text(region).lower()
    if not _REGION.match(value):
        raise bad_input(
            f"'{region}' is not an AWS region name",
            "Use a region code such as us-east-1 or eu-west-1 (the AWS console shows it at the top right).",
        )
    return value


def validate_principal(arn: str) -> str:
    value = _text(arn)
    if not _PRINCIPAL.match(value):
        raise bad_input(
            f"'{arn}' is not a valid IAM principal ARN",
            "It must look like arn:aws:iam::123456789012:root (12-digit account id), or name an "
            "IAM role or user: arn:aws:iam::123456789012:role/NAME. Copy it exactly as the "
            "platform gave it.",
        )
    return value


def principal_account(arn: str) -> str:
    m = _PRINCIPAL.match(_text(arn))
    return m.group(2) if m else ""


def validate_port(port: int | str) -> int:
    try:
        value = int(str(port).strip())
    except ValueError:
        raise bad_input(f"'{port}' is not a port number", "Enter a whole number from 1 to 65535.") from None
    if not 1 <= value <= 65535:
        raise bad_input(
            f"Port {value} is out of range",
            "Enter a whole number from 1 to 65535 (MySQL uses 3306, PostgreSQL 5432, SSH 22).",
        )
    return value


def validate_link_name(name: str) -> str:
    value = _text(name)
    if not value:
        raise bad_input("The link name is empty", "Enter a short name such as orders-db.")
    if len(value) > LINK_NAME_MAX:
        raise bad_input(
            f"The link name '{value}' is {len(value)} characters long",
            f"Use at most {LINK_NAME_MAX}: AWS limits load balancer names to 32 characters.",
        )
    if not _LINK_NAME.match(value) or "--" in value:
        raise bad_input(
            f"The link name '{value}' has characters AWS does not accept",
            "Use lower-case letters, digits and single hyphens, starting and ending with a "
            "letter or digit (for example orders-db).",
        )
    if value.startswith("internal-"):
        raise bad_input(
            "A link name cannot start with 'internal-'",
            "AWS reserves that prefix for load balancer names. Choose another name.",
        )
    return value


def default_link_name(source_id: str) -> str:
    """A valid link name derived from a data source id."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", source_id.lower()).strip("-")
    cleaned = re.sub(r"^internal-", "", cleaned)
    cleaned = ("plw-" + cleaned)[:LINK_NAME_MAX].rstrip("-")
    return cleaned or "plw-link"


def validate_source_id(source_id: str) -> str:
    value = _text(source_id)
    if _EC2_ID.match(value) or _SOURCE_ID.match(value):
        return value
    raise bad_input(
        f"'{source_id}' is not a database or server id",
        "Give an RDS instance id, Aurora cluster id, RDS Proxy name (letters, digits, "
        "hyphens) or an EC2 instance id (i-0123…). `privatelink-wizard status` lists none of "
        "these; the AWS console's RDS and EC2 pages show them.",
    )


def validate_service_id(service_id: str) -> str:
    value = _text(service_id)
    if not _SERVICE_ID.match(value):
        raise bad_input(
            f"'{service_id}' is not an endpoint service id",
            "It looks like vpce-svc-0123456789abcdef0 (the last part of the service name).",
        )
    return value


def validate_subnet_ids(text: str) -> tuple[str, ...]:
    ids = tuple(s.strip() for s in _text(text).split(",") if s.strip())
    bad = [s for s in ids if not _SUBNET_ID.match(s)]
    if not ids or bad:
        raise bad_input(
            f"'{text}' is not a list of subnet ids",
            "Give comma-separated ids such as subnet-0abc1234,subnet-0def5678.",
        )
    return ids


def validate_endpoint_url(url: str) -> str:
    value = _text(url)
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme not in {"http", "https"} or not parts.hostname or not port_ok:
        raise bad_input(
            f"'{url}' is not a usable endpoint URL",
            "Give a full URL such as http://127.0.0.1:5000, or leave it out to use AWS itself.",
        )
    return value


def is_valid(validator: object, value: object) -> str:
    """'' when `value` passes `validator`, else the message to show (for live UI checks)."""
    try:
        validator(value)  # type: ignore[operator]
    except UserError as exc:
        return exc.paragraph()
    return ""
