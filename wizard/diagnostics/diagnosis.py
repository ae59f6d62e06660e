"""What is wrong with a link, in plain words, with the fix: the rules over a LinkStatus (the
procedure's failure modes). Targets and zones have their own module, `target_findings`."""

from __future__ import annotations

from wizard.aws import network
from wizard.aws.session import AwsContext
from wizard.consumers import Consumer
from wizard.diagnostics import drift, sync
from wizard.diagnostics.status import Finding, LinkStatus
from wizard.diagnostics.target_findings import registered, target_findings, zone_findings
from wizard.errors import UserError
from wizard.model import SourceKind
from wizard.steps.target_group_step import database_checks

# Fix keys diagnose() may put on a Finding, all handled by fixes.apply_fix(). The first six are
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
    found += drift.leftover_findings(s)
    found += sync.findings(s, s.target_sync)
    found += target_findings(s)
    found += zone_findings(s)
    found += _service_findings(s, consumer)
    from wizard import alert_status

    found += alert_status.findings(s)
    found += region_findings(s, consumer)
    if not any(f.severity != "ok" for f in found):
        found.append(Finding("ok", "Everything checked is in order"))
    return found


def region_findings(s: LinkStatus, consumer: Consumer) -> list[Finding]:
    """Whether the platform can connect from where the service is offered: its own region, or
    another one it offers (cross-region), each of them available."""
    from wizard import consumer_regions as xr

    offered = {r: state for r, state in (s.service.supported_regions if s.service else ()) if r != s.region}
    found = [
        Finding(
            "problem" if state in ("Failed", "Closed") else "warning",
            f"The endpoint service is '{state}' in {r}",
            "The platform can create its endpoint there only once AWS reports it Available.",
            "Wait a minute and check again" if state == "Pending" else "Run setup again for this link.",
        )
        for r, state in offered.items()
        if state != "Available"
    ]
    if consumer.supports_region(s.region) or any(r in consumer.regions for r in offered):
        return found
    nearest = xr.nearest_first(s.region, consumer.regions)
    offer = (
        f"Run setup again with --consumer-region {nearest[0]} (the platform's nearest region) to "
        f"offer the service there too (cross-region), or ask "
        if nearest
        else "Ask "
    )
    found.append(
        Finding(
            "warning",
            f"{consumer.display_name} does not connect from {s.region}",
            f"It connects from {', '.join(consumer.regions)}, and the service is not offered there.",
            f"{offer}{consumer.support_contact or 'the platform'} to enable {s.region}.",
        )
    )
    return found


def _source_checks(aws: AwsContext, s: LinkStatus) -> list[Finding]:
    assert s.source and s.nlb
    rows = database_checks(aws, s.source, s.port, s.name, s.nlb)
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
    # Fine but worth a look, with something to do (a setting waiting for the reboot the DBA
    # chooses, CDC through a proxy): a warning, never "fine", and no Fix button.
    found += [
        Finding("warning", row.label, row.reason, row.fix)
        for row in rows
        if row.ok and row.warning and row.fix
    ]
    if rows[0].ok and not s.nlb.security_group_ids:
        found.append(_older_firewall_form(s.port))
    if s.source.target_type == "ip" and s.target_group:
        try:
            s.expected_targets = network.resolve_target_ips(aws, s.source)
        except UserError:
            s.expected_targets = []
        now = registered(s)
        replacing = sync.softened(s, s.target_sync, now)
        if replacing is not None:
            found.append(replacing)
        elif s.expected_targets and set(s.expected_targets) != now:
            found.append(
                Finding(
                    "problem",
                    "The registered IP addresses are out of date",
                    f"The database now uses {', '.join(s.expected_targets)} but the load balancer "
                    f"points at {', '.join(sorted(now)) or 'nothing'} (RDS changes addresses "
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
