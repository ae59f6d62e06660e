"""The wheel's package list names every package of the source tree: an editable install (as in
CI) finds a missing one anyway, so only this test notices before a user's `pip install` does."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "wizard").rglob("__init__.py")}
    assert found - listed == set()
    assert listed - found == {"wizard.resources"}  # resources/ is mapped to it (package-dir)
