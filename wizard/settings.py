"""Non-secret settings (JSON under the config dir): last region and profile, saved profile names,
presenter mode. Secrets never come here: they live in keyring (wizard/secrets.py).

Thread rule: read and written on the GUI thread only (small file, written on change).
"""

from __future__ import annotations

import json
import logging
import os
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
        return cls.load_with_note()[0]

    @classmethod
    def load_with_note(cls) -> tuple[Settings, str]:
        """The saved settings (defaults when there are none), and a note for the user when the
        file was damaged (bad JSON, or JSON of another shape): that only loses preferences, so
        the file is kept as settings.json.damaged and the defaults are used."""
        path = cls.path()
        try:
            return cls._parse(json.loads(path.read_text(encoding="utf-8"))), ""
        except FileNotFoundError:
            return cls(), ""
        except (OSError, ValueError, TypeError) as exc:
            kept = path.with_name(path.name + ".damaged")
            try:
                os.replace(path, kept)
            except OSError:
                kept = path
            note = (
                f"The settings file {path} could not be used ({exc}); starting with the default "
                "settings" + (f" (the old file is kept as {kept})." if kept != path else ".")
            )
            log.warning("%s", note)
            return cls(), note

    @classmethod
    def _parse(cls, data: Any) -> Settings:
        if not isinstance(data, dict):
            raise ValueError(f"it holds {type(data).__name__}, not settings")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}")
        texts = ("region", "profile", "saved_profile", "consumer")
        wrong = [k for k in texts if not isinstance(data.get(k, ""), str)]
        wrong += [] if isinstance(data.get("presenter_mode", False), bool) else ["presenter_mode"]
        profiles = data.get("saved_profiles", [])
        if not isinstance(profiles, list) or not all(
            isinstance(p, dict)
            and set(p) <= {"name", "region"}
            and isinstance(p.get("name"), str)
            and isinstance(p.get("region", ""), str)
            for p in profiles
        ):
            wrong.append("saved_profiles")
        if wrong:
            raise ValueError(f"wrong kind of value for {', '.join(wrong)}")
        settings = cls(**{k: v for k, v in data.items() if k != "saved_profiles"})
        settings.saved_profiles = [SavedProfile(**p) for p in profiles]
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
