"""The sandbox's model of Elastic Load Balancing (elbv2) where moto 5.2 differs from AWS.

moto makes a load balancer `active` on the first describe, forgets it the moment it is deleted,
reports every registered target `healthy` and drops a deregistered one at once. AWS, which the
wizard is written for, takes minutes for each of these; target health depends on the group being
behind a listener of an active load balancer and on the target's zone; the first load balancer or
target group of an account needs the service-linked role (elb_service_role.py); and a load
balancer with deletion protection on is not deleted (moto deletes it).

Durations are AWS's, scaled by wizard/sandbox/timing.py (scale 0: every state is final at once).
"""

from __future__ import annotations

import inspect
import ipaddress
import math
from collections.abc import Callable
from typing import Any

from wizard.sandbox import timing

# "Network Load Balancers" user guide, Load balancer state: `provisioning` until set up (minutes).
PROVISIONING_SECONDS = 180.0
# AWS CLI `elbv2 wait load-balancers-deleted`: AWS keeps listing a deleted one as it was a while.
DELETING_SECONDS = 30.0
# API reference, CreateTargetGroup: TCP health checks every 30 s, healthy after 5 in a row.
DEFAULT_INTERVAL = 30
DEFAULT_HEALTHY_THRESHOLD = 5
# NLB user guide, Deregistration delay: a target drains for 300 s unless the group says otherwise.
DEFAULT_DEREGISTRATION_DELAY = 300.0
DELAY_ATTRIBUTE = "deregistration_delay.timeout_seconds"
DELETION_PROTECTION = "deletion_protection.enabled"


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
    from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer, FakeTargetGroup

    from wizard.sandbox import elb_listener_model, elb_service_role

    patches: dict[tuple[type, str], Callable[..., Any]] = {
        (FakeLoadBalancer, "activate"): _activate,
        (ELBv2Backend, "create_load_balancer"): _wrap_create_load_balancer(ELBv2Backend.create_load_balancer),
        (ELBv2Backend, "delete_load_balancer"): _wrap_delete_load_balancer(ELBv2Backend.delete_load_balancer),
        (ELBv2Backend, "describe_load_balancers"): _wrap_describe_load_balancers(
            ELBv2Backend.describe_load_balancers, ELBv2Backend.delete_load_balancer
        ),
        (ELBv2Backend, "create_listener"): _wrap_create_listener(ELBv2Backend.create_listener),
        (ELBv2Backend, "describe_target_health"): _describe_target_health,
        (FakeTargetGroup, "register"): _wrap_register(FakeTargetGroup.register),
        (FakeTargetGroup, "deregister"): _wrap_deregister(FakeTargetGroup.deregister),
    }
    for (cls, name), function in patches.items():
        setattr(cls, name, function)
    elb_service_role.install()
    elb_listener_model.install()  # CreateListener's one-listener-per-port, SetSubnets on an NLB


# --- load balancers: provisioning, then active; deleted, yet listed a while ----------------------


def is_deleting(balancer: Any) -> bool:
    return getattr(balancer, "_plw_deleted_at", None) is not None


def _activate(self: Any) -> None:
    """moto calls this on every describe: become active once provisioning time has passed."""
    if self.state != "provisioning" or is_deleting(self):
        return
    created = timing.mark(self, "created")
    if timing.has_passed(created, PROVISIONING_SECONDS):
        self.state = "active"
        # When it became active, though first seen so only now: health checks start from then.
        self._plw_active_since = min(timing.now(), created + PROVISIONING_SECONDS * timing.scale())


