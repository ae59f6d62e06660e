from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard import APP_NAME, __version__


def test_about_box_shows_version_licence_and_links(open_window: Callable[..., Any], qtbot: Any) -> None:
    window = open_window(demo=False)
    assert window.about_action.text() == f"&About {APP_NAME}"
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    text = dialog.text.text()
    assert f"Version {__version__}" in text
    assert "Apache License" in text
    assert 'href="https://docs.aws.amazon.com/' in text
    assert dialog.isVisible()
    dialog.close()
