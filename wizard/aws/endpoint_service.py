"""The VPC endpoint service on the NLB (acceptance required) and who may connect to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.aws import discovery
from wizard.aws.errors import aws_step
from wizard.aws.nlb import is_ours
from wizard.aws.polling import DEFAULT_PATIENCE, Patience, wait_until
from wizard.aws.retry import create_once
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY, link_tags
from wizard.validators import validate_principal


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str  # com.amazonaws.vpce.<region>.vpce-svc-…: what the platform needs
    state: str  # Pending | Available | Deleting | Deleted | Failed
    acceptance_required: bool
    nlb_arns: tuple[str, ...]
    availability_zones: tuple[str, ...]
    availability_zone_ids: tuple[str, ...] = ()  # as AWS reports them (empty if it does not)
    # (region, its ServiceState) for each region consumers may connect from (SupportedRegions)
    supported_regions: tuple[tuple[str, str], ...] = ()


def _info(config: dict[str, Any]) -> ServiceInfo:
    return ServiceInfo(
        id=config["ServiceId"],
        name=config.get("ServiceName", ""),
        state=config.get("ServiceState", ""),
        acceptance_required=bool(config.get("AcceptanceRequired", False)),
        nlb_arns=tuple(config.get("NetworkLoadBalancerArns", [])),
        availability_zones=tuple(config.get("AvailabilityZones", [])),
        availability_zone_ids=tuple(config.get("AvailabilityZoneIds", [])),
        supported_regions=tuple(
            (r.get("Region", ""), r.get("ServiceState", "")) for r in config.get("SupportedRegions", [])
        ),
    )


def read_service(aws: AwsContext, service_id: str) -> ServiceInfo:
    """The endpoint service as AWS reports it now."""
    return _info(_describe(aws, service_id))


def zone_ids(aws: AwsContext, info: ServiceInfo) -> list[str]:
    """The ids of the service's zones (use1-az1 …), what the platform needs: as the service
    reports them, else looked up from the zone names (an endpoint that does not report them)."""
    if info.availability_zone_ids and len(info.availability_zone_ids) == len(info.availability_zones):
        return list(info.availability_zone_ids)
    return discovery.az_ids(aws, list(info.availability_zones))


def _tags(config: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in config.get("Tags", [])}


def _configurations(aws: AwsContext, filters: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"Filters": filters} if filters else {}
    with aws_step("Looking for the endpoint service", "ec2:DescribeVpcEndpointServiceConfigurations"):
        pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_configurations").paginate(**params)
        return [c for page in pages for c in page.get("ServiceConfigurations", [])]


def _describe(aws: AwsContext, service_id: str) -> dict[str, Any]:
    with aws_step("Looking for the endpoint service", "ec2:DescribeVpcEndpointServiceConfigurations"):
        reply = aws.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    config: dict[str, Any] = reply["ServiceConfigurations"][0]
    return config


def find_endpoint_services(aws: AwsContext, link_name: str) -> list[ServiceInfo]:
    """Every endpoint service tagged for this link (normally one)."""
    # The tag filter narrows the list on AWS; the tag check below is what decides (the sandbox
    # ignores filters).
    configs = _configurations(aws, [{"Name": f"tag:{LINK_TAG_KEY}", "Values": [link_name]}])
    ours = [
        _info(c)
        for c in configs
        if is_ours(_tags(c), link_name) and c.get("ServiceState") not in {"Deleting", "Deleted"}
    ]
    return ours


def find_endpoint_service(aws: AwsContext, link_name: str) -> ServiceInfo | None:
    ours = find_endpoint_services(aws, link_name)
    return ours[0] if ours else None


def _not_ours_on_nlb(aws: AwsContext, link_name: str, nlb_arn: str) -> None:
    for config in _configurations(aws):
        if nlb_arn in config.get("NetworkLoadBalancerArns", []) and not is_ours(_tags(config), link_name):
            raise UserError(
                what=(
                    f"The load balancer already has an endpoint service ({config['ServiceId']}) "
                    "that the wizard did not create"
                ),
                why="A load balancer can back only one endpoint service, and that one has no "
                f"privatelink-wizard tags for the link '{link_name}'.",
                fix="Use that endpoint service as it is (in the VPC console under Endpoint "
                "services), or choose another link name so the wizard builds a new load balancer.",
                step="Creating the endpoint service",
                exit_code=2,
            )


def wait_service_available(
    aws: AwsContext, service_id: str, patience: Patience = DEFAULT_PATIENCE
) -> ServiceInfo:
    """Wait while the new service is Pending (EC2 has no waiter for endpoint services)."""

    def done(info: ServiceInfo) -> bool:
        if info.state in {"Failed", "Deleting", "Deleted"}:
            raise UserError(
                what=(f"The endpoint service {service_id} is '{info.state}' instead of becoming available"),
                why="AWS could not finish creating it, or it is being deleted.",
                fix="Run `privatelink-wizard teardown` for this link, then set it up again.",
                step="Waiting for the endpoint service",
            )
        return info.state == "Available"

    def timed_out(info: ServiceInfo) -> UserError:
        return UserError(
            what=(
                f"The endpoint service {service_id} is still '{info.state}' after "
                f"{patience.timeout:g} seconds"
            ),
            why="AWS is taking longer than usual.",
            fix="Nothing is lost: run the same step again and it continues where it stopped.",
            step="Waiting for the endpoint service",
            exit_code=EXIT_TIMEOUT,
        )

    return wait_until(lambda: _info(_describe(aws, service_id)), done, patience, timed_out)


def require_acceptance(aws: AwsContext, service_id: str) -> None:
    """Turn 'acceptance required' back on, so no one connects without the owner's consent."""
    with aws_step("Requiring approval of connection requests", "ec2:ModifyVpcEndpointServiceConfiguration"):
        aws.ec2.modify_vpc_endpoint_service_configuration(ServiceId=service_id, AcceptanceRequired=True)
    if not _info(_describe(aws, service_id)).acceptance_required:
        raise UserError(
            what="The endpoint service still accepts connections without approval",
            why="AWS accepted the change but reports the old setting.",
            fix="In the VPC console (Endpoint services → Actions → Modify endpoint acceptance "
            "setting) tick 'Acceptance required', then run the step again.",
            step="Requiring approval of connection requests",
        )


