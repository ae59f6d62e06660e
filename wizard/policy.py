"""The least-privilege IAM policy the app needs (resources/iam-policy.json)."""

from __future__ import annotations

import json
from typing import Any

from wizard.paths import resource


def policy_document() -> dict[str, Any]:
    text = resource("iam-policy.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def policy_actions() -> list[str]:
    return sorted(a for st in policy_document()["Statement"] for a in st["Action"])


def policy_text() -> str:
    return json.dumps(policy_document(), indent=2)
