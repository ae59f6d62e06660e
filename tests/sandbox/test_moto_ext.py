"""The moto extension, in-process (mock_aws) and in server mode (ThreadedMotoServer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sandbox.helpers import (
    CONSUMER,
    OTHER,
    PROVIDER,
    Accounts,
    accounts,
    allow,
    connections,
    consumer_view,
    make_service,
    request_connection,
)
from wizard.errors import UserError
from wizard.sandbox import moto_ext

pytestmark = pytest.mark.usefixtures("no_default_amis")


@pytest.fixture(scope="module")
def in_process_clients() -> Iterator[Accounts]:
    # boto3 clients are slow to build; moto's in-process mock intercepts them whenever it is on.
    clients = accounts(None)
    yield clients
    clients.close()


@pytest.fixture(scope="module")
def server_clients(moto_server_url: str) -> Iterator[Accounts]:
    clients = accounts(moto_server_url)
    yield clients
    clients.close()


@pytest.fixture(params=["in-process", "server"])
def acc(request: pytest.FixtureRequest) -> Iterator[Accounts]:
    from moto import mock_aws
    from moto.moto_api._internal.models import moto_api_backend

    moto_ext.install()
    if request.param == "in-process":
        with mock_aws():
            yield request.getfixturevalue("in_process_clients")
    else:
        clients = request.getfixturevalue("server_clients")
        moto_api_backend.reset()  # the server shares this process's moto state
        try:
            yield clients
        finally:
            moto_api_backend.reset()


def test_install_is_idempotent() -> None:
    from moto.ec2.models import EC2Backend
    from moto.ec2.responses import EC2Response

    moto_ext.install()
    wrapped = EC2Backend.create_vpc_endpoint
    moto_ext.install()
    assert moto_ext.is_installed()
    assert EC2Backend.create_vpc_endpoint is wrapped  # not wrapped twice
    assert callable(getattr(EC2Response, "describe_vpc_endpoint_connections", None))


def test_install_refuses_other_moto_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto

    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(UserError) as caught:
        moto_ext.install()
    assert "moto 5.3.0" in caught.value.why
    assert "<5.3" in caught.value.fix


def test_request_starts_pending_and_shows_with_its_owner(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint = request_connection(acc.consumer, service)
    assert endpoint["State"] == "pendingAcceptance"

    [conn] = connections(acc)
    assert conn["VpcEndpointId"] == endpoint["VpcEndpointId"]
    assert conn["VpcEndpointOwner"] == CONSUMER
    assert conn["VpcEndpointState"] == "pendingAcceptance"
    assert conn["ServiceId"] == service.id
    assert conn["VpcEndpointRegion"] == "us-east-1"
    assert conn["NetworkLoadBalancerArns"]
    # The consumer's endpoint lives in the consumer's account, not the provider's.
    assert acc.provider.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert connections_of_other(acc) == []


def connections_of_other(acc: Accounts) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = acc.other.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    return result


def test_accept_makes_the_endpoint_available_for_both_sides(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint_id = request_connection(acc.consumer, service)["VpcEndpointId"]

    reply = acc.provider.accept_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[endpoint_id])
    assert reply["Unsuccessful"] == []
    assert connections(acc)[0]["VpcEndpointState"] == "available"
    [mine] = acc.consumer.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    assert mine["State"] == "available"
    # Accepting again is not an error.
    again = acc.provider.accept_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[endpoint_id])
    assert again["Unsuccessful"] == []


def test_reject_keeps_the_request_listed_as_rejected(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint_id = request_connection(acc.consumer, service)["VpcEndpointId"]

    reply = acc.provider.reject_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[endpoint_id])
    assert reply["Unsuccessful"] == []
    [conn] = connections(acc)
    assert conn["VpcEndpointState"] == "rejected"
    [mine] = acc.consumer.describe_vpc_endpoints()["VpcEndpoints"]
    assert mine["State"] == "rejected"


def test_unknown_endpoint_ids_come_back_unsuccessful(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint_id = request_connection(acc.consumer, service)["VpcEndpointId"]

    for call in (
        acc.provider.accept_vpc_endpoint_connections,
        acc.provider.reject_vpc_endpoint_connections,
    ):
        reply = call(ServiceId=service.id, VpcEndpointIds=["vpce-0123456789abcdef0"])
        [item] = reply["Unsuccessful"]
        assert item["ResourceId"] == "vpce-0123456789abcdef0"
        assert item["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    # The real request was left alone.
    assert connections(acc)[0]["VpcEndpointId"] == endpoint_id
    assert connections(acc)[0]["VpcEndpointState"] == "pendingAcceptance"


def test_only_the_owner_can_accept(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint_id = request_connection(acc.consumer, service)["VpcEndpointId"]
    with pytest.raises(ClientError) as caught:
        acc.other.accept_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[endpoint_id])
    assert caught.value.response["Error"]["Code"] == "InvalidVpcEndpointServiceId.NotFound"
    assert connections(acc)[0]["VpcEndpointState"] == "pendingAcceptance"


def test_filters(acc: Accounts) -> None:
    first = make_service(acc, name="one")
    second = make_service(acc, name="two")
    allow(acc, first)
    allow(acc, second)
    allow(acc, second, f"arn:aws:iam::{OTHER}:root")
    a = request_connection(acc.consumer, first)["VpcEndpointId"]
    b = request_connection(acc.consumer, second, "10.98.0.0/16")["VpcEndpointId"]
    c = request_connection(acc.other, second)["VpcEndpointId"]
    acc.provider.accept_vpc_endpoint_connections(ServiceId=second.id, VpcEndpointIds=[b])

    def ids(*filters: tuple[str, list[str]]) -> set[str]:
        return {x["VpcEndpointId"] for x in connections(acc, *filters)}

    assert ids() == {a, b, c}
    assert ids(("service-id", [first.id])) == {a}
    assert ids(("service-id", [second.id])) == {b, c}
    assert ids(("vpc-endpoint-owner", [CONSUMER])) == {a, b}
    assert ids(("vpc-endpoint-owner", [OTHER])) == {c}
    assert ids(("vpc-endpoint-state", ["pendingAcceptance"])) == {a, c}
    assert ids(("vpc-endpoint-state", ["available"])) == {b}
    assert ids(("vpc-endpoint-id", [c, "vpce-nothing"])) == {c}
    assert ids(("service-id", [second.id]), ("vpc-endpoint-owner", [CONSUMER])) == {b}
    with pytest.raises(ClientError) as caught:
        connections(acc, ("no-such-filter", ["x"]))
    assert caught.value.response["Error"]["Code"] == "InvalidFilter"


def test_pages(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    allow(acc, service, f"arn:aws:iam::{OTHER}:root")
    made = {
        request_connection(acc.consumer, service)["VpcEndpointId"],
        request_connection(acc.consumer, service, "10.98.0.0/16")["VpcEndpointId"],
        request_connection(acc.other, service)["VpcEndpointId"],
    }
    pages = list(
        acc.provider.get_paginator("describe_vpc_endpoint_connections").paginate(
            PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["VpcEndpointConnections"]) for p in pages] == [2, 1]
    assert {c["VpcEndpointId"] for p in pages for c in p["VpcEndpointConnections"]} == made


def test_the_consumer_sees_and_reaches_the_service_only_once_allow_listed(acc: Accounts) -> None:
    service = make_service(acc)
    assert list(consumer_view(acc)) == []
    with pytest.raises(ClientError) as caught:
        request_connection(acc.consumer, service)
    assert caught.value.response["Error"]["Code"] == "InvalidServiceName"
    assert connections(acc) == []

    allow(acc, service)
    assert list(consumer_view(acc)) == [service.name]
    [detail] = acc.consumer.describe_vpc_endpoint_services(ServiceNames=[service.name])["ServiceDetails"]
    assert detail["Owner"] == PROVIDER
    assert detail["AcceptanceRequired"] is True
    assert detail["AvailabilityZones"] == ["us-east-1a"]
    # An account nobody allow-listed still sees nothing.
    other_names = [
        d["ServiceName"]
        for d in acc.other.describe_vpc_endpoint_services()["ServiceDetails"]
        if d.get("Owner") == PROVIDER
    ]
    assert other_names == []


def test_a_service_without_acceptance_connects_at_once(acc: Accounts) -> None:
    service = make_service(acc, acceptance_required=False)
    allow(acc, service)
    endpoint = request_connection(acc.consumer, service)
    assert endpoint["State"] == "available"
    assert connections(acc)[0]["VpcEndpointState"] == "available"


def test_a_service_with_live_connections_cannot_be_deleted(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    endpoint_id = request_connection(acc.consumer, service)["VpcEndpointId"]

    reply = acc.provider.delete_vpc_endpoint_service_configurations(ServiceIds=[service.id])
    [item] = reply["Unsuccessful"]
    assert item["ResourceId"] == service.id
    assert item["Error"]["Code"] == "ExistingVpcEndpointConnections"
    assert acc.provider.describe_vpc_endpoint_service_configurations(ServiceIds=[service.id])

    acc.provider.reject_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[endpoint_id])
    reply = acc.provider.delete_vpc_endpoint_service_configurations(ServiceIds=[service.id])
    assert reply["Unsuccessful"] == []
    names = [
        c["ServiceId"]
        for c in acc.provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    ]
    assert service.id not in names
    missing = acc.provider.delete_vpc_endpoint_service_configurations(ServiceIds=[service.id])
    assert missing["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointService.NotFound"
