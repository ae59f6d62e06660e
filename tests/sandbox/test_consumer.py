"""The simulated data platform: one request per allow-listing service, none for the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.sandbox.helpers import (
    CONSUMER,
    OTHER,
    Accounts,
    accounts,
    allow,
    connections,
    make_service,
    request_connection,
)
from wizard.errors import UserError
from wizard.sandbox.consumer import SimulatedConsumer


@pytest.fixture(scope="module")
def clients() -> Iterator[Accounts]:
    # boto3 clients are slow to build; moto's in-process mock intercepts them whenever it is on.
    made = accounts(None)
    yield made
    made.close()


@pytest.fixture
def acc(aws: object, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Accounts:
    # No AMI catalogue per new account: nothing here runs an instance (saves ~0.5 s per account).
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    # Built (the first time) only once `aws` has switched moto's mock on, so no call leaves.
    made: Accounts = request.getfixturevalue("clients")
    return made


def test_requests_once_per_allow_listing_service_after_the_delay(acc: Accounts) -> None:
    first = make_service(acc, name="one")
    second = make_service(acc, name="two")
    private = make_service(acc, name="three")
    allow(acc, first)
    allow(acc, second, f"arn:aws:iam::{CONSUMER}:role/platform-connector")
    allow(acc, private, f"arn:aws:iam::{OTHER}:root")
    consumer = SimulatedConsumer("us-east-1", delay=3.0)

    assert consumer.poll_once(now=100.0) == []  # seen, but the delay has not passed
    assert consumer.poll_once(now=102.9) == []
    made = consumer.poll_once(now=103.0)
    assert sorted(r.service_id for r in made) == sorted([first.id, second.id])
    assert all(r.state == "pendingAcceptance" for r in made)
    assert consumer.poll_once(now=200.0) == []  # never twice

    conns = connections(acc)
    assert len(conns) == 2
    assert {c["ServiceId"] for c in conns} == {first.id, second.id}
    assert {c["VpcEndpointOwner"] for c in conns} == {CONSUMER}
    assert {c["VpcEndpointState"] for c in conns} == {"pendingAcceptance"}
    assert connections(acc, ("service-id", [private.id])) == []
    # The endpoints live in the consumer's own VPC, in the services' AZ.
    endpoints = acc.consumer.describe_vpc_endpoints()["VpcEndpoints"]
    assert {e["VpcEndpointId"] for e in endpoints} == {r.endpoint_id for r in made}
    subnet_ids = {s for e in endpoints for s in e["SubnetIds"]}
    subnets = acc.consumer.describe_subnets(SubnetIds=sorted(subnet_ids))["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == {"us-east-1a"}
    [vpc] = acc.consumer.describe_vpcs(VpcIds=[endpoints[0]["VpcId"]])["Vpcs"]
    assert vpc["CidrBlock"] == "10.99.0.0/16"
    consumer.stop()


def test_delay_counts_from_when_the_service_is_allow_listed(acc: Accounts) -> None:
    service = make_service(acc)
    consumer = SimulatedConsumer("us-east-1", delay=3.0)
    assert consumer.poll_once(now=0.0) == []
    allow(acc, service)
    assert consumer.poll_once(now=10.0) == []  # first seen now
    assert [r.service_id for r in consumer.poll_once(now=13.0)] == [service.id]
    consumer.stop()


def test_an_existing_request_is_not_repeated(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    request_connection(acc.consumer, service)
    consumer = SimulatedConsumer("us-east-1", delay=0.0)
    assert consumer.poll_once() == []
    assert consumer.poll_once() == []
    assert len(connections(acc)) == 1
    consumer.stop()


def test_a_rejected_request_is_not_repeated(acc: Accounts) -> None:
    service = make_service(acc)
    allow(acc, service)
    consumer = SimulatedConsumer("us-east-1", delay=0.0)
    [request] = consumer.poll_once()
    acc.provider.reject_vpc_endpoint_connections(ServiceId=service.id, VpcEndpointIds=[request.endpoint_id])
    assert consumer.poll_once() == []
    assert [c["VpcEndpointState"] for c in connections(acc)] == ["rejected"]
    consumer.stop()


def test_the_thread_requests_and_stops(acc: Accounts) -> None:
    service = make_service(acc)
    consumer = SimulatedConsumer("us-east-1", delay=0.2, interval=0.05)
    consumer.start()
    assert consumer.running
    try:
        time.sleep(0.2)
        assert consumer.requests == []  # not allow-listed yet
        allow(acc, service)
        deadline = time.monotonic() + 15
        while not consumer.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.service_id for r in consumer.requests] == [service.id]
        assert consumer.last_error == ""
    finally:
        consumer.stop()
    assert not consumer.running
    assert not [t for t in threading.enumerate() if t.name == "sandbox-consumer"]
    assert [c["VpcEndpointState"] for c in connections(acc)] == ["pendingAcceptance"]


def test_the_default_principal_is_the_default_consumers() -> None:
    consumer = SimulatedConsumer("us-east-1")
    assert consumer.principal == "arn:aws:iam::012922587834:root"
    assert consumer.account_id == CONSUMER
    assert (consumer.delay, consumer.interval) == (3.0, 0.5)


def test_a_malformed_principal_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        SimulatedConsumer("us-east-1", principal="012922587834")
    assert "not a valid IAM principal ARN" in caught.value.what
