"""What a link has beyond what it asks for, as status findings: listeners, target groups and
firewall rules of another port than the link's, and principals allowed besides the platform's."""

from __future__ import annotations

from wizard.aws.converge import Leftover
from wizard.diagnostics.status import Finding, LinkStatus

REMOVE_LEFTOVERS = "remove-leftovers"
OTHER_PRINCIPALS = "other-principals"


def expected_port(s: LinkStatus) -> int:
    """The port the link asks for: its record's (what setup was last told), else its database's."""
    return (s.record.port if s.record else 0) or (s.source.port or 0 if s.source else 0)


def leftover_findings(s: LinkStatus) -> list[Finding]:
    port = expected_port(s)
    # The fix re-opens the link on the port the status reads (its target group's): only when
    # that is the port asked may it remove the others.
    fix_key = REMOVE_LEFTOVERS if s.source is not None and s.port == port else ""
    fix = (
        f"Remove what forwards or opens another port than {port}: the wizard's listeners, target "
        "groups and database firewall rules for it (running setup again does the same)."
    )
    found = []
    for item in s.leftovers:
        if item.kind == "listener":
            found.append(_listener(item, port, fix, fix_key))
        elif item.kind == "target-group":
            found.append(
                Finding(
                    "problem",
                    f"The link still has the target group '{item.where}' for port {item.port}",
                    f"The link '{s.name}' uses port {port}; this group was made for an earlier "
                    "setup and points the load balancer at the database on the old port.",
                    fix,
                    fix_key,
                )
            )
        else:
            found.append(
                Finding(
                    "warning",
                    f"The database's firewall still opens port {item.port} to the load balancer",
                    f"The wizard added {item.describe()} for an earlier setup on port "
                    f"{item.port}; the link now uses port {port}.",
                    fix,
                    fix_key,
                )
            )
    return found


def _listener(item: Leftover, port: int, fix: str, fix_key: str) -> Finding:
    reach = (
        f"The platform (and anyone allowed on the endpoint service) can reach port {item.port} "
        "through PrivateLink."
    )
    if not item.ours:
        return Finding(
            "problem",
            f"The load balancer also forwards port {item.port}",
            f"A listener the wizard did not create forwards port {item.port} on the link's load "
            f"balancer {item.where}, which this link uses for port {port} only. {reach}",
            "If the platform must not reach that port, remove the listener in the EC2 console "
            "(Load balancers → Listeners); the wizard leaves what it did not create alone.",
        )
    return Finding(
        "problem",
        f"The load balancer still forwards the old port {item.port}",
        f"The link now uses port {port}, but its listener on port {item.port} (on {item.where}) "
        f"still forwards to the database. {reach}",
        fix,
        fix_key,
    )


def principal_findings(s: LinkStatus, principal: str) -> list[Finding]:
    others = [p for p in s.principals if p != principal]
    if not others:
        return []
    fix = (
        f"Remove {', '.join(others)} from the endpoint service's allow list, so only {principal} "
        "may request a connection."
    )
    if "*" in others:  # API reference, ModifyVpcEndpointServicePermissions: '*' is all principals
        return [
            Finding(
                "problem",
                "'*' is allowed: any AWS account can request a connection",
                "The endpoint service's allow list holds '*', which lets any AWS account request "
                "a connection to your database's service; one accepted by mistake (or without "
                "acceptance required) reaches the database.",
                fix,
                OTHER_PRINCIPALS,
            )
        ]
    return [
        Finding(
            "problem",
            f"Other principals may connect: {', '.join(others)}",
            f"Besides the platform's principal {principal}, the endpoint service allows "
            f"{', '.join(others)} (an earlier setup's principal, or added in the console): each "
            "can request a connection to your database's service.",
            fix,
            OTHER_PRINCIPALS,
        )
    ]
