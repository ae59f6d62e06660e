"""The Done page's hostname rows: the DNS names of the platform's endpoint, as the provider sees
them (the endpoint connection's DnsEntries), with the port — what the platform will connect to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from wizard.hostnames import split
from wizard.ui.rich_text import escape


class HostnameRows(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("hostnames")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_connections(
        self, connections: Sequence[Any], port: int | str, owner: str, shown: Callable[[str], str] = str
    ) -> None:
        """The names of `owner`'s connected endpoint(s) (`shown` redacts them on a screen-share);
        `port` may be several ("5432 for analytics-pg, 5433 for reports-aurora")."""
        rows = []
        for conn in connections:
            if conn.owner_account != owner or conn.state != "available" or not conn.dns_names:
                continue
            regional, zonal = split(conn.dns_names)
            for name in regional or zonal[:1]:
                rows.append(f"<code>{escape(shown(name))}</code>, port {port}")
            if regional:  # each zone's own name, for a platform that pins a zone
                rows += [f"&nbsp;&nbsp;per zone: <code>{escape(shown(n))}</code>" for n in zonal]
        self.setText("<b>The platform will connect to:</b><br>" + "<br>".join(rows) if rows else "")
        self.setVisible(bool(rows))
