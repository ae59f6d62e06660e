"""Page 8: wait for the platform's connection request and accept it (only the platform's)."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from wizard.checks import CheckRow
from wizard.ui.colours import tone
from wizard.ui.pages.base import BasePage
from wizard.ui.worker import tasks

POLL_SECONDS = 10
COLUMNS = ("Endpoint", "From account", "State", "Action")
ENDPOINT, OWNER, STATE, ACTION = range(len(COLUMNS))
# AWS's connection states, as a DBA would say them.
STATE_WORDS = {
    "pendingAcceptance": "Waiting for you to accept",
    "pending": "Being connected…",
    "available": "Connected ✔",
    "rejected": "Rejected",
    "deleting": "Being removed",
    "deleted": "Removed",
    "failed": "Failed",
    "expired": "Expired (not accepted in time)",
}


class AcceptPage(BasePage):
    TITLE = "Accept the platform's connection"
    EXPLANATION = (
        "Once the platform has your service name, it asks to connect. The request appears below "
        "with the AWS account it comes from. Accept the request from the platform's account; a "
        "request from any other account is flagged and never accepted automatically."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.connections: list[Any] = []
        self._seconds_left = 0
        self.table = QTreeWidget()
        self.table.setObjectName("connections")
        self.table.setAccessibleName("Connection requests")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        # Every row as tall as the Accept button, so the button is never squeezed.
        self._row_height = QPushButton("&Accept").sizeHint().height() + 4
        self.table.setHeaderLabels(list(COLUMNS))
        header = self.table.header()
        # A table, not a form: the text columns share the width, the Accept column is only as
        # wide as its button.
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ENDPOINT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OWNER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACTION, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(self.fontMetrics().height() * 6)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        self.countdown.setWordWrap(True)
        self.countdown_bar = QProgressBar()
        self.countdown_bar.setObjectName("countdownBar")
        self.countdown_bar.setRange(0, POLL_SECONDS)
        self.countdown_bar.setTextVisible(False)
        self.countdown_bar.setMaximumHeight(max(6, self.fontMetrics().height() // 3))
        self.countdown_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        self.countdown_bar.setAccessibleName("Time until the next check")
        self.check_now = QPushButton("Check &now")
        self.check_now.setObjectName("checkNow")
        self.check_now.clicked.connect(self.refresh)
        self._last_checked = ""
        row = QHBoxLayout()
        row.addWidget(self.countdown, 1)
        row.addWidget(self.countdown_bar, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.check_now)
        self.body.addWidget(self.table)
        self.body.addLayout(row)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)

    @property
    def expected_owner(self) -> str:
        """The account the platform's request comes from (the allow-listed principal's)."""
        return self.state.consumer.account_for(self.state.principal)

    def initializePage(self) -> None:
        super().initializePage()
        self.refresh()

    def cleanupPage(self) -> None:
        self._tick.stop()
        super().cleanupPage()

    def _on_screen(self) -> bool:
        wizard = self.wizard()
        return wizard is not None and wizard.currentPage() is self

    def refresh(self) -> None:
        self._tick.stop()
        self.countdown.setText("Checking for connection requests…")
        self.countdown_bar.setValue(0)
        self.run_check(tasks.list_requests, self.state.link, on_done=self._listed)

    def _listed(self, connections: list[Any]) -> None:
        self.connections = list(connections)
        self._last_checked = time.strftime("%H:%M:%S")
        self._render()
        if self.available() is None and self._on_screen():
            self._seconds_left = POLL_SECONDS
            self._count_down_text()
            self._tick.start()
        elif self.available() is not None:
            self.countdown.setText(f"Connected. Last checked at {self._last_checked}.")
            self.countdown_bar.setVisible(False)

    def _count_down(self) -> None:
        if not self._on_screen():
            self._tick.stop()
            return
        self._seconds_left -= 1
        if self._seconds_left <= 0:
            self.refresh()
        else:
            self._count_down_text()

    def _count_down_text(self) -> None:
        self.countdown_bar.setVisible(True)
        self.countdown_bar.setValue(POLL_SECONDS - self._seconds_left)
        checked = f" Last checked at {self._last_checked}." if self._last_checked else ""
        self.countdown.setText(f"Checking again in {self._seconds_left} s.{checked}")

    def available(self) -> Any:
        return next(
            (
                c
                for c in self.connections
                if c.owner_account == self.expected_owner and c.state == "available"
            ),
            None,
        )

    def _render(self) -> None:
        self.table.clear()
        expected = self.expected_owner
        consumer = self.state.consumer.display_name
        unexpected = []
        for conn in self.connections:
            ours = conn.owner_account == expected
            owner = f"{conn.owner_account} ({consumer})" if ours else f"{conn.owner_account} ⚠ unknown"
            state = STATE_WORDS.get(conn.state, conn.state)
            action = "" if ours else "Not accepted"
            item = QTreeWidgetItem([self.redactor(conn.endpoint_id), self.redactor(owner), state, action])
            item.setToolTip(STATE, f"AWS state: {conn.state}")
            item.setSizeHint(ENDPOINT, QSize(0, self._row_height))
            self.table.addTopLevelItem(item)
            if ours:
                # The platform's row stands out: bold, and tinted by what it needs from you.
                colour = tone("waiting-row" if conn.pending else "connected-row", self.table)
                bold = QFont(self.table.font())
                bold.setBold(True)
                for column in range(len(COLUMNS)):
                    item.setBackground(column, QBrush(colour))
                    item.setFont(column, bold)
                item.setToolTip(OWNER, f"{consumer}'s account: the request you expect.")
            if ours and conn.pending:
                self.table.setItemWidget(item, ACTION, self._accept_cell(conn))
            elif not ours:
                unexpected.append(conn)
                item.setToolTip(OWNER, "Not the platform's account: not accepted.")
                item.setForeground(OWNER, QBrush(tone("failed", self.table)))
        self.checklist.set_rows(self._rows(unexpected))
        self.completeChanged.emit()

    def _accept_cell(self, conn: Any) -> QWidget:
        """A compact Accept button, left in its cell (a bare item widget fills the whole cell)."""
        cell = QWidget()
        layout = QHBoxLayout(cell)
        layout.setContentsMargins(2, 0, 2, 0)
        button = QPushButton("&Accept")
        button.setObjectName(f"accept-{conn.endpoint_id}")
        button.setToolTip(f"Accept the connection from {conn.owner_account}")
        button.setAccessibleName(f"Accept {conn.endpoint_id}")
        button.clicked.connect(lambda _=False, c=conn: self.accept(c))
        layout.addWidget(button)
        layout.addStretch(1)
        return cell

    def _rows(self, unexpected: list[Any]) -> list[CheckRow]:
        consumer = self.state.consumer.display_name
        rows = []
        done = self.available()
        if done is not None:
            rows.append(
                CheckRow(
                    "connection",
                    True,
                    "Connected: available",
                    reason=f"{consumer}'s endpoint {done.endpoint_id} is connected.",
                )
            )
        elif any(c.owner_account == self.expected_owner for c in self.connections):
            rows.append(
                CheckRow(
                    "connection",
                    False,
                    f"{consumer}'s request is waiting",
                    reason="Press Accept next to it (highlighted).",
                )
            )
        else:
            rows.append(
                CheckRow(
                    "connection",
                    False,
                    f"Waiting for {consumer}'s request",
                    reason=(
                        f"Give {consumer} the service name; their request shows up here. This "
                        "page keeps checking."
                    ),
                )
            )
        for conn in unexpected:
            rows.append(
                CheckRow(
                    f"unexpected-{conn.endpoint_id}",
                    True,
                    f"Request from an unexpected account: {conn.owner_account}",
                    reason=(
                        f"It is not {consumer}'s account ({self.expected_owner}), so the wizard "
                        "will not accept it. If you do not know who this is, reject it in the "
                        "AWS console (VPC → Endpoint services → Endpoint connections)."
                    ),
                    warning=True,
                    required=False,
                )
            )
        return rows

    def accept(self, conn: Any) -> None:
        if conn.owner_account != self.expected_owner:
            return  # the button only exists for the platform's account; never accept others
        self._tick.stop()
        self.run_engine(
            tasks.accept_requests,
            self.state.link,
            [conn.endpoint_id],
            on_done=self._listed,
            busy_text=f"Accepting {conn.endpoint_id}…",
        )

    def page_ready(self) -> bool:
        return self.available() is not None
