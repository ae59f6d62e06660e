"""Consumer profiles: resources/consumers/*.toml (rivery.toml is the default)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from wizard.errors import bad_input
from wizard.paths import resource
from wizard.validators import principal_account, validate_principal, validate_region

DEFAULT_CONSUMER = "rivery"


@dataclass(frozen=True)
class Consumer:
    """The data platform that will connect (the PrivateLink consumer)."""

    id: str
    display_name: str
    principal: str
    regions: tuple[str, ...]
    support_contact: str = ""
    plan_note: str = ""

    @property
    def account_id(self) -> str:
        return principal_account(self.principal)

    def account_for(self, principal: str) -> str:
        """The account connection requests come from when `principal` is allow-listed (an
        empty one means this profile's own)."""
        return principal_account(principal) or self.account_id

    def supports_region(self, region: str) -> bool:
        return region in self.regions


def parse_consumer(text: str, source: str = "consumer profile") -> Consumer:
    """Parse one consumer TOML document; any defect is a UserError naming the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad_input(f"The {source} is not valid TOML ({exc})", "Fix the file's syntax.") from None
    for key in ("id", "display_name", "principal", "regions"):
        if key not in data:
            raise bad_input(f"The {source} has no '{key}'", f"Add a '{key}' entry.")
    if not isinstance(data["regions"], list) or not data["regions"]:
        raise bad_input(f"'regions' in the {source} must be a non-empty list", "List region codes.")
    for key in ("id", "display_name", "principal", "support_contact", "plan_note"):
        if key in data and not isinstance(data[key], str):
            raise bad_input(f"'{key}' in the {source} must be text", f"Quote the value of '{key}'.")
    return Consumer(
        id=data["id"],
        display_name=data["display_name"],
        principal=validate_principal(data["principal"]),
        regions=tuple(validate_region(str(r)) for r in data["regions"]),
        support_contact=data.get("support_contact", ""),
        plan_note=data.get("plan_note", ""),
    )


def load_consumers() -> dict[str, Consumer]:
    found: dict[str, Consumer] = {}
    for entry in sorted(resource("consumers").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            consumer = parse_consumer(entry.read_text(encoding="utf-8"), entry.name)
            found[consumer.id] = consumer
    return found


def load_consumer(name_or_path: str = DEFAULT_CONSUMER) -> Consumer:
    """A bundled consumer by id, or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return parse_consumer(path.read_text(encoding="utf-8"), str(path))
    consumers = load_consumers()
    if name_or_path not in consumers:
        raise bad_input(
            f"No consumer profile named '{name_or_path}'",
            f"Use one of: {', '.join(sorted(consumers))}, or the path of a .toml file.",
        )
    return consumers[name_or_path]
