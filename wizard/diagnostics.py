"""A link's live state, what is wrong with it in plain words (and the fix), and the redacted
report support asks for. Shared by `privatelink-wizard status` and the GUI."""

from __future__ import annotations

import dataclasses
import json
import platform
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wizard import __version__
from wizard.aws import activity as act
from wizard.aws import connections, discovery, endpoint_service, inventory, network, nlb, rds_params
from wizard.aws import target_group as tg
from wizard.aws.errors import UserError
from wizard.aws.session import AwsContext, Identity
from wizard.consumers import load_consumer
from wizard.model import CheckRow, Consumer, DataSource, LinkRecord, SourceKind
from wizard.redact import redact
from wizard.state import RecordStore


@dataclass(frozen=True)
class Finding:
    """One troubleshooting result: a problem (blocks the link), a warning, or fine."""

    severity: str  # "problem" | "warning" | "ok"
    title: str
    why: str = ""
    fix: str = ""
    fix_key: str = ""  # a steps.TargetGroupStep fix key the GUI can offer as a button

    def line(self) -> str:
        mark = {"problem": "✖", "warning": "!", "ok": "✔"}[self.severity]
        text = f"{mark} {self.title}"
        if self.why:
            text += f"\n    Why: {self.why}"
        if self.fix:
            text += f"\n    Fix: {self.fix}"
        return text


@dataclass
class LinkStatus:
    name: str
    region: str
    account_id: str
    record: LinkRecord | None = None
    source: DataSource | None = None
    nlb: nlb.NlbInfo | None = None
    target_group: tg.TargetGroupInfo | None = None
    targets: list[tg.TargetHealthInfo] = field(default_factory=list)
    expected_targets: list[str] = field(default_factory=list)
    service: endpoint_service.ServiceInfo | None = None
    az_ids: list[str] = field(default_factory=list)
    principals: list[str] = field(default_factory=list)
    connections: list[connections.Connection] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not any(f.severity == "problem" for f in self.findings)

    def port_mismatch(self) -> bool:
        if not (self.target_group and self.source and self.source.port):
            return False
        return self.target_group.port != self.source.port

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["healthy"] = self.healthy
        return data

    def text(self) -> str:
        lines = [
            f"Link '{self.name}' in {self.region} (account {self.account_id}): "
            + ("healthy" if self.healthy else "needs attention")
        ]
        if self.nlb:
            lines.append(
                f"  Load balancer: {self.nlb.name} — {self.nlb.state}, "
                f"cross-zone {'on' if self.nlb.cross_zone else 'off'}"
            )
        if self.target_group:
            lines.append(
                f"  Target group: {self.target_group.name} — TCP {self.target_group.port}, "
                f"type {self.target_group.target_type}"
            )
            for t in self.targets:
                reason = f" ({t.reason}: {t.description})" if t.reason else ""
                lines.append(f"    target {t.target_id}:{t.port} — {t.state}{reason}")
        if self.service:
            lines.append(
                f"  Endpoint service: {self.service.name} — {self.service.state}, "
                f"acceptance {'required' if self.service.acceptance_required else 'OFF'}"
            )
            lines.append(f"    Availability zone IDs: {', '.join(self.az_ids) or 'n/a'}")
            lines.append(f"    Allowed: {', '.join(self.principals) or 'nobody'}")
            for c in self.connections:
                lines.append(f"    connection {c.endpoint_id} from {c.owner_account} — {c.state}")
        lines += ["  " + f.line().replace("\n", "\n  ") for f in self.findings]
        return "\n".join(lines)


def link_names(aws: AwsContext, account_id: str) -> list[str]:
    """Links known here: from saved records and from our tags in AWS."""
    saved = {
        r.name for r in RecordStore().all() if r.region == aws.region and r.account_id == account_id
    }
    return sorted(saved | set(inventory.list_link_names(aws)))


def link_status(
    aws: AwsContext, identity: Identity, name: str, consumer: Consumer | None = None
) -> LinkStatus:
    """Read everything about one link and diagnose it. Reads only; changes nothing."""
    consumer = consumer or load_consumer()
    status = LinkStatus(
        name,
        aws.region,
        identity.account_id,
        record=RecordStore().load(identity.account_id, aws.region, name),
    )
    record = status.record
    status.nlb = nlb.find_nlb(aws, name)
    groups = tg.find_target_groups(aws, name)
    status.target_group = groups[0] if groups else None
    if status.target_group:
        status.targets = tg.target_health(aws, status.target_group.arn)
    status.service = endpoint_service.find_endpoint_service(aws, name)
    if status.service:
        status.principals = endpoint_service.allowed_principals(aws, status.service.id)
        status.connections = connections.list_connections(aws, status.service.id)
        status.az_ids = discovery.az_ids(aws, list(status.service.availability_zones))
    if record and record.source_id:
        try:
            status.source = discovery.find_data_source(aws, record.source_id)
        except UserError:
            status.source = None
    status.findings = diagnose(aws, status, consumer)
    return status