def find_or_create_endpoint_service(
    aws: AwsContext,
    link_name: str,
    nlb_arn: str,
    on_created: Callable[[str], None] | None = None,
    patience: Patience = DEFAULT_PATIENCE,
    supported_regions: Sequence[str] = (),
) -> tuple[ServiceInfo, bool]:
    """The link's endpoint service on `nlb_arn`, with acceptance required, once Available (a new
    one made available in `supported_regions` too; an existing one is converged by the caller)."""
    existing = find_endpoint_service(aws, link_name)
    if existing is not None:
        if nlb_arn not in existing.nlb_arns:
            raise UserError(
                what=(
                    f"The endpoint service {existing.id} of the link '{link_name}' uses another load balancer"
                ),
                why="The link's load balancer was probably replaced after the service was created.",
                fix="Run `privatelink-wizard teardown` for this link, then set it up again.",
                step="Creating the endpoint service",
            )
        service_id = existing.id
    else:
        _not_ours_on_nlb(aws, link_name, nlb_arn)
        # Unlike the load balancer calls, this create is not idempotent on AWS unless it carries
        # a client token; the same token on every attempt makes AWS return the first service.
        token = str(uuid.uuid4())
        # Only a cross-region link names regions: AWS then also checks vpce:AllowMultiRegion.
        regions: dict[str, Any] = {"SupportedRegions": list(supported_regions)} if supported_regions else {}

        def create() -> str:
            with aws_step("Creating the endpoint service", "ec2:CreateVpcEndpointServiceConfiguration"):
                reply = aws.client("ec2", retries=False).create_vpc_endpoint_service_configuration(
                    NetworkLoadBalancerArns=[nlb_arn],
                    AcceptanceRequired=True,
                    ClientToken=token,
                    TagSpecifications=[
                        {"ResourceType": "vpc-endpoint-service", "Tags": link_tags(link_name)}
                    ],
                    **regions,
                )
            return str(reply["ServiceConfiguration"]["ServiceId"])

        def find() -> str | None:
            found = find_endpoint_service(aws, link_name)
            return found.id if found else None

        service_id = create_once(create, find)
        if on_created is not None:
            on_created(service_id)
    info = wait_service_available(aws, service_id, patience)
    if not info.acceptance_required:
        require_acceptance(aws, service_id)
        info = _info(_describe(aws, service_id))
    return info, existing is None


