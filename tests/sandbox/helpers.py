"""Shared set-up for the sandbox tests: a provider and a consumer in either moto mode."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wizard.sandbox.consumer import account_client

REGION = "us-east-1"
PROVIDER = "123456789012"
CONSUMER = "012922587834"
CONSUMER_ARN = f"arn:aws:iam::{CONSUMER}:root"
OTHER = "111122223333"


@dataclass
class Accounts:
    """boto3 EC2/ELBv2 clients acting as the provider, the consumer and an unrelated account."""

    endpoint_url: str | None
    provider: Any
    provider_elbv2: Any
    consumer: Any
    other: Any

    def close(self) -> None:
        for client in (self.provider, self.provider_elbv2, self.consumer, self.other):
            client.close()


def accounts(endpoint_url: str | None) -> Accounts:
    return Accounts(
        endpoint_url=endpoint_url,
        provider=account_client("ec2", REGION, PROVIDER, endpoint_url),
        provider_elbv2=account_client("elbv2", REGION, PROVIDER, endpoint_url),
        consumer=account_client("ec2", REGION, CONSUMER, endpoint_url),
        other=account_client("ec2", REGION, OTHER, endpoint_url),
    )


@dataclass(frozen=True)
class Service:
    id: str
    name: str


def make_service(acc: Accounts, acceptance_required: bool = True, name: str = "svc") -> Service:
    """An NLB-backed endpoint service owned by the provider."""
    ec2 = acc.provider
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"
    ]
    lb = acc.provider_elbv2.create_load_balancer(
        Name=name, Type="network", Scheme="internal", Subnets=[subnet]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    config = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb], AcceptanceRequired=acceptance_required
    )["ServiceConfiguration"]
    return Service(config["ServiceId"], config["ServiceName"])


def allow(acc: Accounts, service: Service, principal: str = CONSUMER_ARN) -> None:
    acc.provider.modify_vpc_endpoint_service_permissions(
        ServiceId=service.id, AddAllowedPrincipals=[principal]
    )


def request_connection(ec2: Any, service: Service, cidr: str = "10.99.0.0/16") -> dict[str, Any]:
    """Create an interface endpoint to `service` from the account `ec2` acts for."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet_cidr = cidr.replace("0.0/16", "1.0/24")
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"
    ]
    endpoint: dict[str, Any] = ec2.create_vpc_endpoint(
        VpcEndpointType="Interface", VpcId=vpc, ServiceName=service.name, SubnetIds=[subnet]
    )["VpcEndpoint"]
    return endpoint


def connections(acc: Accounts, *filters: tuple[str, list[str]]) -> list[dict[str, Any]]:
    paginator = acc.provider.get_paginator("describe_vpc_endpoint_connections")
    found: list[dict[str, Any]] = []
    for page in paginator.paginate(Filters=[{"Name": n, "Values": v} for n, v in filters]):
        found += page["VpcEndpointConnections"]
    return found


def consumer_view(acc: Accounts) -> Iterator[str]:
    """Names of other accounts' services the consumer is shown."""
    reply = acc.consumer.describe_vpc_endpoint_services()
    for detail in reply["ServiceDetails"]:
        if detail.get("Owner") == PROVIDER:
            yield detail["ServiceName"]
