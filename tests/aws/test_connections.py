"""Connection requests: the platform's endpoint shows up pending, is accepted, or rejected."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from unittest import mock

import pytest
from botocore.stub import Stubber

from tests.aws.test_nlb import FAST, make_network
from wizard.aws import connections as conn
from wizard.aws import endpoint_service as es
from wizard.aws import nlb
from wizard.aws.session import AwsContext, Credentials, make_context
from wizard.errors import UserError

LINK = "orders-db"
CONSUMER_ACCOUNT = "012922587834"
PRINCIPAL = f"arn:aws:iam::{CONSUMER_ACCOUNT}:root"


def make_service(aws: AwsContext) -> es.ServiceInfo:
    net = make_network(aws)
    lb, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)
    info, _ = es.find_or_create_endpoint_service(aws, LINK, lb.arn)
    es.allow_principal(aws, info.id, PRINCIPAL)
    return info


def consumer_endpoint(service_name: str) -> str:
    """The platform creating its interface endpoint from its own account (moto: MOTO_ACCOUNT_ID)."""
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": CONSUMER_ACCOUNT}):
        consumer = make_context(Credentials(), "us-east-1")
        net = make_network(consumer, cidr="10.99.0.0/16", zones=1)
        reply = consumer.ec2.create_vpc_endpoint(
            VpcEndpointType="Interface",
            VpcId=net.vpc_id,
            ServiceName=service_name,
            SubnetIds=net.subnet_ids,
        )
    endpoint_id: str = reply["VpcEndpoint"]["VpcEndpointId"]
    return endpoint_id


def test_the_platforms_request_shows_up_pending_with_its_account(aws: AwsContext) -> None:
    service = make_service(aws)
    endpoint_id = consumer_endpoint(service.name)

    [request] = conn.list_connections(aws, service.id)

    assert request.endpoint_id == endpoint_id
    assert request.owner_account == CONSUMER_ACCOUNT
    assert request.state == "pendingAcceptance" and request.pending
    assert isinstance(request.created_at, datetime)


def test_accepting_makes_the_connection_available(aws: AwsContext) -> None:
    service = make_service(aws)
    endpoint_id = consumer_endpoint(service.name)

    [accepted] = conn.accept_connections(aws, service.id, [endpoint_id])

    assert (accepted.endpoint_id, accepted.state) == (endpoint_id, "available")
    assert [c.state for c in conn.list_connections(aws, service.id)] == ["available"]


def test_rejecting_marks_the_connection_rejected(aws: AwsContext) -> None:
    service = make_service(aws)
    endpoint_id = consumer_endpoint(service.name)

    [rejected] = conn.reject_connections(aws, service.id, [endpoint_id])

    assert rejected.state == "rejected"
    assert [c.state for c in conn.list_connections(aws, service.id)] == ["rejected"]


def test_accepting_an_unknown_id_names_it_and_changes_nothing_else(aws: AwsContext) -> None:
    service = make_service(aws)
    endpoint_id = consumer_endpoint(service.name)

    with pytest.raises(UserError) as err:
        conn.accept_connections(aws, service.id, ["vpce-0000000000000dead"])

    assert "vpce-0000000000000dead" in err.value.what
    assert "Refresh the list" in err.value.fix
    [request] = conn.list_connections(aws, service.id)
    assert (request.endpoint_id, request.state) == (endpoint_id, "pendingAcceptance")


def test_choosing_no_request_is_bad_input(aws: AwsContext) -> None:
    service = make_service(aws)
    with pytest.raises(UserError) as err:
        conn.accept_connections(aws, service.id, ["  "])
    assert err.value.exit_code == 2


def test_a_service_without_requests_lists_none(aws: AwsContext) -> None:
    service = make_service(aws)
    assert conn.list_connections(aws, service.id) == []


# The sandbox has a single page of connections; a Stubber replays AWS's paged replies to prove
# that every page is read, and the documented shape of a partial failure.


def _item(endpoint_id: str, state: str, day: int) -> dict[str, object]:
    return {
        "ServiceId": "vpce-svc-0123456789abcdef0",
        "VpcEndpointId": endpoint_id,
        "VpcEndpointOwner": CONSUMER_ACCOUNT,
        "VpcEndpointState": state,
        "CreationTimestamp": datetime(2024, 5, day, tzinfo=UTC),
        "DnsEntries": [{"DnsName": f"{endpoint_id}.vpce-svc.us-east-1.vpce.amazonaws.com"}],
    }


def test_every_page_of_connections_is_read_oldest_first(aws: AwsContext) -> None:
    service_filter = [{"Name": "service-id", "Values": ["vpce-svc-0123456789abcdef0"]}]
    with Stubber(aws.ec2) as stub:
        stub.add_response(
            "describe_vpc_endpoint_connections",
            {"VpcEndpointConnections": [_item("vpce-0bbbbbbbbbbbbbbbb", "available", 9)], "NextToken": "p2"},
            {"Filters": service_filter},
        )
        stub.add_response(
            "describe_vpc_endpoint_connections",
            {"VpcEndpointConnections": [_item("vpce-0aaaaaaaaaaaaaaaa", "pendingAcceptance", 2)]},
            {"Filters": service_filter, "NextToken": "p2"},
        )
        found = conn.list_connections(aws, "vpce-svc-0123456789abcdef0")
        stub.assert_no_pending_responses()

    assert [(c.endpoint_id, c.state) for c in found] == [
        ("vpce-0aaaaaaaaaaaaaaaa", "pendingAcceptance"),
        ("vpce-0bbbbbbbbbbbbbbbb", "available"),
    ]
    assert found[0].dns_names == ("vpce-0aaaaaaaaaaaaaaaa.vpce-svc.us-east-1.vpce.amazonaws.com",)


def test_a_partial_failure_lists_every_unsuccessful_id(aws: AwsContext) -> None:
    with Stubber(aws.ec2) as stub:
        stub.add_response(
            "reject_vpc_endpoint_connections",
            {
                "Unsuccessful": [
                    {
                        "ResourceId": "vpce-0aaaaaaaaaaaaaaaa",
                        "Error": {"Code": "InvalidVpcEndpoint.NotFound", "Message": "not found"},
                    },
                    {
                        "ResourceId": "vpce-0bbbbbbbbbbbbbbbb",
                        "Error": {"Code": "InvalidState", "Message": "already rejected"},
                    },
                ]
            },
        )
        with pytest.raises(UserError) as err:
            conn.reject_connections(
                aws, "vpce-svc-0123456789abcdef0", ["vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"]
            )

    assert "vpce-0aaaaaaaaaaaaaaaa, vpce-0bbbbbbbbbbbbbbbb" in err.value.what
    assert "already rejected" in err.value.why
    assert err.value.step == "Rejecting the connection request"
