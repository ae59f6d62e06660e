"""The sandbox's model of security groups around a Network Load Balancer, where moto 5.2 is not AWS.

moto 5.2.5 (checked): creates an NLB with security groups but never reports
`EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic` and ignores it in SetSecurityGroups; lets
SetSecurityGroups add groups to an NLB created without any; deletes a security group that a
load balancer, a network interface or another group's rule still uses; and leaves out the
description of a rule that names a group. AWS does none of these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard.sandbox import timing

ENFORCE = "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"
# A deleted load balancer's network interfaces go away some minutes after it (AWS gives no figure;
# terraform-provider-aws issue #40 reports "some minutes"); until then they hold its groups.
RELEASE_SECONDS = 120.0
RELEASE_CLOCK = "lb_released"  # timing mark on the moto SecurityGroup: when its last LB was deleted


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
    from moto.ec2.models import EC2Backend
    from moto.elbv2.models import ELBv2Backend
    from moto.elbv2.responses import ELBV2Response

    ELBv2Backend.create_load_balancer = _wrap_create(ELBv2Backend.create_load_balancer)  # type: ignore[method-assign]
    ELBv2Backend.delete_load_balancer = _wrap_delete_lb(ELBv2Backend.delete_load_balancer)  # type: ignore[method-assign]
    ELBV2Response.set_security_groups = _set_security_groups  # type: ignore[method-assign]
    EC2Backend.delete_security_group = _wrap_delete_group(EC2Backend.delete_security_group)  # type: ignore[method-assign]
    from moto.ec2.models.security_groups import SecurityGroupRule

    # API_SecurityGroupRule: Description is the rule's, for a rule naming a group as for a CIDR.
    SecurityGroupRule.description = property(_rule_description)  # type: ignore[method-assign,assignment]


def _rule_description(rule: Any) -> str | None:
    found = rule.ip_range.get("Description") or (rule.source_group or {}).get("Description")
    return str(found) if found else None


def _refuse(code: str, message: str) -> Exception:
    from moto.elbv2.exceptions import ELBClientError

    return ELBClientError(code, message)


def _wrap_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
        groups = list(kwargs.get("security_groups") or [])
        for group_id in groups:
            # API_CreateLoadBalancer: InvalidSecurityGroup, "The specified security group does not exist."
            if self.ec2_backend.get_security_group_from_id(group_id) is None:
                raise _refuse("InvalidSecurityGroup", f"Security group {group_id} does not exist")
        balancer = original(self, *args, **kwargs)
        balancer._plw_created_with_groups = bool(groups)
        if balancer.type == "network" and groups:
            # "Update the security groups for your Network Load Balancer": enforcement starts on.
            setattr(balancer, ENFORCE, "on")
        return balancer

    return create_load_balancer


def _set_security_groups(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("LoadBalancerArn")
    groups = self._get_param("SecurityGroups", [])
    enforce = self._get_param(ENFORCE)
    balancer = self.elbv2_backend.load_balancers.get(arn)
    created_with = getattr(
        balancer, "_plw_created_with_groups", bool(getattr(balancer, "security_groups", []))
    )
    if balancer is not None and balancer.type == "network" and not created_with:
        # API_SetSecurityGroups: not on an NLB unless it was created with a security group.
        raise _refuse(
            "InvalidConfigurationRequest",
            "You cannot set security groups on a Network Load Balancer which was created without any",
        )
    if enforce is not None and enforce not in ("on", "off"):
        raise _refuse("ValidationError", f"{ENFORCE} must be 'on' or 'off', not '{enforce}'")
    self.elbv2_backend.set_security_groups(arn, groups)
    result: dict[str, Any] = {"SecurityGroupIds": groups}
    if balancer is not None and balancer.type == "network" and groups:
        if enforce is not None:
            setattr(balancer, ENFORCE, enforce)
        result[ENFORCE] = getattr(balancer, ENFORCE, "on")
    return ActionResult(result)


def _wrap_delete_lb(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_load_balancer(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        original(self, arn)
        for group_id in getattr(balancer, "security_groups", None) or []:
            group = self.ec2_backend.get_security_group_from_id(group_id)
            if group is not None:
                timing.restart(group, RELEASE_CLOCK)

    return delete_load_balancer


def _wrap_delete_group(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_security_group(self: Any, name: str | None = None, group_id: str | None = None) -> None:
        group = (
            self.get_security_group_from_id(group_id)
            if group_id
            else self.get_security_group_by_name_or_id(name)
            if name
            else None
        )
        if group is not None:
            user = _still_used_by(self, group)
            if user:
                from moto.ec2.exceptions import DependencyViolationError

                # API_DeleteSecurityGroup: used by an interface or named by a group -> DependencyViolation.
                raise DependencyViolationError(f"resource {group.id} has a dependent object ({user})")
        original(self, name=name, group_id=group_id)

    return delete_security_group


def _still_used_by(ec2: Any, group: Any) -> str:
    """What keeps `group` from being deleted, in a few words, or "" when nothing does."""
    from moto.elbv2.models import elbv2_backends

    for eni in list(ec2.enis.values()):
        if any(g.id == group.id for g in eni.group_set):
            return f"network interface {eni.id}"
    from wizard.sandbox.elb_model import is_deleting

    for balancer in list(elbv2_backends[ec2.account_id][ec2.region_name].load_balancers.values()):
        # One being deleted is still listed a while; its interfaces are what hold the group then.
        if group.id in (balancer.security_groups or []) and not is_deleting(balancer):
            return f"load balancer {balancer.name}"
    released = getattr(group, f"_plw_{RELEASE_CLOCK}_at", None)
    if released is not None and not timing.has_passed(released, RELEASE_SECONDS):
        return "network interfaces of a deleted load balancer"
    for other in list(ec2.groups.get(group.vpc_id, {}).values()):
        if other.id == group.id:
            continue
        for rule in [*other.ingress_rules, *other.egress_rules]:
            if (rule.source_group or {}).get("GroupId") == group.id:
                return f"a rule of security group {other.id}"
    return ""
