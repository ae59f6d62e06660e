"""A link's live state and what is wrong with it: the model `privatelink-wizard status` prints
and the link health view shows (read from AWS by `reading.py`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.aws import connections, converge, endpoint_service, nlb
from wizard.aws import target_group as tg
from wizard.aws.alerts import AlertsInfo
from wizard.checks import CheckRow
from wizard.model import DataSource, LinkRecord

if TYPE_CHECKING:
    from wizard.diagnostics.databases import DatabaseStatus
    from wizard.diagnostics.sync import SyncStatus


@dataclass(frozen=True)
class Finding:
    """One troubleshooting result: a problem (blocks the link), a warning, or fine."""

    severity: str  # "problem" | "warning" | "ok"
    title: str
    why: str = ""
    fix: str = ""
    fix_key: str = ""  # one of FIX_KEYS: the GUI offers a Fix button, apply_fix() applies it

    def line(self) -> str:
        mark = {"problem": "✖", "warning": "!", "ok": "✔"}[self.severity]
        text = f"{mark} {self.title}"
        if self.why:
            text += f"\n    Why: {self.why}"
        if self.fix:
            text += f"\n    Fix: {self.fix}"
        return text


@dataclass(frozen=True)
class ListenerInfo:
    port: int
    protocol: str
    target_group_arns: tuple[str, ...]


@dataclass
class LinkStatus:
    name: str
    region: str
    account_id: str
    record: LinkRecord | None = None
    source: DataSource | None = None
    nlb: nlb.NlbInfo | None = None
    listeners: list[ListenerInfo] = field(default_factory=list)
    target_group: tg.TargetGroupInfo | None = None
    targets: list[tg.TargetHealthInfo] = field(default_factory=list)
    expected_targets: list[str] = field(default_factory=list)
    service: endpoint_service.ServiceInfo | None = None
    az_ids: list[str] = field(default_factory=list)
    principals: list[str] = field(default_factory=list)
    connections: list[connections.Connection] = field(default_factory=list)
    # What the link has on another port than the one it asks for (see diagnostics.drift).
    leftovers: list[converge.Leftover] = field(default_factory=list)
    alerts: AlertsInfo | None = None  # the link's alerts (wizard/aws/alerts.py), None when off
    checks: list[CheckRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    target_sync: SyncStatus | None = None  # see wizard.diagnostics.sync
    # Every database behind the link, the first one first (see wizard.diagnostics.databases).
    databases: list[DatabaseStatus] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not any(f.severity == "problem" for f in self.findings)

    @property
    def port(self) -> int:
        if self.target_group:
            return self.target_group.port
        if self.record and self.record.port:
            return self.record.port
        return self.source.port or 0 if self.source else 0

    def port_mismatch(self) -> bool:
        if not (self.target_group and self.source and self.source.port):
            return False
        return self.target_group.port != self.source.port

    def check(self, key: str) -> CheckRow | None:
        return next((c for c in self.checks if c.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["healthy"] = self.healthy
        data["port"] = self.port  # the hostnames' port (connections[].dns_names)
        return data

    def text(self) -> str:
        lines = [
            f"Link '{self.name}' in {self.region} (account {self.account_id}): "
            + ("healthy" if self.healthy else "needs attention")
        ]
        if self.source:
            lines.append(
                f"  Data source: {self.source.kind.label} {self.source.id} — "
                f"{self.source.status or 'status unknown'}, port {self.source.port or 'n/a'}, "
                f"zones {', '.join(self.source.availability_zones) or 'n/a'}"
            )
        if self.nlb:
            lines.append(
                f"  Load balancer: {self.nlb.name} — {self.nlb.state}, "
                f"cross-zone {'on' if self.nlb.cross_zone else 'off'}, "
                f"security groups {', '.join(self.nlb.security_group_ids) or 'none'}"
            )
            for ls in self.listeners:
                lines.append(f"    listener {ls.protocol} {ls.port}")
        if self.target_group:
            lines.append(
                f"  Target group: {self.target_group.name} — TCP {self.target_group.port}, "
                f"type {self.target_group.target_type}"
            )
            for t in self.targets:
                reason = f" ({t.reason}: {t.description})" if t.reason else ""
                lines.append(f"    target {t.target_id}:{t.port} — {t.state}{reason}")
        if len(self.databases) > 1:
            for db in self.databases:
                lines += db.lines()
        if self.target_sync:
            lines.append(f"  {self.target_sync.line()}")
        if self.service:
            lines.append(
                f"  Endpoint service: {self.service.name} — {self.service.state}, "
                f"acceptance {'required' if self.service.acceptance_required else 'OFF'}"
            )
            lines.append(f"    Availability zone IDs: {', '.join(self.az_ids) or 'n/a'}")
            lines.append(f"    Allowed: {', '.join(self.principals) or 'nobody'}")
            for c in self.connections:
                lines.append(f"    connection {c.endpoint_id} from {c.owner_account} — {c.state}")
        from wizard import alert_status

        lines += alert_status.text_lines(self)
        lines += ["  " + f.line().replace("\n", "\n  ") for f in self.findings]
        return "\n".join(lines)
