"""Non-secret settings (JSON under the config dir): last region and profile, saved profile names,
presenter mode. Secrets never come here: they live in keyring (wizard/secrets.py).

Thread rule: read and written on the GUI thread only (small file, written on change).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wizard.paths import config_dir

log = logging.getLogger("wizard.settings")


@dataclass
class SavedProfile:
    """A profile saved from the credentials page. The keys themselves are in keyring."""

    name: str
    region: str = ""


@dataclass
class Settings:
    region: str = ""
    profile: str = ""  # last AWS config profile chosen ("" = keys or a saved profile)
    saved_profile: str = ""  # last keyring-backed profile chosen
    saved_profiles: list[SavedProfile] = field(default_factory=list)
    presenter_mode: bool = False
    consumer: str = "rivery"

    @staticmethod
    def path() -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        path = cls.path()
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            # A damaged settings file only loses preferences; never stop the app for it.
            log.warning("Ignoring unreadable settings file %s: %s", path, exc)
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        profiles = known.pop("saved_profiles", [])
        settings = cls(**known)
        settings.saved_profiles = [SavedProfile(**p) for p in profiles if isinstance(p, dict) and "name" in p]
        return settings

    def save(self) -> None:
        path = self.path()
        from wizard import private_files

        private_files.app_folder(path.parent)
        private_files.write_text(path, json.dumps(asdict(self), indent=2))

    def scratch_copy(self) -> Settings:
        """These settings as the demo uses them: changed freely, never written to the file."""
        return _ScratchSettings(**{name: getattr(self, name) for name in self.__dataclass_fields__})

    def remember_profile(self, name: str, region: str) -> None:
        self.saved_profiles = [p for p in self.saved_profiles if p.name != name]
        self.saved_profiles.append(SavedProfile(name, region))
        self.saved_profiles.sort(key=lambda p: p.name.lower())

    def forget_profile(self, name: str) -> None:
        self.saved_profiles = [p for p in self.saved_profiles if p.name != name]


class _ScratchSettings(Settings):
    """The demo's settings: its region and choices must never replace the user's real ones."""

    def save(self) -> None:
        log.debug("Demo: settings kept in memory only")
