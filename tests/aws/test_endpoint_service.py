"""The endpoint service: acceptance required, Available, tagged, found again; the allow-list."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from tests.aws.test_nlb import FAST, make_network
from wizard.aws import endpoint_service as es
from wizard.aws import nlb
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import link_tags

LINK = "orders-db"
PRINCIPAL = "arn:aws:iam::012922587834:root"


def make_nlb(aws: AwsContext, link: str = LINK) -> str:
    net = make_network(aws)
    info, _ = nlb.find_or_create_nlb(aws, link, net.vpc_id, net.subnet_ids, patience=FAST)
    return info.arn


def services(aws: AwsContext) -> list[dict[str, Any]]:
    return list(aws.ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"])


def test_creates_a_tagged_service_that_requires_acceptance(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    calls: list[str] = []

    info, created = es.find_or_create_endpoint_service(aws, LINK, nlb_arn, on_created=calls.append)

    assert created is True
    assert calls == [info.id]
    [config] = services(aws)
    assert config["ServiceId"] == info.id
    assert config["AcceptanceRequired"] is True
    assert config["ServiceState"] == "Available"
    assert config["NetworkLoadBalancerArns"] == [nlb_arn]
    assert sorted(config["Tags"], key=lambda t: t["Key"]) == sorted(link_tags(LINK), key=lambda t: t["Key"])
    assert info.name == f"com.amazonaws.vpce.us-east-1.{info.id}"
    assert (info.state, info.acceptance_required, info.nlb_arns) == ("Available", True, (nlb_arn,))
    assert sorted(info.availability_zones) == ["us-east-1a", "us-east-1b"]


def test_running_twice_creates_nothing_new(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    calls: list[str] = []
    first, _ = es.find_or_create_endpoint_service(aws, LINK, nlb_arn, on_created=calls.append)

    second, created = es.find_or_create_endpoint_service(aws, LINK, nlb_arn, on_created=calls.append)

    assert (second.id, created) == (first.id, False)
    assert len(services(aws)) == 1
    assert calls == [first.id]
    assert es.find_endpoint_service(aws, LINK) == second


def test_other_links_services_are_not_found(aws: AwsContext) -> None:
    es.find_or_create_endpoint_service(aws, "other-link", make_nlb(aws, "other-link"))
    assert es.find_endpoint_service(aws, LINK) is None


def test_a_service_on_our_nlb_that_we_did_not_tag_is_refused(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    foreign = aws.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb_arn], AcceptanceRequired=True
    )["ServiceConfiguration"]["ServiceId"]

    with pytest.raises(UserError) as err:
        es.find_or_create_endpoint_service(aws, LINK, nlb_arn)

    assert foreign in err.value.what and "did not create" in err.value.what
    assert "only one endpoint service" in err.value.why
    assert len(services(aws)) == 1


def test_acceptance_turned_off_by_hand_is_turned_back_on(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    info, _ = es.find_or_create_endpoint_service(aws, LINK, nlb_arn)
    aws.ec2.modify_vpc_endpoint_service_configuration(ServiceId=info.id, AcceptanceRequired=False)

    again, created = es.find_or_create_endpoint_service(aws, LINK, nlb_arn)

    assert created is False
    assert again.acceptance_required is True
    [config] = services(aws)
    assert config["AcceptanceRequired"] is True


def test_allow_principal_adds_it_once_and_reads_it_back(aws: AwsContext) -> None:
    info, _ = es.find_or_create_endpoint_service(aws, LINK, make_nlb(aws))

    first = es.allow_principal(aws, info.id, PRINCIPAL)
    second = es.allow_principal(aws, info.id, f"  {PRINCIPAL} ")

    assert first == second == [PRINCIPAL]
    reply = aws.ec2.describe_vpc_endpoint_service_permissions(ServiceId=info.id)
    assert [p["Principal"] for p in reply["AllowedPrincipals"]] == [PRINCIPAL]
    assert es.allowed_principals(aws, info.id) == [PRINCIPAL]


def test_a_malformed_principal_is_refused_before_calling_aws(aws: AwsContext) -> None:
    info, _ = es.find_or_create_endpoint_service(aws, LINK, make_nlb(aws))
    with pytest.raises(UserError) as err:
        es.allow_principal(aws, info.id, "012922587834")
    assert err.value.exit_code == 2
    assert "arn:aws:iam::" in err.value.fix
    assert es.allowed_principals(aws, info.id) == []


def test_a_principal_aws_does_not_report_after_adding_is_an_error(
    aws: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    info, _ = es.find_or_create_endpoint_service(aws, LINK, make_nlb(aws))
    monkeypatch.setattr(aws.ec2, "modify_vpc_endpoint_service_permissions", lambda **_: {})

    with pytest.raises(UserError) as err:
        es.allow_principal(aws, info.id, PRINCIPAL)

    assert PRINCIPAL in err.value.what and "allow list" in err.value.what


def _config(state: str) -> dict[str, Any]:
    return {
        "ServiceConfigurations": [
            {"ServiceId": "vpce-svc-0123456789abcdef0", "ServiceState": state, "AcceptanceRequired": True}
        ]
    }


def test_waits_while_the_service_is_pending(aws: AwsContext) -> None:
    # moto makes services Available at once; a Stubber replays what AWS says while it works.
    with Stubber(aws.ec2) as stub:
        for state in ("Pending", "Pending", "Available"):
            stub.add_response("describe_vpc_endpoint_service_configurations", _config(state))
        info = es.wait_service_available(aws, "vpce-svc-0123456789abcdef0", Patience(timeout=5, shortest=0))
        stub.assert_no_pending_responses()
    assert info.state == "Available"


def test_a_failed_or_slow_service_is_reported(aws: AwsContext) -> None:
    with Stubber(aws.ec2) as stub:
        stub.add_response("describe_vpc_endpoint_service_configurations", _config("Failed"))
        with pytest.raises(UserError) as failed:
            es.wait_service_available(aws, "vpce-svc-0123456789abcdef0", Patience(timeout=5, shortest=0))
        stub.add_response("describe_vpc_endpoint_service_configurations", _config("Pending"))
        with pytest.raises(UserError) as slow:
            es.wait_service_available(aws, "vpce-svc-0123456789abcdef0", Patience(timeout=0, shortest=0))
    assert "'Failed'" in failed.value.what
    assert "still 'Pending'" in slow.value.what and slow.value.exit_code == 3


def test_delete_endpoint_service_removes_it_and_tolerates_a_second_delete(aws: AwsContext) -> None:
    info, _ = es.find_or_create_endpoint_service(aws, LINK, make_nlb(aws))
    es.delete_endpoint_service(aws, info.id)
    es.delete_endpoint_service(aws, info.id)
    assert services(aws) == []