def allowed_principals(aws: AwsContext, service_id: str) -> list[str]:
    with aws_step(
        "Reading who may connect (allowed principals)", "ec2:DescribeVpcEndpointServicePermissions"
    ):
        pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_permissions").paginate(
            ServiceId=service_id
        )
        return [p["Principal"] for page in pages for p in page.get("AllowedPrincipals", [])]


def allow_principal(aws: AwsContext, service_id: str, principal: str) -> list[str]:
    """Allow-list `principal` (idempotent) and return the principals AWS now reports."""
    principal = validate_principal(principal)
    current = allowed_principals(aws, service_id)
    if principal in current:
        return current
    with aws_step("Allowing the platform to connect", "ec2:ModifyVpcEndpointServicePermissions"):
        aws.ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=service_id, AddAllowedPrincipals=[principal]
        )
    current = allowed_principals(aws, service_id)
    if principal not in current:
        raise UserError(
            what=f"{principal} is not on the endpoint service's allow list after adding it",
            why="AWS accepted the change but does not report the principal.",
            fix="In the VPC console (Endpoint services → Allow principals) add it by hand, or "
            "run the step again.",
            step="Allowing the platform to connect",
        )
    return current


def remove_principals(aws: AwsContext, service_id: str, principals: Sequence[str]) -> list[str]:
    """Take `principals` off the allow list (idempotent) and return the principals AWS now
    reports: from then on they cannot request a connection."""
    current = allowed_principals(aws, service_id)
    leaving = [p for p in dict.fromkeys(principals) if p in current]
    if not leaving:
        return current
    with aws_step("Removing principals from the allow list", "ec2:ModifyVpcEndpointServicePermissions"):
        aws.ec2.modify_vpc_endpoint_service_permissions(ServiceId=service_id, RemoveAllowedPrincipals=leaving)
    current = allowed_principals(aws, service_id)
    still = [p for p in leaving if p in current]
    if still:
        raise UserError(
            what=f"{', '.join(still)} is still on the endpoint service's allow list after removing it",
            why="AWS accepted the change but still reports the principal.",
            fix="In the VPC console (Endpoint services → Allow principals) remove it by hand, or try again.",
            step="Removing principals from the allow list",
        )
    return current


def delete_endpoint_service(aws: AwsContext, service_id: str) -> None:
    """Delete the service; one that is already gone counts as deleted."""
    with aws_step("Deleting the endpoint service", "ec2:DeleteVpcEndpointServiceConfigurations"):
        reply = aws.ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    for failure in reply.get("Unsuccessful", []):
        error = failure.get("Error", {})
        if "NotFound" in str(error.get("Code", "")):
            continue
        raise UserError(
            what=(f"AWS did not delete the endpoint service {service_id}: {error.get('Message', '')}"),
            why="It probably still has connected endpoints.",
            fix="Reject its connections (VPC console → Endpoint services → Endpoint connections), "
            "then run teardown again.",
            step="Deleting the endpoint service",
            code=str(error.get("Code", "")),
        )