def _wrap_create_load_balancer(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        subnet_ids = list(bound.arguments.get("subnet_ids") or [])
        subnet_ids += [m["SubnetId"] for m in bound.arguments.get("subnet_mappings") or []]
        _refuse_unusable_subnets(self.ec2_backend, subnet_ids)
        balancer = original(*bound.args, **bound.kwargs)
        timing.restart(balancer, "created")
        return balancer

    create_load_balancer.__wrapped__ = original  # type: ignore[attr-defined]
    return create_load_balancer


def _refuse_unusable_subnets(ec2_backend: Any, subnet_ids: list[str]) -> None:
    """The subnet rules live in ec2_model (constrained zone, too few free addresses, local zone)."""
    from moto.elbv2.exceptions import ELBClientError

    from wizard.sandbox import ec2_model

    reason_of = getattr(ec2_model, "unusable_subnet_reason", None)
    if reason_of is None:
        return
    for subnet_id in subnet_ids:
        reason = reason_of(ec2_backend, subnet_id)
        if reason:
            # API reference, CreateLoadBalancer errors: InvalidSubnet (HTTP 400) for such a subnet.
            raise ELBClientError("InvalidSubnet", f"Subnet {subnet_id} cannot be used: {reason}")


def _wrap_delete_load_balancer(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_load_balancer(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        _refuse_if_protected(balancer)
        if balancer is not None and not is_deleting(balancer):
            balancer.activate()  # listed afterwards as it was when deleted
            # API reference, DeleteLoadBalancer: deleting a load balancer deletes its listeners.
            balancer.listeners.clear()
            timing.restart(balancer, "deleted")
        _forget_deleted(self, original)

    delete_load_balancer.__wrapped__ = original  # type: ignore[attr-defined]
    return delete_load_balancer


def _refuse_if_protected(balancer: Any | None) -> None:
    from moto.elbv2.exceptions import ELBClientError

    if balancer is None:
        return
    if str(getattr(balancer, "attrs", {}).get(DELETION_PROTECTION, "false")).lower() == "true":
        # API reference, DeleteLoadBalancer: not while deletion protection is on (OperationNotPermitted).
        raise ELBClientError(
            "OperationNotPermitted",
            f"Load balancer '{balancer.arn}' cannot be deleted because deletion protection is enabled",
        )


def _forget_deleted(backend: Any, delete: Callable[..., Any]) -> None:
    for arn, balancer in list(backend.load_balancers.items()):
        if is_deleting(balancer) and timing.has_passed(balancer._plw_deleted_at, DELETING_SECONDS):
            delete(backend, arn)


def _wrap_describe_load_balancers(
    original: Callable[..., Any], delete: Callable[..., Any]
) -> Callable[..., Any]:
    def describe_load_balancers(self: Any, arns: Any, names: Any) -> Any:
        _forget_deleted(self, delete)
        return original(self, arns, names)

    describe_load_balancers.__wrapped__ = original  # type: ignore[attr-defined]
    return describe_load_balancers


# --- target groups in use: behind a listener of a load balancer --------------------------------


def _wrap_create_listener(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_listener(self: Any, *args: Any, **kwargs: Any) -> Any:
        listener = original(self, *args, **kwargs)
        # Health checks of a group start when a listener first sends traffic to it.
        for arn in _forwarded_groups(self, listener):
            group = self.target_groups.get(arn)
            if group is not None:
                timing.mark(group, "in_use")
        return listener

    create_listener.__wrapped__ = original  # type: ignore[attr-defined]
    return create_listener


def _forwarded_groups(backend: Any, listener: Any) -> set[str]:
    arns: set[str] = set()
    for action in listener.default_actions:
        if action.type == "forward":
            arns.update(backend._get_target_group_arns_from(action_data=action.data))
    return arns


def load_balancer_using(backend: Any, group: Any) -> Any | None:
    """The (not deleted) load balancer one of whose listeners forwards to the group, if any."""
    for balancer in list(backend.load_balancers.values()):
        if is_deleting(balancer):
            continue
        if any(group.arn in _forwarded_groups(backend, ls) for ls in balancer.listeners.values()):
            return balancer
    return None


# --- targets: registered when, draining since when ----------------------------------------------


def _registered_at(group: Any) -> dict[str, float]:
    found: dict[str, float] = group.__dict__.setdefault("_plw_registered_at", {})
    return found


def _draining(group: Any) -> dict[str, tuple[dict[str, Any], float]]:
    found: dict[str, tuple[dict[str, Any], float]] = group.__dict__.setdefault("_plw_draining", {})
    return found


def _wrap_register(original: Callable[..., Any]) -> Callable[..., Any]:
    def register(self: Any, targets: list[dict[str, Any]]) -> None:
        new = [t["Id"] for t in targets if t["Id"] not in self.targets]
        original(self, targets)
        # Registering a registered target again changes nothing; a draining one starts over.
        for target_id in new:
            _registered_at(self)[target_id] = timing.now()
            _draining(self).pop(target_id, None)

    register.__wrapped__ = original  # type: ignore[attr-defined]
    return register


def _wrap_deregister(original: Callable[..., Any]) -> Callable[..., Any]:
    def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
        before = dict(self.targets)
        try:
            original(self, targets)
        finally:
            for target_id, target in before.items():
                if target_id not in self.targets:
                    _registered_at(self).pop(target_id, None)
                    _draining(self)[target_id] = (target, timing.now())

    deregister.__wrapped__ = original  # type: ignore[attr-defined]
    return deregister


def _still_draining(group: Any) -> dict[str, tuple[dict[str, Any], float]]:
    try:
        delay = float(group.attributes.get(DELAY_ATTRIBUTE, DEFAULT_DEREGISTRATION_DELAY))
    except (TypeError, ValueError):
        delay = DEFAULT_DEREGISTRATION_DELAY
    draining = _draining(group)
    for target_id, (_, since) in list(draining.items()):
        if timing.has_passed(since, delay):
            del draining[target_id]
    return draining


# --- DescribeTargetHealth ------------------------------------------------------------------------


def _status(target: dict[str, Any], group: Any, state: str, reason: str = "", text: str = "") -> Any:
    from moto.elbv2.models import FakeHealthStatus

    port = target.get("Port", group.port)
    return FakeHealthStatus(target["Id"], port, group.health_check_port, state, reason or None, text or None)


def _describe_target_health(self: Any, target_group_arn: str, targets: list[dict[str, Any]]) -> Any:
    from moto.elbv2.exceptions import TargetGroupNotFoundError

    group = self.target_groups.get(target_group_arn)
    if group is None:
        raise TargetGroupNotFoundError()
    draining = _still_draining(group)
    balancer = load_balancer_using(self, group)
    if balancer is None:
        timing.forget(group, "in_use")
    else:
        timing.mark(group, "in_use")

    def health(target: dict[str, Any]) -> Any:
        if target["Id"] in draining and target["Id"] not in group.targets:
            drained, _ = draining[target["Id"]]
            # API reference, TargetHealth: draining / Target.DeregistrationInProgress.
            return _status(
                drained,
                group,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
        return target_health(self, group, balancer, target)

    if targets:
        return [health(t) for t in targets]
    # Without a list AWS describes every registered target and those still draining.
    listed = list(group.targets.values()) + [t for t, _ in draining.values()]
    return [health(t) for t in listed]


def target_health(backend: Any, group: Any, balancer: Any | None, target: dict[str, Any]) -> Any:
    """One registered target's health as AWS would report it now (API reference, TargetHealth)."""
    registered = group.targets.get(target["Id"])
    if registered is None:
        return group.health_for(target, backend.ec2_backend)  # moto's "not registered" answers
    instance = _instance(backend.ec2_backend, registered["Id"])
    if instance is not None and instance.state in {"stopped", "terminated"}:
        return _status(
            registered, group, "unused", "Target.InvalidState", f"Target is in the {instance.state} state"
        )
    if balancer is None:
        return _status(
            registered, group, "unused", "Target.NotInUse", "Target group is not used by any load balancer"
        )
    zone = _zone_of(backend.ec2_backend, group, registered, instance)
    if zone and zone not in {s.availability_zone for s in balancer.subnets}:
        # ELB user guide, Availability Zones: a zone the load balancer lacks gets no traffic.
        return _status(
            registered,
            group,
            "unused",
            "Target.NotInUse",
            f"Target is in {zone}, a zone the load balancer is not enabled in",
        )
    if instance is None and registered["Id"] in _released(backend.ec2_backend):
        # API reference, TargetHealth: unhealthy / Target.FailedHealthChecks; nothing answers at
        # an address a (simulated) failover took from the database.
        return _status(registered, group, "unhealthy", "Target.FailedHealthChecks", "Health checks failed")
    if checking_for(group, balancer, registered["Id"]) < first_checks_seconds(group):
        return _status(
            registered, group, "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
        )
    return _status(registered, group, "healthy")


def _released(ec2_backend: Any) -> set[str]:
    from wizard.sandbox.failover import released_addresses

    return released_addresses(ec2_backend)


def first_checks_seconds(group: Any) -> float:
    """How long a new target stays `initial`: health-check interval x healthy threshold."""
    interval = int(group.health_check_interval_seconds or DEFAULT_INTERVAL)
    threshold = int(group.healthy_threshold_count or DEFAULT_HEALTHY_THRESHOLD)
    return float(interval * threshold)


def checking_for(group: Any, balancer: Any, target_id: str) -> float:
    """AWS seconds the load balancer has been health-checking a target: since the latest of its
    registration, the group going behind a listener, and the load balancer becoming active."""
    balancer.activate()
    if balancer.state != "active":
        return -math.inf
    since = [timing.elapsed_aws_seconds(timing.mark(group, "in_use"))]
    for started in (_registered_at(group).get(target_id), getattr(balancer, "_plw_active_since", None)):
        if started is not None:
            since.append(timing.elapsed_aws_seconds(started))
    return min(since)


def _instance(ec2_backend: Any, target_id: str) -> Any | None:
    if not target_id.startswith("i-"):
        return None
    return ec2_backend.get_instance_by_id(target_id)


def _zone_of(ec2_backend: Any, group: Any, target: dict[str, Any], instance: Any | None) -> str:
    """The target's Availability Zone: its instance's, or that of the VPC subnet holding its IP."""
    if instance is not None:
        return str(instance.placement.zone or "")
    try:
        address = ipaddress.ip_address(target["Id"])
    except ValueError:
        return ""
    for zone_subnets in list(ec2_backend.subnets.values()):
        for subnet in list(zone_subnets.values()):
            if subnet.vpc_id == group.vpc_id and address in subnet.cidr:
                return str(subnet.availability_zone)
    return ""
