"""The sandbox's model of two Elastic Load Balancing calls a link with several databases makes,
where moto 5.2 differs from AWS: CreateListener on a port the load balancer already uses (moto
looks the port up among listener ARNs, so it never refuses), and SetSubnets on a Network Load
Balancer (moto applies the Application Load Balancer's two-zone minimum, files a second subnet in
one zone under SubnetNotFound, takes a subnet of another VPC, and leaves the endpoint service's
zones as they were at its creation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def install() -> None:
    """Patch moto (called from elb_model.install, after its own patches)."""
    from moto.elbv2.models import ELBv2Backend

    ELBv2Backend.create_listener = _wrap_create_listener(ELBv2Backend.create_listener)  # type: ignore[method-assign]
    ELBv2Backend.set_subnets = _wrap_set_subnets(ELBv2Backend.set_subnets)  # type: ignore[method-assign]


# --- CreateListener: one listener per port ------------------------------------------------------


def _forwards(backend: Any, actions: list[Any]) -> set[str]:
    arns: set[str] = set()
    for action in actions:
        data = action.data if hasattr(action, "data") else action
        if (data.get("Type") or data.get("type")) == "forward":
            arns.update(backend._get_target_group_arns_from(action_data=data))
    return arns


def _wrap_create_listener(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_listener(
        self: Any, load_balancer_arn: str, protocol: str, port: Any, *args: Any, **kwargs: Any
    ) -> Any:
        from moto.elbv2.exceptions import DuplicateListenerError

        balancer = self.load_balancers.get(load_balancer_arn)
        actions = kwargs.get("actions", args[2] if len(args) > 2 else [])
        for listener in balancer.listeners.values() if balancer else []:
            if int(listener.port) != int(port):
                continue
            # API reference, CreateListener: idempotent; the same settings again return the
            # listener, another listener on the port is DuplicateListener.
            same = listener.protocol == protocol and _forwards(self, listener.default_actions) == _forwards(
                self, actions
            )
            if same:
                return listener
            raise DuplicateListenerError()
        return original(self, load_balancer_arn, protocol, port, *args, **kwargs)

    create_listener.__wrapped__ = original  # type: ignore[attr-defined]
    return create_listener


# --- SetSubnets on a Network Load Balancer --------------------------------------------------------


def _error(code: str, message: str) -> Exception:
    from moto.elbv2.exceptions import ELBClientError

    return ELBClientError(code, message)


def _wrap_set_subnets(original: Callable[..., Any]) -> Callable[..., Any]:
    def set_subnets(self: Any, arn: str, subnets: list[str], subnet_mappings: list[dict[str, Any]]) -> Any:
        from moto.elbv2.models import AvailabilityZone

        from wizard.sandbox.elb_model import _refuse_unusable_subnets

        balancer = self.load_balancers.get(arn)
        if balancer is None or balancer.type != "network":
            return original(self, arn, subnets, subnet_mappings)
        ids = list(subnets) + [m["SubnetId"] for m in subnet_mappings]
        objects = [self.ec2_backend.get_subnet(s) for s in ids]
        zones = [s.availability_zone for s in objects]
        if len(set(zones)) != len(zones):
            # API reference, SetSubnets: you can specify only one subnet per Availability Zone.
            raise _error(
                "InvalidConfigurationRequest", "Only one subnet per Availability Zone can be specified"
            )
        for subnet in objects:
            if subnet.vpc_id != balancer.vpc_id:
                # A load balancer lives in one VPC (its subnets'): API reference, InvalidSubnet.
                raise _error(
                    "InvalidSubnet", f"Subnet {subnet.id} is not in the load balancer's VPC {balancer.vpc_id}"
                )
        _refuse_unusable_subnets(self.ec2_backend, ids)
        # "Update the Availability Zones for your Network Load Balancer": one zone is enough for
        # an NLB (the two-zone minimum is the Application Load Balancer's).
        balancer.subnets = objects
        _follow_zones(self, balancer)
        return [AvailabilityZone(s) for s in objects]

    set_subnets.__wrapped__ = original  # type: ignore[attr-defined]
    return set_subnets


def _follow_zones(backend: Any, balancer: Any) -> None:
    """'Create a service powered by AWS PrivateLink', Prerequisites: the service is offered in
    the zones its load balancer has a subnet in; moto fixed them at the service's creation."""
    for config in getattr(backend.ec2_backend, "configurations", {}).values():
        if balancer.arn in config.network_load_balancer_arns:
            config.availability_zones = sorted({s.availability_zone for s in balancer.subnets})
