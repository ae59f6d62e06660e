"""The credentials page's permission row: after sign-in, may this identity do every step?
(wizard/aws/preflight.py) A missing permission is listed in plain words, with a button that
copies the exact policy statements for the AWS administrator. Advisory: Next stays enabled,
since the step that lacks a permission still stops and names it."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from wizard.checks import CheckRow
from wizard.ui.widgets.sso_signin import account_task
from wizard.ui.worker import Runner

KEY = "permissions"
SHOWN = 4  # missing permissions named in the row; the rest are counted


def row_for(result: Any) -> CheckRow:
    from wizard.aws.preflight import DENIED, UNKNOWN

    total = len(result.permissions)
    who = result.principal_arn or result.identity_arn
    if result.complete:
        how = "the IAM policy simulator" if result.method == "simulated" else "your root sign-in"
        return CheckRow(
            KEY, True, f"Permissions: all {total} the wizard needs", f"Checked for {who} with {how}."
        )
    denied = result.with_verdict(DENIED)
    if denied:
        names = "; ".join(p.words() for p in denied[:SHOWN])
        more = f"; and {len(denied) - SHOWN} more" if len(denied) > SHOWN else ""
        return CheckRow(
            KEY,
            False,
            f"Permissions: {len(denied)} of {total} missing",
            f"{who} may not do: {names}{more}. A step that needs one will stop. 'Copy the missing "
            "permissions' copies the policy statements for your AWS administrator to attach.",
            required=False,
        )
    unknown = len(result.with_verdict(UNKNOWN))
    why = result.note or "They depend on conditions the wizard cannot know in advance."
    return CheckRow(
        KEY,
        True,
        f"Permissions: {unknown} of {total} could not be checked in advance",
        f"{why} Any step that lacks one stops and names it.",
        warning=True,
        required=False,
    )


class PermissionCheck:
    """Runs the preflight for one sign-in and reports its row; a newer sign-in drops an older
    answer. Errors come back here (the runner's owner), not to the page's error panel."""

    def __init__(self, runner: Runner, on_row: Callable[[CheckRow], None]) -> None:
        self.runner = runner
        self.on_row = on_row
        self._generation = 0
        self.result: Any = None
        self.copy_button = QPushButton("Copy the missing &permissions")
        self.copy_button.setObjectName("copyMissingPermissions")
        self.copy_button.clicked.connect(self.copy)
        self.widget = QWidget()  # the button at its own size, on the left
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.copy_button)
        layout.addStretch(1)
        self.widget.setVisible(False)

    def start(self, aws: Any, identity: Any) -> None:
        self._generation += 1
        generation = self._generation
        self.result = None
        self.widget.setVisible(False)
        self.runner.run(
            account_task("preflight"),
            aws,
            identity,
            on_done=lambda result: self._done(generation, result),
            on_error=lambda error: self._failed(generation, error),
            owner=self,
        )

    def forget(self) -> None:
        self._generation += 1
        self.result = None
        self.widget.setVisible(False)

    def _done(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        self.result = result
        self.widget.setVisible(not result.ok)
        self.on_row(row_for(result))

    def show_error(self, error: Any) -> None:
        """The window routes this check's errors here: `_failed` shows them as the row."""

    def _failed(self, generation: int, error: Any) -> None:
        if generation != self._generation:
            return
        reason = getattr(error, "what", str(error))
        self.on_row(
            CheckRow(
                KEY, True, "Permissions could not be checked in advance", reason, warning=True, required=False
            )
        )

    def copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        if self.result is not None:
            QGuiApplication.clipboard().setText(json.dumps(self.result.missing_policy(), indent=2))
