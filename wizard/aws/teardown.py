"""Remove what the wizard built for a link, in the order AWS allows, touching only what is the
link's (teardown_plan.py says what that is). Nothing is deleted while something outside the link
would stop AWS part way; if AWS still fails midway, the error names what is left. AWS frees some
things a while after the call that uses them is gone (a target group after its listener, a
security group after its load balancer's network interfaces): teardown waits for that, saying
so, within its patience."""

from __future__ import annotations

from collections.abc import Callable

from wizard.aws import alerts
from wizard.aws.connections import OPEN_STATES, list_connections, reject_connections
from wizard.aws.endpoint_service import delete_endpoint_service
from wizard.aws.errors import aws_step
from wizard.aws.nlb import delete_nlb
from wizard.aws.nlb_security import delete_nlb_security_group
from wizard.aws.polling import DEFAULT_PATIENCE, Patience, delete_when_free, wait_until
from wizard.aws.session import AwsContext
from wizard.aws.sync_lookup import remove_part
from wizard.aws.target_group import delete_listener, delete_target_group
from wizard.aws.teardown_plan import (
    KIND_ORDER,
    KIND_WORDS,
    ManagedResource,
    TeardownPlan,
    find_link_resources,
    plan_teardown,
)
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LinkRecord

__all__ = [
    "KIND_ORDER",
    "KIND_WORDS",
    "ManagedResource",
    "TeardownPlan",
    "find_link_resources",
    "plan_teardown",
    "teardown",
]


def _wait_service_gone(aws: AwsContext, service_id: str, patience: Patience) -> None:
    # The load balancer cannot be deleted while an endpoint service still uses it.
    def state() -> str:
        with aws_step(
            "Waiting for the endpoint service to be deleted",
            "ec2:DescribeVpcEndpointServiceConfigurations",
        ):
            pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_configurations").paginate()
            states = {
                c["ServiceId"]: c.get("ServiceState", "")
                for page in pages
                for c in page.get("ServiceConfigurations", [])
            }
        return str(states.get(service_id, "Deleted"))

    wait_until(
        state,
        lambda current: current == "Deleted",
        patience,
        lambda _: UserError(
            what=f"The endpoint service {service_id} is still being deleted",
            why="AWS is taking longer than usual.",
            fix="Wait a minute and run teardown again; it continues where it stopped.",
            step="Deleting the endpoint service",
            exit_code=EXIT_TIMEOUT,
        ),
    )


def _revoke_rule(aws: AwsContext, rule: ManagedResource) -> None:
    try:
        if rule.egress:
            with aws_step("Removing a firewall rule the wizard added", "ec2:RevokeSecurityGroupEgress"):
                aws.ec2.revoke_security_group_egress(GroupId=rule.parent, SecurityGroupRuleIds=[rule.id])
        else:
            with aws_step("Removing a firewall rule the wizard added", "ec2:RevokeSecurityGroupIngress"):
                aws.ec2.revoke_security_group_ingress(GroupId=rule.parent, SecurityGroupRuleIds=[rule.id])
    except UserError as exc:
        if "NotFound" not in exc.code:
            raise


def _delete_target_group(
    aws: AwsContext, res: ManagedResource, patience: Patience, say: Callable[[str], None]
) -> None:
    delete_when_free(
        lambda: delete_target_group(aws, res.id),
        "ResourceInUse",
        f"AWS still counts the {res.describe()} as in use; it frees it shortly after the load "
        "balancer's listeners are gone. Trying again until it is free…",
        UserError(
            what=f"The {res.describe()} is still in use after {patience.timeout:g} seconds",
            why="A listener still forwards to it: AWS had not finished removing the load "
            "balancer's listeners, or a listener the wizard did not create uses it.",
            fix="Run teardown again in a few minutes; it continues where it stopped. If it "
            "persists, the target group's page in the EC2 console shows what uses it.",
            step="Deleting the target group",
            exit_code=EXIT_TIMEOUT,
        ),
        patience,
        say,
    )


def _delete_security_group(
    aws: AwsContext, res: ManagedResource, patience: Patience, say: Callable[[str], None]
) -> None:
    delete_when_free(
        lambda: delete_nlb_security_group(aws, res.id),
        "DependencyViolation",
        f"AWS still counts the {res.describe()} as in use: it releases a deleted load "
        "balancer's network interfaces a few minutes after it. Trying again until they are gone…",
        UserError(
            what=f"The {res.describe()} is still in use after {patience.timeout:g} seconds",
            why="AWS had not yet released the deleted load balancer's network interfaces, or "
            "something the wizard did not make (a network interface or server) uses the group.",
            fix="Run teardown again in a few minutes; it continues where it stopped. If it "
            "persists, the security group's page in the EC2 console shows what uses it.",
            step="Deleting the load balancer's security group",
            exit_code=EXIT_TIMEOUT,
        ),
        patience,
        say,
    )