def diagnose(aws: AwsContext, s: LinkStatus, consumer: Consumer) -> list[Finding]:
    """Plain-language troubleshooting over a LinkStatus (see the procedure's failure modes)."""
    found: list[Finding] = []
    if s.nlb is None and s.service is None and s.target_group is None:
        return [
            Finding(
                "problem",
                "Nothing of this link exists in AWS",
                "It was never created here, was removed, or is in another region.",
                "Run setup again (it is safe to repeat), or check the region.",
            )
        ]
    if s.nlb is None:
        found.append(
            Finding(
                "problem",
                "The load balancer is missing",
                "It was deleted outside the wizard.",
                "Run setup again to recreate it.",
            )
        )
    elif s.nlb.state != "active":
        found.append(
            Finding(
                "warning",
                f"The load balancer is {s.nlb.state}",
                "It takes a few minutes to start.",
                "Wait, then press Check again.",
            )
        )
    if s.record and s.record.source_id and s.source is None:
        found.append(
            Finding(
                "problem",
                f"The data source {s.record.source_id} was not found",
                "It was deleted or renamed.",
                "Run setup for the new database.",
            )
        )
    port = s.target_group.port if s.target_group else (s.record.port if s.record else 0)
    if s.source and s.nlb and port:
        found += _source_checks(aws, s, port)
    found += _target_findings(s)
    found += _service_findings(s, consumer)
    if not consumer.supports_region(s.region):
        found.append(
            Finding(
                "warning",
                f"{consumer.display_name} has no endpoints in {s.region}",
                "The platform only connects from its supported regions.",
                f"Ask {consumer.support_contact or 'the platform'} to enable {s.region}.",
            )
        )
    if not any(f.severity != "ok" for f in found):
        found.append(Finding("ok", "Everything checked is in order"))
    return found


def _source_checks(aws: AwsContext, s: LinkStatus, port: int) -> list[Finding]:
    assert s.source and s.nlb
    rows = [
        network.check_security_group(
            aws, s.source, port, s.nlb.subnet_ids, s.nlb.security_group_ids
        ),
        network.check_nlb_sg_enforcement(aws, s.nlb.arn),
    ]
    if s.source.is_mysql_family:
        rows.append(rds_params.check_skip_name_resolve(aws, s.source, s.name))
    s.checks = rows
    found = [
        Finding(
            "problem" if row.required else "warning",
            row.label,
            row.reason,
            row.fix,
            fix_key=row.key if row.fix else "",
        )
        for row in rows
        if not row.ok
    ]
    if s.source.kind is SourceKind.RDS_PROXY and s.source.is_postgres_family:
        found.append(
            Finding(
                "warning",
                "RDS Proxy does not carry PostgreSQL change data capture",
                "Logical replication (CDC) connections cannot go through an RDS Proxy.",
                "For CDC, create a link to the database instance itself.",
            )
        )
    if s.source.target_type == "ip" and s.target_group:
        try:
            s.expected_targets = network.resolve_target_ips(aws, s.source)
        except UserError:
            s.expected_targets = []
        registered = {t.target_id for t in s.targets}
        if s.expected_targets and set(s.expected_targets) != registered:
            found.append(
                Finding(
                    "problem",
                    "The registered IP addresses are out of date",
                    f"The database now uses {', '.join(s.expected_targets)} but the load balancer "
                    f"points at {', '.join(sorted(registered)) or 'nothing'} (RDS changes addresses "
                    "after a failover or maintenance).",
                    "Run setup again to register the current addresses.",
                    fix_key="refresh-targets",
                )
            )
    if s.source.kind is SourceKind.EC2_INSTANCE and s.source.status not in {"", "running"}:
        found.append(
            Finding(
                "problem",
                f"The server {s.source.id} is {s.source.status}",
                "A stopped server cannot answer health checks.",
                "Start the instance in the EC2 console.",
            )
        )
    return found


