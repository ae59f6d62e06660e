"""Troubleshooting: each failure the procedure knows, injected into the in-process sandbox, gives
its plain-language finding; where the wizard has a fix, the fix works and the finding goes away."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest

from tests.support.helpers import RIVERY, alter_response, build_link, finding, status_of, titles
from wizard import diagnostics
from wizard.aws import discovery, network, nlb
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext, Credentials, make_context
from wizard.cli import main
from wizard.model import link_tags
from wizard.sandbox.seed import RDS_ENI_DESCRIPTION, SampleAccount
from wizard.state import RecordStore


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's RDS hostnames never resolve; answering "no address" at once keeps the ENI path
    # (the one real accounts without DNS take) and the tests fast.
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])


def _unhealthy(reason: str, description: str) -> Any:
    def change(parsed: dict[str, Any]) -> None:
        for desc in parsed.get("TargetHealthDescriptions", []):
            desc["TargetHealth"] = {"State": "unhealthy", "Reason": reason, "Description": description}

    return change


def test_security_group_not_allowing_the_nlb_is_found_and_fixed(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.orders_mysql)
    status = status_of(aws)
    assert status.nlb is not None
    [nlb_group] = status.nlb.security_group_ids
    sg = finding(status, "The database's firewall lets the load balancer in on port 3306")
    assert sg.severity == "problem" and sg.fix_key == "security-group"
    assert seeded.orders_mysql_sg in sg.why and f"the load balancer's security group {nlb_group}" in sg.why
    assert not status.healthy

    message = diagnostics.apply_fix(aws, status, "security-group", RIVERY, RecordStore())

    assert message.startswith("Added an inbound rule on port 3306 to the database's security group")
    assert message.endswith(f"for the load balancer's security group {nlb_group}.")
    assert not any(t.startswith("The database's firewall") for t in titles(status_of(aws)))


def test_an_older_link_without_a_load_balancer_security_group_is_explained_not_migrated(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    # A link made before load balancers got their own group: the NLB has none and never can.
    aws.elbv2.create_load_balancer(
        Name="orders",
        Subnets=list(seeded.subnet_ids),
        Scheme="internal",
        Type="network",
        Tags=link_tags("orders"),
    )
    build_link(aws, seeded.orders_mysql)
    status = status_of(aws)
    assert status.nlb is not None and status.nlb.security_group_ids == ()
    sg = finding(status, "The database's firewall lets the load balancer in on port 3306")
    assert "10.20.1.0/24" in sg.why

    message = diagnostics.apply_fix(aws, status, "security-group", RIVERY, RecordStore())

    assert "Added 3 inbound rule(s) on port 3306" in message
    fixed = status_of(aws)
    older = finding(fixed, "The database's firewall admits the load balancer's whole subnets")
    assert older.severity == "ok" and older.fix_key == ""
    assert "any computer in those subnets can reach the database on port 3306" in older.why
    assert "A link set up now gets a security group for its load balancer" in older.why
    assert not any(f.severity == "problem" and "firewall" in f.title for f in fixed.findings)


def test_unhealthy_target_names_the_security_group_then_the_database(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    # moto reports every target healthy: the answer to DescribeTargetHealth is edited instead.
    build_link(aws, seeded.orders_mysql)
    alter_response(
        aws.elbv2,
        "DescribeTargetHealth",
        _unhealthy("Target.Timeout", "Request timed out"),
    )
    status = status_of(aws)
    target = finding(status, "Target 10.20.1.10:3306 fails the health checks")
    assert "security group does not let the load balancer in on port 3306" in target.why
    assert target.fix_key == "security-group"
    assert "10.20.1.10:3306 — unhealthy (Target.Timeout: Request timed out)" in status.text()

    diagnostics.apply_fix(aws, status, "security-group", RIVERY, RecordStore())
    still = finding(status_of(aws), "Target 10.20.1.10:3306 fails the health checks")
    assert "cannot open a TCP connection" in still.why and "AWS says: Request timed out" in still.why
    assert still.fix_key == ""


def test_nlb_security_group_enforcement_is_found(aws: AwsContext, seeded: SampleAccount) -> None:
    # Someone turned enforcement back on in the console (the sandbox models the setting).
    link = build_link(aws, seeded.orders_mysql)
    groups = list(nlb.describe_nlb(aws, link.record.nlb_arn).security_group_ids)
    aws.elbv2.set_security_groups(
        LoadBalancerArn=link.record.nlb_arn,
        SecurityGroups=groups,
        EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="on",
    )
    found = finding(status_of(aws), "The load balancer lets PrivateLink traffic through")
    assert found.severity == "problem" and found.fix_key == "nlb-sg-enforcement"
    assert "applies them to PrivateLink traffic" in found.why
    assert "Enforce inbound rules on PrivateLink traffic" in found.fix


def test_stale_rds_ip_after_failover_is_found_and_refreshed(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    [old] = seeded.enis_of(seeded.orders_mysql)
    # A failover: RDS gives the database a new network interface, with a new address.
    aws.ec2.delete_network_interface(NetworkInterfaceId=old.eni_id)
    aws.ec2.create_network_interface(
        SubnetId=old.subnet_id,
        Description=RDS_ENI_DESCRIPTION,
        Groups=[seeded.orders_mysql_sg],
        PrivateIpAddress="10.20.1.77",
    )
    status = status_of(aws)
    stale = finding(status, "The registered IP addresses are out of date")
    assert "now uses 10.20.1.77" in stale.why and "points at 10.20.1.10" in stale.why
    assert stale.fix_key == "refresh-targets"

    message = diagnostics.apply_fix(aws, status, "refresh-targets", RIVERY, RecordStore())

    assert "registered 10.20.1.77" in message and "removed 10.20.1.10" in message
    live = {t.target_id for t in tg.target_health(aws, link.record.target_group_arn) if t.state == "healthy"}
    assert live == {"10.20.1.77"}
    assert "The registered IP addresses are out of date" not in titles(status_of(aws))


def test_stopped_ec2_instance_is_found(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.tunnel_instance_id, name="tunnel", port=22)
    aws.ec2.stop_instances(InstanceIds=[seeded.tunnel_instance_id])
    status = status_of(aws, "tunnel")
    stopped = finding(status, f"The server {seeded.tunnel_instance_id} is stopp")
    assert stopped.severity == "problem"
    assert "cannot answer the load balancer's health checks" in stopped.why
    assert "Start the instance" in stopped.fix


def test_service_in_one_zone_shows_the_zone_ids(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.orders_mysql, subnet_ids=(seeded.subnet_ids[0],))
    [zone_id] = discovery.az_ids(aws, [seeded.availability_zones[0]])
    found = finding(status_of(aws), "The service is only in 1 availability zone")
    assert zone_id in found.title and zone_id in found.fix
    assert "zone IDs (use1-az1) do not" in found.why


def test_database_outside_the_load_balancers_zones_is_a_problem(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    # orders-mysql lives in zone a; the load balancer only in zone b. AWS reports the target
    # unused whatever the cross-zone setting: one finding, advising a subnet in zone a.
    build_link(aws, seeded.orders_mysql, subnet_ids=(seeded.subnet_ids[1],), cross_zone=True)
    status = status_of(aws)
    found = finding(status, "The database is in a zone the load balancer does not serve")
    assert seeded.availability_zones[0] in found.why and seeded.availability_zones[1] in found.why
    assert "subnet in the database's zone" in found.fix and "does not help" in found.fix
    assert not [t for t in titles(status) if t.startswith("Target ") and "zone" in t]


def test_missing_principal_means_service_not_found_and_is_fixed(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    link = build_link(aws, seeded.analytics_pg)
    aws.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=link.record.endpoint_service_id, RemoveAllowedPrincipals=[RIVERY.principal]
    )
    status = status_of(aws)
    missing = finding(status, "Rivery's principal is not allowed")
    assert "'service not found'" in missing.why and RIVERY.principal in missing.why
    assert missing.fix_key == "allow-principal"

    diagnostics.apply_fix(aws, status, "allow-principal", RIVERY, RecordStore())

    assert status_of(aws).principals == [RIVERY.principal]


def test_pending_connection_is_found_and_accepted(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.analytics_pg)
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": RIVERY.account_id}):
        consumer = make_context(Credentials(), aws.region)
        vpc = consumer.ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        subnet = consumer.ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
        endpoint = consumer.ec2.create_vpc_endpoint(
            VpcEndpointType="Interface",
            VpcId=vpc,
            ServiceName=link.record.service_name,
            SubnetIds=[subnet],
        )["VpcEndpoint"]["VpcEndpointId"]
    status = status_of(aws)
    waiting = finding(status, f"Connection {endpoint} from {RIVERY.account_id} is waiting for acceptance")
    assert waiting.severity == "problem" and waiting.fix_key == "accept-connection"

    assert (
        diagnostics.apply_fix(aws, status, "accept-connection", RIVERY, RecordStore())
        == f"Accepted {endpoint}."
    )

    after = status_of(aws)
    assert [(c.endpoint_id, c.state) for c in after.connections] == [(endpoint, "available")]
    assert after.record is not None and after.record.accepted_endpoint_ids == [endpoint]
    assert not any("waiting for acceptance" in t for t in titles(after))


def test_skip_name_resolve_off_is_found(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.orders_mysql)
    found = finding(status_of(aws), "MySQL does not look up host names")
    assert found.fix_key == "skip-name-resolve"
    assert "default.mysql8.0" in found.why and "custom group" in found.why


def test_rds_proxy_for_postgresql_warns_about_cdc(aws: AwsContext, seeded: SampleAccount) -> None:
    # The seed's proxy is MySQL; a PostgreSQL one is added here the way AWS builds it (one
    # interface per subnet, described with the proxy's name).
    account = seeded.account_id
    aws.rds.create_db_proxy(
        DBProxyName="analytics-proxy",
        EngineFamily="POSTGRESQL",
        Auth=[
            {
                "AuthScheme": "SECRETS",
                "SecretArn": f"arn:aws:secretsmanager:{aws.region}:{account}:secret:analytics-AbCdEf",
                "IAMAuth": "DISABLED",
            }
        ],
        RoleArn=f"arn:aws:iam::{account}:role/analytics-proxy-secrets",
        VpcSubnetIds=list(seeded.subnet_ids),
        VpcSecurityGroupIds=[seeded.analytics_pg_sg],
    )
    aws.rds.register_db_proxy_targets(
        DBProxyName="analytics-proxy", TargetGroupName="default", DBInstanceIdentifiers=[seeded.analytics_pg]
    )
    for subnet_id, ip in zip(seeded.subnet_ids, ("10.20.1.50", "10.20.2.50", "10.20.3.50"), strict=True):
        aws.ec2.create_network_interface(
            SubnetId=subnet_id,
            Description="Network interface for DBProxy analytics-proxy",
            Groups=[seeded.analytics_pg_sg],
            PrivateIpAddress=ip,
        )
    build_link(aws, "analytics-proxy", name="analytics-proxy")
    status = status_of(aws, "analytics-proxy")
    cdc = finding(status, "RDS Proxy does not carry PostgreSQL change data capture")
    assert cdc.severity == "warning" and "analytics-proxy" in cdc.why
    assert "database instance itself" in cdc.fix
    assert {t.target_id for t in status.targets} == {"10.20.1.50", "10.20.2.50", "10.20.3.50"}


def test_every_fix_key_diagnose_offers_is_applied(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.orders_mysql)
    status = status_of(aws)
    offered = {f.fix_key for f in status.findings if f.fix_key}
    assert offered == {"security-group", "skip-name-resolve", "max-connect-errors"}
    for key in diagnostics.FIX_KEYS:
        assert diagnostics.apply_fix(aws, status, key, RIVERY, RecordStore()), key
    assert not {f.fix_key for f in status_of(aws).findings if f.fix_key and f.severity == "problem"}
    with pytest.raises(Exception, match="no automatic fix called 'reboot-everything'"):
        diagnostics.apply_fix(aws, status, "reboot-everything", RIVERY, RecordStore())


def test_status_command_prints_the_same_findings(
    aws: AwsContext, seeded: SampleAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    build_link(aws, seeded.orders_mysql)
    expected = status_of(aws)
    capsys.readouterr()

    code = main(["status", "--region", aws.region, "--name", "orders"])

    out = capsys.readouterr().out
    assert code == 1  # a problem is found
    for f in expected.findings:
        assert f.title in out
        if f.fix:
            assert f"Fix: {f.fix}" in out
