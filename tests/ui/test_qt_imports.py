"""PySide's import hook, made cheap by wizard.ui.qt_imports: every module gets PySide's plain API
without its source being read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wizard.ui.qt_imports import speed_up_pyside_import_hook


@pytest.fixture(autouse=True)
def cheaper_check() -> None:
    speed_up_pyside_import_hook()  # as the window's start does (once per process)


def test_a_module_imported_after_pyside_gets_the_plain_api_without_its_source_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feature = sys.modules["shibokensupport.feature"]
    # A module that never mentions PySide: PySide's own check would read this file and mark it
    # "does not care" (-1).
    (tmp_path / "plw_plain_module.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    opened: list[str] = []

    def audit(event: str, args: tuple) -> None:
        if event == "open" and str(args[0]).endswith("plw_plain_module.py"):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    try:
        import plw_plain_module  # type: ignore[import-not-found]  # noqa: F401
    finally:
        sys.modules.pop("plw_plain_module", None)
    assert feature.pyside_feature_dict["plw_plain_module"] == 0  # the plain API
    # Compiling it reads the source once (the import system); PySide's check read it again.
    assert len(opened) <= 1


def test_the_check_is_installed_once() -> None:
    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside.fast_check
    assert speed_up_pyside_import_hook() is False  # already in place
