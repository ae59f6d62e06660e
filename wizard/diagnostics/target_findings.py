"""What is wrong with a link's targets and zones: health states in plain words, the likeliest
cause of a failing health check, and a database outside the load balancer's zones."""

from __future__ import annotations

from wizard.aws import target_group as tg
from wizard.diagnostics.status import Finding, LinkStatus
from wizard.model import SourceKind

# AWS's target-health reason codes that mean "not in service yet", not "broken".
_STARTING = {"Elb.RegistrationInProgress", "Elb.InitialHealthChecking"}
# Health states of a target on its way out of the group (after a deregistration); an `unused`
# target is still registered (stopped, or in a zone the load balancer is not in).
_LEAVING = tg.LEAVING_STATES


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


def registered(s: LinkStatus) -> set[str]:
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


def target_findings(s: LinkStatus) -> list[Finding]:
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
            # An old address the target sync is about to remove, once the current one is in.
            leaving = s.target_sync is not None and t.target_id in s.target_sync.waiting
            severity = "warning" if leaving and set(s.expected_targets) <= registered(s) else "problem"
            found.append(Finding(severity, f"Target {where} fails the health checks", why, fix, key))
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
    if s.target_group and not registered(s):
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


def zone_findings(s: LinkStatus) -> list[Finding]:
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