def _target_findings(s: LinkStatus) -> list[Finding]:
    found = []
    if s.target_group and s.port_mismatch():
        found.append(
            Finding(
                "problem",
                "The target group uses another port than the database",
                f"Target group port {s.target_group.port}, database port "
                f"{s.source.port if s.source else '?'}.",
                "Remove the link and run setup with the right --port.",
            )
        )
    for t in s.targets:
        if t.state == "unhealthy":
            found.append(
                Finding(
                    "problem",
                    f"Target {t.target_id} fails health checks",
                    t.description or "The load balancer cannot open a TCP connection to it.",
                    "Make sure the database's security group allows the load balancer's subnets on "
                    "the port (use Fix on the security-group row), and that the database is running.",
                )
            )
        elif t.state in {"unused", "unavailable"}:
            found.append(
                Finding(
                    "problem",
                    f"Target {t.target_id} is {t.state}",
                    t.description or t.reason,
                    "Check the target is in an enabled availability zone.",
                )
            )
    if s.target_group and not s.targets:
        found.append(
            Finding(
                "problem",
                "No targets are registered",
                "The load balancer has nowhere to send traffic.",
                "Run setup again to register the database.",
            )
        )
    return found


def _service_findings(s: LinkStatus, consumer: Consumer) -> list[Finding]:
    if s.service is None:
        return [
            Finding(
                "problem",
                "There is no endpoint service",
                "The chain stops at the load balancer.",
                "Run setup again to create it.",
            )
        ]
    found = []
    if not s.service.acceptance_required:
        found.append(
            Finding(
                "warning",
                "Anyone allowed can connect without your approval",
                "Acceptance is turned off on the endpoint service.",
                "Run setup again to turn acceptance back on.",
            )
        )
    if consumer.principal not in s.principals:
        found.append(
            Finding(
                "problem",
                f"{consumer.display_name}'s principal is not allowed",
                "The platform will see 'service not found' when it tries to connect.",
                f"Run setup again (it adds {consumer.principal}) or use the Allowlist page.",
            )
        )
    owner = consumer.account_id
    pending = [c for c in s.connections if c.state == "pendingAcceptance"]
    for c in pending:
        known = c.owner_account == owner
        found.append(
            Finding(
                "problem" if known else "warning",
                f"Connection {c.endpoint_id} from {c.owner_account} is waiting for acceptance",
                "Traffic flows only after you accept it."
                if known
                else f"It does not come from {consumer.display_name}'s account ({owner}).",
                "Accept it on the Accept page or with `privatelink-wizard accept`."
                if known
                else "Accept it only if you know who it is.",
            )
        )
    if not s.connections:
        found.append(
            Finding(
                "warning",
                "No connection request yet",
                f"{consumer.display_name} has not created its endpoint.",
                "Send the service name to the platform and wait for its request.",
            )
        )
    if len(s.az_ids) < 2:
        found.append(
            Finding(
                "warning",
                f"The service is only in {len(s.az_ids)} availability zone(s)",
                "The platform can only use zones it shares with you; zone names differ between "
                "accounts, the zone IDs do not.",
                f"Send the zone IDs ({', '.join(s.az_ids) or 'none'}) with the service name, or add "
                "subnets in more zones to the load balancer.",
            )
        )
    return found


def report_markdown(
    aws: AwsContext, identity: Identity, reports: list[LinkStatus], presenter: bool = False
) -> str:
    """The diagnostics report, with secrets (always) and account ids (presenter) masked."""
    out = [
        "# PrivateLink Wizard diagnostics",
        "",
        f"- App version: {__version__}",
        f"- OS: {platform.platform()} / Python {platform.python_version()}",
        f"- Region: {aws.region}",
        f"- Signed in as: {identity.arn}",
        f"- Written: {datetime.now():%Y-%m-%d %H:%M:%S}",
        "",
    ]
    for report in reports:
        out += [f"## Link {report.name}", "", "```", report.text(), "```", ""]
        if report.record:
            out += [
                "Link record:",
                "",
                "```json",
                json.dumps(report.record.to_dict(), indent=2),
                "```",
                "",
            ]
        if report.target_group:
            out += [
                "Target group attributes:",
                "",
                "```json",
                json.dumps(report.target_group.attributes, indent=2),
                "```",
                "",
            ]
        if report.checks:
            out += (
                ["Checks:", ""]
                + [f"- {'✔' if c.ok else '✖'} {c.label}: {c.reason}" for c in report.checks]
                + [""]
            )
    out += ["## Recent activity", ""]
    out += [f"- {e.line()}  \n  `{e.cli}`" for e in act.ACTIVITY.events()[-200:]]
    return redact("\n".join(out) + "\n", presenter=presenter)


def write_report(
    path: str | Path,
    aws: AwsContext,
    identity: Identity,
    reports: list[LinkStatus],
    presenter: bool = False,
) -> Path:
    """Markdown, or a zip holding the Markdown and the JSON, by the file's suffix."""
    target = Path(path)
    text = report_markdown(aws, identity, reports, presenter)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".zip":
        data = redact(
            json.dumps([r.to_dict() for r in reports], indent=2, default=str), presenter=presenter
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("report.md", text)
            zf.writestr("status.json", data)
    else:
        target.write_text(text, encoding="utf-8")
    return target