def teardown(
    aws: AwsContext,
    link_name: str,
    progress: Callable[[str], None] | None = None,
    patience: Patience = DEFAULT_PATIENCE,
    record: LinkRecord | None = None,
) -> list[ManagedResource]:
    """Delete what is the link's in KIND_ORDER; returns what was deleted (the caller sums it up).
    Stops before deleting anything when something outside the link would stop AWS. Safe to run
    again: a second run finds nothing and does nothing."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    plan = plan_teardown(aws, link_name, record)
    if plan.blockers:
        raise plan.blocked_error()
    deleted: list[ManagedResource] = []
    try:
        for res in plan.resources:
            _delete(aws, res, patience, say)
            deleted.append(res)
    except UserError as exc:
        raise _stopped_midway(aws, link_name, record, plan, deleted, exc) from exc
    if not deleted:
        say("Nothing left to delete")
    return deleted


def _delete(aws: AwsContext, res: ManagedResource, patience: Patience, say: Callable[[str], None]) -> None:
    if res.kind in alerts.KINDS:
        say(f"Deleting the {res.describe()}")
        alerts.delete(aws, res.kind, res.id)
    elif res.kind.startswith("sync-"):
        say(f"Deleting the {res.describe()}")
        remove_part(aws, res.kind, res.id)
    elif res.kind == "endpoint-service":
        # AWS refuses to delete a service that still has endpoints attached.
        attached = [c.endpoint_id for c in list_connections(aws, res.id) if c.state in OPEN_STATES]
        if attached:
            plural = "s" if len(attached) > 1 else ""
            say(
                f"Rejecting {len(attached)} connection{plural} to the endpoint service {res.id} "
                f"({', '.join(attached)})"
            )
            reject_connections(aws, res.id, attached)
        say(f"Deleting the {res.describe()}")
        delete_endpoint_service(aws, res.id)
        _wait_service_gone(aws, res.id, patience)
    elif res.kind == "listener":
        say(f"Deleting the {res.describe()}")
        delete_listener(aws, res.id)
    elif res.kind == "nlb":
        say(f"Deleting the {res.describe()} (this can take a minute)")
        delete_nlb(aws, res.id, patience)
    elif res.kind == "target-group":
        say(f"Deleting the {res.describe()}")
        _delete_target_group(aws, res, patience, say)
    elif res.kind == "security-group-rule":
        say(f"Removing the {res.describe()}")
        _revoke_rule(aws, res)
    elif res.kind == "security-group":
        say(f"Deleting the {res.describe()}")
        _delete_security_group(aws, res, patience, say)


def _stopped_midway(
    aws: AwsContext,
    link_name: str,
    record: LinkRecord | None,
    plan: TeardownPlan,
    deleted: list[ManagedResource],
    exc: UserError,
) -> UserError:
    """The failure, plus exactly what is left of the link (found again by its tags) and that a
    re-run finishes the job."""
    try:
        left = [r.describe() for r in find_link_resources(aws, link_name, record)]
        source = "found again by the link's tags"
    except UserError:  # AWS cannot be read now either: what was planned and not yet deleted
        left = [r.describe() for r in plan.resources if r not in deleted]
        source = "AWS could not be read again, so this is what teardown had not deleted yet"
    done = f"Teardown stopped part way: it removed {len(deleted)} of {len(plan.resources)} resources."
    still = (
        f" Still there ({source}): " + "; ".join(left) + "."
        if left
        else " Nothing of the link is left in AWS."
    )
    rerun = (
        ""
        if "teardown again" in exc.fix.lower()
        else (
            f" Run teardown again (`privatelink-wizard teardown --region {aws.region} --name "
            f"{link_name}`): it finishes the job, removing only what is the link's."
        )
    )
    return UserError(
        what=exc.what,
        why=exc.why,
        fix=" ".join(p for p in (exc.fix, done + still + rerun) if p),
        permission=exc.permission,
        step=exc.step,
        exit_code=exc.exit_code,
        code=exc.code,
    )
