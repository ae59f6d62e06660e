"""A live check's answer: the engine's steps make them, the CLI prints them, the GUI shows them
as checklist rows. (Its own module: the first window imports it without the rest of the model.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckRow:
    """One live precondition: shown as a checklist row; Next is enabled when required rows hold."""

    key: str
    ok: bool
    label: str
    reason: str = ""
    fix: str = ""  # a plain description of the change a Fix button would make ("" = no fix)
    required: bool = True
    warning: bool = False  # ok but worth a look (e.g. a region the platform must enable)
