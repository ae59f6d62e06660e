"""Masking for screens, logs and reports: secrets always, account ids in presenter mode."""

from __future__ import annotations

import re

_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,16}\b")
# Secret keys are 40 base64-ish characters; session tokens are much longer.
_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")
_TOKEN = re.compile(r"[A-Za-z0-9/+=]{100,}")
_SECRET_FIELD = re.compile(
    r"(?i)((?:aws_)?(?:secret_access_key|session_token|SecretAccessKey|SessionToken|password)"
    r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)"
)
_ACCOUNT = re.compile(r"(?<!\d)(\d{12})(?!\d)")
# user:password@ in a URL (an endpoint or proxy URL given with credentials).
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]+@")


def mask_account(account_id: str) -> str:
    return f"•••• {account_id[-4:]}"


def redact_secrets(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """Remove access keys, secret keys and session tokens (always on)."""
    for secret in extra_secrets:
        if secret:
            text = text.replace(secret, "****")
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + "****@", text)
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + "****", text)
    text = _TOKEN.sub("****", text)
    text = _ACCESS_KEY.sub(lambda m: m.group(0)[:4] + "…****", text)
    return _SECRET.sub(lambda m: "****" if _looks_random(m.group(0)) else m.group(0), text)


def _looks_random(run: str) -> bool:
    """Secret keys are random base64: upper case, lower case and digits all appear. ARN tails
    and resource paths of the same length (lower-case hex and names) are left alone."""
    return any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)


def redact(text: str, presenter: bool = False, extra_secrets: tuple[str, ...] = ()) -> str:
    """Secrets always; in presenter mode also account ids (also inside ARNs and service names)."""
    text = redact_secrets(text, extra_secrets)
    if presenter:
        text = _ACCOUNT.sub(lambda m: mask_account(m.group(1)), text)
    return text
