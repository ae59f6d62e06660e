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

from wizard import __version__, private_files
from wizard.aws import activity as act
from wizard.aws import (
    connections,
    converge,
    discovery,
    endpoint_service,
    inventory,
    network,
    nlb,
    nlb_security,
    rds_params,
)
from wizard.aws import target_group as tg
from wizard.aws.alerts import AlertsInfo
from wizard.aws.session import AwsContext, Identity
from wizard.aws.teardown_plan import left_rules
from wizard.checks import CheckRow
from wizard.consumers import Consumer, load_consumer
from wizard.errors import UserError, bad_input, file_error
from wizard.model import DataSource, LinkPlan, LinkRecord, SourceKind
from wizard.redact import redact
from wizard.state import DamagedRecordError, RecordStore

# Fix keys diagnose() may put on a Finding, all handled by apply_fix(). The first six are
# steps.TargetGroupStep fixes (the first five also offered on the target group page, whose
# Create button does the sixth when the port changes).
STEP_FIXES = (
    "security-group",
    "nlb-sg-enforcement",
    "skip-name-resolve",
    "max-connect-errors",
    "refresh-targets",
    "remove-leftovers",
)
FIX_KEYS = (*STEP_FIXES, "allow-principal", "accept-connection", "other-principals")
# AWS's target-health reason codes that mean "not in service yet", not "broken".
_STARTING = {"Elb.RegistrationInProgress", "Elb.InitialHealthChecking"}
# Health states of a target on its way out of the group (after a deregistration); an `unused`
# target is still registered (stopped, or in a zone the load balancer is not in).
_LEAVING = tg.LEAVING_STATES


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
    # What the link has on another port than the one it asks for (see wizard.drift).
    leftovers: list[converge.Leftover] = field(default_factory=list)
    alerts: AlertsInfo | None = None  # the link's alerts (wizard/aws/alerts.py), None when off
    checks: list[CheckRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

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


def link_names(aws: AwsContext, account_id: str) -> list[str]:
    """Links known here: from saved records and from our tags in AWS."""
    store = RecordStore()
    records, damaged = store.scan()
    saved = {r.name for r in records if r.region == aws.region and r.account_id == account_id}
    # A damaged record still names its link in its file name (account_region_name.json).
    prefix = store.path(account_id, aws.region, "").stem
    saved |= {d.path.stem[len(prefix) :] for d in damaged if d.path.stem.startswith(prefix)}
    return sorted(saved | set(inventory.list_link_names(aws)))


def link_status(
    aws: AwsContext, identity: Identity, name: str, consumer: Consumer | None = None
) -> LinkStatus:
    """Read everything about one link and diagnose it. Reads only; changes nothing."""
    consumer = consumer or load_consumer()
    damaged: DamagedRecordError | None = None
    try:
        record = RecordStore().load(identity.account_id, aws.region, name)
    except DamagedRecordError as exc:  # what exists is still read from AWS, by the link's tags
        record, damaged = None, exc
    status = LinkStatus(name, aws.region, identity.account_id, record=record)
    record = status.record
    status.nlb = nlb.find_nlb(aws, name)
    if status.nlb:
        status.listeners = [
            ListenerInfo(
                int(ls.get("Port", 0)),
                str(ls.get("Protocol", "")),
                tuple(a["TargetGroupArn"] for a in ls.get("DefaultActions", []) if a.get("TargetGroupArn")),
            )
            for ls in tg.listeners(aws, status.nlb.arn)
        ]
    groups = tg.find_target_groups(aws, name)
    # The one for the port the link asks for (an earlier port's may be left over).
    asked = [g for g in groups if record and g.port == record.port]
    status.target_group = (asked or groups)[0] if groups else None
    if status.target_group:
        status.targets = tg.target_health(aws, status.target_group.arn)
    status.service = endpoint_service.find_endpoint_service(aws, name)
    if status.service:
        status.principals = endpoint_service.allowed_principals(aws, status.service.id)
        status.connections = connections.list_connections(aws, status.service.id)
        status.az_ids = discovery.az_ids(aws, list(status.service.availability_zones))
    source_id = record.source_id if record else ""
    if not source_id and status.target_group and status.target_group.target_type == "instance":
        # No saved record (built on another computer): an instance target names its server.
        source_id = next((t.target_id for t in status.targets), "")
    if source_id:
        try:
            status.source = discovery.find_data_source(aws, source_id)
        except UserError:
            status.source = None
    from wizard import drift

    port = drift.expected_port(status)
    if port and (status.nlb or groups):
        target_group_name = f"{name}-{port}"  # LinkPlan.target_group_name
        status.leftovers = converge.find_leftovers(aws, name, port, target_group_name, status.nlb)
    from wizard import alert_status

    unread = alert_status.read(aws, status)
    status.findings = diagnose(aws, status, consumer) + unread
    # A rule that only looks like the wizard's: teardown will leave it, so say so now.
    status.findings += [Finding("warning", r.line(), r.why, r.fix) for r in left_rules(aws, name, record)]
    if damaged is not None:
        status.findings.append(Finding("warning", damaged.what, damaged.why, damaged.fix))
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
    if s.nlb and s.target_group and not any(s.target_group.arn in ls.target_group_arns for ls in s.listeners):
        found.append(
            Finding(
                "problem",
                f"No listener on the load balancer forwards to port {s.target_group.port}",
                "Without a listener the load balancer accepts no connections for the database.",
                "Run setup again: it recreates the listener.",
            )
        )
    if s.source and s.nlb and s.port:
        found += _source_checks(aws, s)
    from wizard import drift

    found += drift.leftover_findings(s)
    found += _target_findings(s)
    found += _zone_findings(s)
    found += _service_findings(s, consumer)
    from wizard import alert_status

    found += alert_status.findings(s)
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


def _source_checks(aws: AwsContext, s: LinkStatus) -> list[Finding]:
    assert s.source and s.nlb
    rows = [
        network.check_security_group(aws, s.source, s.port, s.nlb.subnet_ids, s.nlb.security_group_ids),
        nlb_security.check_nlb_sg_enforcement(aws, s.nlb.arn),
    ]
    if s.source.is_mysql_family:
        rows.append(rds_params.check_skip_name_resolve(aws, s.source, s.name))
        rows.append(rds_params.check_max_connect_errors(aws, s.source, s.name))
    s.checks = rows
    found = [
        Finding(
            "problem" if row.required else "warning",
            row.label,
            row.reason,
            row.fix,
            fix_key=row.key if row.fix and row.key in FIX_KEYS else "",
        )
        for row in rows
        if not row.ok
    ]
    # A setting made but not in effect yet (waiting for a reboot) is a warning, never "fine";
    # its fix is a reboot, which the DBA does (no Fix button).
    found += [
        Finding("warning", row.label, row.reason, row.fix)
        for row in rows
        if row.ok and row.warning and row.fix and row.key in rds_params.KEYS
    ]
    if rows[0].ok and not s.nlb.security_group_ids:
        found.append(_older_firewall_form(s.port))
    if s.source.kind is SourceKind.RDS_PROXY and s.source.is_postgres_family:
        found.append(
            Finding(
                "warning",
                "RDS Proxy does not carry PostgreSQL change data capture",
                f"{s.source.id} is an RDS Proxy for PostgreSQL: logical replication (CDC) "
                "connections cannot go through an RDS Proxy, so the platform's CDC would fail.",
                "For CDC, create a link to the database instance itself; keep this one for ordinary queries.",
            )
        )
    if s.source.target_type == "ip" and s.target_group:
        try:
            s.expected_targets = network.resolve_target_ips(aws, s.source)
        except UserError:
            s.expected_targets = []
        registered = _registered(s)
        if s.expected_targets and set(s.expected_targets) != registered:
            found.append(
                Finding(
                    "problem",
                    "The registered IP addresses are out of date",
                    f"The database now uses {', '.join(s.expected_targets)} but the load balancer "
                    f"points at {', '.join(sorted(registered)) or 'nothing'} (RDS changes addresses "
                    "after a failover or maintenance).",
                    f"Register {', '.join(s.expected_targets)} and remove the old addresses from "
                    "the target group.",
                    fix_key="refresh-targets",
                )
            )
    if s.source.kind is SourceKind.EC2_INSTANCE and s.source.status not in {"", "running"}:
        found.append(
            Finding(
                "problem",
                f"The server {s.source.id} is {s.source.status}",
                "A server that is not running cannot answer the load balancer's health checks, so "
                "no connection can reach it.",
                "Start the instance in the EC2 console (Instances → Instance state → Start), "
                "then press Check again.",
            )
        )
    return found


def _older_firewall_form(port: int) -> Finding:
    """A link made before the load balancer had a security group of its own: fine, but wider."""
    return Finding(
        "ok",
        "The database's firewall admits the load balancer's whole subnets",
        f"This link's load balancer was created without a security group, so the database allows "
        f"the load balancer's subnets on port {port}. That works, but any computer in those "
        f"subnets can reach the database on port {port} too. A link set up now gets a security "
        "group for its load balancer, and the database allows only that group. Nothing needs to "
        "change; to switch, remove the link (teardown) and set it up again, since AWS cannot add "
        "a security group to an existing load balancer.",
    )


def _unrouted(s: LinkStatus) -> bool:
    """True when no listener of the load balancer forwards to the link's target group."""
    return s.target_group is not None and not any(
        s.target_group.arn in ls.target_group_arns for ls in s.listeners
    )


def _database_outside_zones(s: LinkStatus) -> bool:
    """True when none of the database's zones is one the load balancer (its service) is in."""
    if not (s.source and s.nlb and s.service and s.source.availability_zones):
        return False
    served = set(s.service.availability_zones)
    return bool(served) and not served & set(s.source.availability_zones)


def _registered(s: LinkStatus) -> set[str]:
    return {t.target_id for t in s.targets if t.state not in _LEAVING}


def _unhealthy_cause(s: LinkStatus, target: tg.TargetHealthInfo) -> tuple[str, str, str]:
    """(why, fix, fix_key) for a target failing health checks: the likeliest cause first."""
    sg = s.check("security-group")
    if sg is not None and not sg.ok:
        return (
            f"The database's security group does not let the load balancer in on port {s.port}, "
            "so its health checks time out.",
            sg.fix or "Allow the load balancer's subnets in the database's security group.",
            "security-group" if sg.fix else "",
        )
    if s.port_mismatch() and s.source:
        return (
            f"The load balancer checks port {target.port}, but the database listens on {s.source.port}.",
            f"Remove the link and run setup again with --port {s.source.port}.",
            "",
        )
    if s.expected_targets and target.target_id not in s.expected_targets:
        return (
            f"{target.target_id} is no longer the database's address (RDS moved it after a "
            f"failover or maintenance; it now uses {', '.join(s.expected_targets)}).",
            "Register the current addresses and remove the old one.",
            "refresh-targets",
        )
    if s.source and s.source.kind is SourceKind.EC2_INSTANCE and s.source.status != "running":
        return (
            f"The server {s.source.id} is {s.source.status or 'not running'}.",
            "Start the instance in the EC2 console, then press Check again.",
            "",
        )
    detail = f" AWS says: {target.description}" if target.description else ""
    return (
        f"The load balancer cannot open a TCP connection to {target.target_id} on port "
        f"{target.port}.{detail} The security group allows it, so the database itself may be "
        "down or not listening, or a network ACL blocks the load balancer's subnets.",
        "Check that the database is running and listens on this port, and that the subnets' "
        "network ACLs allow the port from the load balancer's subnets.",
        "",
    )


def _target_findings(s: LinkStatus) -> list[Finding]:
    found: list[Finding] = []
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
        where = f"{t.target_id}:{t.port}"
        if t.state == "unhealthy":
            why, fix, key = _unhealthy_cause(s, t)
            found.append(Finding("problem", f"Target {where} fails the health checks", why, fix, key))
        elif t.state == "initial" or t.reason in _STARTING:
            found.append(
                Finding(
                    "warning",
                    f"Target {where} is still being checked",
                    f"The load balancer's {t.words}.",
                    "Wait, then press Check again.",
                )
            )
        elif t.reason == "Target.InvalidState":
            found.append(
                Finding(
                    "problem",
                    f"Target {where} is stopped",
                    "The load balancer sends nothing to a server that is not running.",
                    "Start the instance in the EC2 console, then press Check again.",
                )
            )
        elif t.reason == "Target.NotInUse" and not _unrouted(s) and not _database_outside_zones(s):
            # (No listener, or the whole database outside the zones, is reported on its own.)
            found.append(
                Finding(
                    "problem",
                    f"Target {where} is in a zone the load balancer does not serve",
                    "None of the load balancer's subnets is in the database's availability zone, and "
                    "a load balancer sends traffic only to targets in its own zones (cross-zone "
                    "load balancing does not change that).",
                    "Tear the link down and set it up again with a subnet in the database's zone "
                    "(--subnets), or add such a subnet to the load balancer in the EC2 console.",
                )
            )
        elif t.state == "unavailable":
            found.append(
                Finding(
                    "problem",
                    f"Target {where} is unavailable",
                    t.description or t.reason or "Health checks are turned off for it.",
                    "Run setup again to restore the target group's health checks.",
                )
            )
    if s.target_group and not _registered(s):
        found.append(
            Finding(
                "problem",
                "No targets are registered",
                "The load balancer has nowhere to send traffic.",
                "Register the database's addresses.",
                fix_key="refresh-targets" if s.source else "",
            )
        )
    return found


def _zone_findings(s: LinkStatus) -> list[Finding]:
    found: list[Finding] = []
    if s.service is None:
        return found
    if _database_outside_zones(s) and s.source and s.service:
        # ELB user guide: targets in a zone the load balancer is not enabled in get no traffic,
        # cross-zone load balancing or not (AWS reports them unused, Target.NotInUse).
        found.append(
            Finding(
                "problem",
                "The database is in a zone the load balancer does not serve",
                f"The database is in {', '.join(s.source.availability_zones)}, the load balancer "
                f"only in {', '.join(sorted(s.service.availability_zones))}, and a load balancer "
                "sends traffic only to targets in its own zones.",
                "Tear the link down and set it up again with a subnet in the database's zone "
                "(--subnets), or add such a subnet to the load balancer in the EC2 console; turning "
                "on cross-zone load balancing does not help.",
            )
        )
    if len(s.az_ids) < 2:
        ids = ", ".join(s.az_ids) or "none"
        found.append(
            Finding(
                "warning",
                f"The service is only in {len(s.az_ids)} availability zone ({ids})",
                "The platform can only create its endpoint in zones it shares with you. Zone "
                "names (us-east-1a) differ between accounts; zone IDs (use1-az1) do not. If the "
                f"platform has no endpoint subnet in {ids}, its connection fails.",
                f"Send the zone IDs ({ids}) with the service name, or add load balancer subnets in "
                "more zones (run setup again with more --subnets).",
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
    found: list[Finding] = []
    if s.service.state.lower() != "available":
        found.append(
            Finding(
                "problem" if s.service.state.lower() == "failed" else "warning",
                f"The endpoint service is {s.service.state}",
                "Only an available service accepts connection requests.",
                "Wait a few minutes and press Check again; if it failed, remove the link and run "
                "setup again.",
            )
        )
    if not s.service.acceptance_required:
        found.append(
            Finding(
                "warning",
                "Anyone allowed can connect without your approval",
                "Acceptance is turned off on the endpoint service.",
                "Run setup again to turn acceptance back on.",
            )
        )
    principal = (s.record.principal if s.record else "") or consumer.principal
    if principal not in s.principals:
        found.append(
            Finding(
                "problem",
                f"{consumer.display_name}'s principal is not allowed",
                f"The service does not list {principal}, so the platform sees 'service not "
                "found' (or 'not authorized') when it creates its endpoint.",
                f"Allow {principal} on the endpoint service.",
                fix_key="allow-principal",
            )
        )
    from wizard import drift

    found += drift.principal_findings(s, principal)
    owner = consumer.account_id
    for c in s.connections:
        known = c.owner_account == owner
        if c.state == "pendingAcceptance":
            found.append(
                Finding(
                    "problem" if known else "warning",
                    f"Connection {c.endpoint_id} from {c.owner_account} is waiting for acceptance",
                    "Traffic flows only after you accept it."
                    if known
                    else f"It does not come from {consumer.display_name}'s account ({owner}).",
                    f"Accept the request: it comes from {consumer.display_name}'s account."
                    if known
                    else "Accept it only if you know who it is (on the Accept page).",
                    fix_key="accept-connection" if known else "",
                )
            )
        elif c.state in {"rejected", "expired", "failed"} and known:
            found.append(
                Finding(
                    "problem",
                    f"{consumer.display_name}'s connection {c.endpoint_id} is {c.state}",
                    "A rejected or expired request cannot be accepted any more.",
                    f"Ask {consumer.display_name} to delete and re-create its endpoint, then "
                    "accept the new request.",
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
    return found


# --- fixes --------------------------------------------------------------------------------------


def _open_link(aws: AwsContext, s: LinkStatus, consumer: Consumer) -> Any:
    from wizard import steps

    if s.source is None:
        raise UserError(
            f"The wizard cannot repair the link '{s.name}' automatically",
            "Its data source is not known (no saved link record, or the database was removed).",
            "Run setup again for the database; it repairs the chain.",
        )
    plan = LinkPlan(
        name=s.name,
        region=s.region,
        source=s.source,
        port=s.port or s.source.port or 22,
        subnet_ids=s.nlb.subnet_ids if s.nlb else (),
        consumer=consumer,
        principal=(s.record.principal if s.record else "") or consumer.principal,
        cross_zone=s.nlb.cross_zone if s.nlb else True,
    )
    link = steps.open_link(aws, plan, s.account_id)
    if s.target_group and not link.record.target_group_arn:
        link.record.target_group_arn = s.target_group.arn
    if s.service and not link.record.endpoint_service_id:
        link.record.endpoint_service_id = s.service.id
    return link


def apply_fix(
    aws: AwsContext,
    s: LinkStatus,
    key: str,
    consumer: Consumer | None = None,
    allow_reboot: bool = False,
) -> str:
    """Apply the fix of a Finding (its fix_key); returns what was done, in plain words."""
    from wizard import steps

    consumer = consumer or load_consumer()
    if key not in FIX_KEYS:
        raise bad_input(f"There is no automatic fix called '{key}'")
    if key == "allow-principal":
        if s.service is None:
            raise UserError(
                "There is no endpoint service to allow the platform on", fix="Run setup again to create it."
            )
        principal = (s.record.principal if s.record else "") or consumer.principal
        endpoint_service.allow_principal(aws, s.service.id, principal)
        return f"{principal} may now connect to {s.service.name}."
    if key == "other-principals":
        if s.service is None:
            raise UserError("There is no endpoint service", fix="Run setup again to create it.")
        if s.source is not None:  # under the link's lock, as the allow-list page does it
            return steps.apply_fix(_open_link(aws, s, consumer), steps.AllowlistStep(), key)
        principal = (s.record.principal if s.record else "") or consumer.principal
        others = [p for p in endpoint_service.allowed_principals(aws, s.service.id) if p != principal]
        left = endpoint_service.remove_principals(aws, s.service.id, others)
        return f"Removed {', '.join(others) or 'nobody'}; allowed now: {', '.join(left) or 'nobody'}."
    if key == "accept-connection":
        if s.service is None:
            raise UserError("There is no endpoint service", fix="Run setup again to create it.")
        pending = [
            c.endpoint_id
            for c in s.connections
            if c.state == "pendingAcceptance" and c.owner_account == consumer.account_id
        ]
        if not pending:
            return f"No request from {consumer.display_name} is waiting any more."
        if s.source is not None:
            link = _open_link(aws, s, consumer)
            steps.accept_requests(link, pending)
        else:
            connections.accept_connections(aws, s.service.id, pending)
        return f"Accepted {', '.join(pending)}."
    return steps.apply_fix(_open_link(aws, s, consumer), steps.TargetGroupStep(), key, allow_reboot)


# --- the report ---------------------------------------------------------------------------------


def report_markdown(
    aws: AwsContext | None,
    identity: Identity | None,
    reports: list[LinkStatus],
    presenter: bool = False,
) -> str:
    """The diagnostics report, with secrets (always) and account ids (presenter) masked.

    Without a sign-in (aws/identity None) it still carries the app, OS and activity: that is
    when support needs it most."""
    out = [
        "# PrivateLink Wizard diagnostics",
        "",
        f"- App version: {__version__}",
        f"- OS: {platform.platform()} / Python {platform.python_version()}",
        f"- Region: {aws.region if aws else 'not signed in'}",
        f"- AWS endpoint: {aws.endpoint_url or 'AWS (default)' if aws else 'n/a'}",
        f"- Signed in as: {identity.arn if identity else 'not signed in'}",
        f"- Written: {datetime.now():%Y-%m-%d %H:%M:%S}",
        "",
    ]
    if not reports:
        out += ["No links were found for this account and region.", ""]
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
        if report.listeners:
            out += ["Listeners:", ""]
            out += [
                f"- {ls.protocol} {ls.port} → {', '.join(ls.target_group_arns) or 'nothing'}"
                for ls in report.listeners
            ]
            out += [""]
        if report.target_group:
            out += [
                "Target group attributes:",
                "",
                "```json",
                json.dumps(report.target_group.attributes, indent=2),
                "```",
                "",
                "Target health:",
                "",
            ]
            out += [
                f"- {t.target_id}:{t.port} — {t.state}"
                + (f" ({t.reason}: {t.description})" if t.reason else "")
                for t in report.targets
            ] or ["- no targets registered"]
            out += [""]
        if report.service:
            out += ["Allowed principals:", ""]
            out += [f"- {p}" for p in report.principals] or ["- nobody"]
            out += ["", "Connections:", ""]
            out += [
                f"- {c.endpoint_id} from {c.owner_account} — {c.state} (since {c.created_at})"
                for c in report.connections
            ] or ["- none yet"]
            out += [""]
        if report.checks:
            out += (
                ["Checks:", ""]
                + [f"- {'✔' if c.ok else '✖'} {c.label}: {c.reason}" for c in report.checks]
                + [""]
            )
    out += ["## Recent activity", ""]
    out += [f"- {e.line()}  \n  `{e.cli}`" for e in act.ACTIVITY.events()[-200:]]
    return redact("\n".join(out) + "\n", presenter=presenter, extra_secrets=_session_secrets(aws))


def _session_secrets(aws: AwsContext | None) -> tuple[str, ...]:
    """The signed-in secret key and token, masked by value wherever they might appear."""
    if aws is None:
        return ()
    creds = aws.session.get_credentials()
    if creds is None:
        return ()
    frozen = creds.get_frozen_credentials()
    return tuple(v for v in (frozen.secret_key, frozen.token) if v)


def write_report(
    path: str | Path,
    aws: AwsContext | None,
    identity: Identity | None,
    reports: list[LinkStatus],
    presenter: bool = False,
) -> Path:
    """Markdown, or a zip holding the Markdown and the JSON, by the file's suffix."""
    target = Path(path)
    text = report_markdown(aws, identity, reports, presenter)
    try:
        return _write_report(target, text, aws, reports, presenter)
    except OSError as exc:
        raise file_error(exc, "write the report") from None


def _write_report(
    target: Path, text: str, aws: AwsContext | None, reports: list[LinkStatus], presenter: bool
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".zip":
        data = redact(
            json.dumps([r.to_dict() for r in reports], indent=2, default=str),
            presenter=presenter,
            extra_secrets=_session_secrets(aws),
        )
        with private_files.open_private(target, "wb") as raw, zipfile.ZipFile(
            raw, "w", zipfile.ZIP_DEFLATED
        ) as zf:
            zf.writestr("report.md", text)
            zf.writestr("status.json", data)
    else:
        private_files.write_text(target, text)
    return target
