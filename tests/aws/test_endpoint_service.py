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
from wizard.sandbox import timing

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


def _service_clock(service_id: str) -> Any:
    """The sandbox's model of the service (its creation clock is `_plw_service_created_at`)."""
    from moto.ec2.models import ec2_backends

    return ec2_backends["123456789012"]["us-east-1"].configurations[service_id]


def _states_read(aws: AwsContext) -> list[str]:
    """Every ServiceState the engine reads; each Pending moves the service's clock 12 AWS seconds
    on (a clock check, no sleeping), so the wait ends after a known number of looks."""
    seen: list[str] = []

    def after(parsed: dict[str, Any], **_: Any) -> None:
        for config in parsed.get("ServiceConfigurations", []):
            seen.append(config["ServiceState"])
            if config["ServiceState"] == "Pending":
                _service_clock(config["ServiceId"])._plw_service_created_at -= 12

    aws.ec2.meta.events.register("after-call.ec2.DescribeVpcEndpointServiceConfigurations", after)
    return seen


def test_waits_while_the_service_is_pending(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    created: list[str] = []
    seen = _states_read(aws)
    with timing.scaled(timing.AWS_LIKE):
        info, _ = es.find_or_create_endpoint_service(
            aws, LINK, nlb_arn, on_created=created.append, patience=Patience(timeout=5, shortest=0)
        )
    assert info.state == "Available"
    assert created == [info.id]  # saved while it was still Pending
    # The sandbox's service is Pending for 30 AWS seconds: the engine looks at 0, 12, 24 and 36 s.
    assert seen == ["Pending", "Pending", "Pending", "Available"]


def test_a_slow_service_is_reported_as_a_timeout(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    with timing.scaled(timing.AWS_LIKE):
        with pytest.raises(UserError) as slow:
            es.find_or_create_endpoint_service(aws, LINK, nlb_arn, patience=Patience(timeout=0, shortest=0))
        # Nothing is lost: the next run finds the service and waits on.
        _service_clock(services(aws)[0]["ServiceId"])._plw_service_created_at -= 30
        again, created = es.find_or_create_endpoint_service(aws, LINK, nlb_arn)
    assert "still 'Pending'" in slow.value.what and slow.value.exit_code == 3
    assert (again.state, created) == ("Available", False)


def test_a_failed_service_is_reported(aws: AwsContext) -> None:
    # Stubber: the sandbox cannot make a service Failed, as AWS documents the state but not what
    # causes it; the point is that the wait stops at once and says so.
    with Stubber(aws.ec2) as stub:
        stub.add_response("describe_vpc_endpoint_service_configurations", _config("Failed"))
        with pytest.raises(UserError) as failed:
            es.wait_service_available(aws, "vpce-svc-0123456789abcdef0", Patience(timeout=5, shortest=0))
    assert "'Failed'" in failed.value.what


def test_the_service_reports_its_zone_ids(aws: AwsContext) -> None:
    nlb_arn = make_nlb(aws)
    by_name = {z["ZoneName"]: z["ZoneId"] for z in aws.ec2.describe_availability_zones()["AvailabilityZones"]}
    calls: list[str] = []
    aws.ec2.meta.events.register(
        "before-call.ec2.DescribeAvailabilityZones", lambda **_: calls.append("zones")
    )

    info, _ = es.find_or_create_endpoint_service(aws, LINK, nlb_arn)

    assert info.availability_zone_ids == tuple(by_name[z] for z in info.availability_zones)
    assert es.zone_ids(aws, info) == list(info.availability_zone_ids)
    assert calls == []  # no second look-up of what the service already says


def test_zone_ids_fall_back_to_the_zone_names(aws: AwsContext) -> None:
    # An endpoint that does not report AvailabilityZoneIds (older emulators): look the names up.
    by_name = {z["ZoneName"]: z["ZoneId"] for z in aws.ec2.describe_availability_zones()["AvailabilityZones"]}
    info = es.ServiceInfo("vpce-svc-1", "name", "Available", True, (), ("us-east-1b", "us-east-1a"))
    assert es.zone_ids(aws, info) == [by_name["us-east-1b"], by_name["us-east-1a"]]


def test_delete_endpoint_service_removes_it_and_tolerates_a_second_delete(aws: AwsContext) -> None:
    info, _ = es.find_or_create_endpoint_service(aws, LINK, make_nlb(aws))
    es.delete_endpoint_service(aws, info.id)
    es.delete_endpoint_service(aws, info.id)
    assert services(aws) == []


def test_the_step_records_the_zone_ids_the_service_reports(aws: AwsContext, seeded: Any) -> None:
    from tests.support.helpers import RIVERY
    from wizard import steps
    from wizard.aws import discovery
    from wizard.model import LinkPlan

    source = discovery.find_data_source(aws, seeded.orders_mysql)
    plan = LinkPlan(
        LINK, aws.region, source, 3306, discovery.default_subnets(aws, source), RIVERY, RIVERY.principal
    )
    link = steps.open_link(aws, plan, seeded.account_id)
    steps.NlbStep().apply(link)
    calls: list[str] = []
    aws.ec2.meta.events.register(
        "before-call.ec2.DescribeAvailabilityZones", lambda **_: calls.append("zones")
    )

    steps.EndpointServiceStep().apply(link)

    [config] = services(aws)
    assert link.record.az_ids == config["AvailabilityZoneIds"]
    assert len(link.record.az_ids) == 3 and calls == []
