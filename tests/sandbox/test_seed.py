"""The sample account the sandbox seeds: what real AWS would show for it."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from wizard.aws.session import AwsContext
from wizard.sandbox.seed import APP_CIDR, SampleAccount


@pytest.fixture
def sample(seeded: SampleAccount) -> SampleAccount:
    return seeded


def db(aws: AwsContext, instance_id: str) -> dict[str, Any]:
    result: dict[str, Any] = aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]
    return result


def test_network(aws: AwsContext, sample: SampleAccount) -> None:
    [vpc] = aws.ec2.describe_vpcs(VpcIds=[sample.vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == "10.20.0.0/16"
    assert {"Key": "Name", "Value": "prod-vpc"} in vpc["Tags"]
    subnets = aws.ec2.describe_subnets(SubnetIds=list(sample.subnet_ids))["Subnets"]
    by_id = {s["SubnetId"]: s for s in subnets}
    assert [by_id[s]["AvailabilityZone"] for s in sample.subnet_ids] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
    network = ipaddress.IPv4Network(sample.vpc_cidr)
    for subnet in subnets:
        assert subnet["VpcId"] == sample.vpc_id
        assert subnet["MapPublicIpOnLaunch"] is False
        assert ipaddress.IPv4Network(subnet["CidrBlock"]).subnet_of(network)


def test_mysql_on_the_default_parameter_group(aws: AwsContext, sample: SampleAccount) -> None:
    mysql = db(aws, "orders-mysql")
    assert mysql["Engine"] == "mysql"
    assert mysql["EngineVersion"].startswith("8.0")
    assert mysql["Endpoint"]["Port"] == 3306
    assert [g["DBParameterGroupName"] for g in mysql["DBParameterGroups"]] == ["default.mysql8.0"]
    assert mysql["AvailabilityZone"] == "us-east-1a"
    assert mysql["DBSubnetGroup"]["VpcId"] == sample.vpc_id
    assert [g["VpcSecurityGroupId"] for g in mysql["VpcSecurityGroups"]] == [sample.orders_mysql_sg]
    assert mysql["PubliclyAccessible"] is False


def test_postgres_on_a_custom_parameter_group(aws: AwsContext, sample: SampleAccount) -> None:
    pg = db(aws, "analytics-pg")
    assert pg["Engine"] == "postgres"
    assert pg["Endpoint"]["Port"] == 5432
    assert [g["DBParameterGroupName"] for g in pg["DBParameterGroups"]] == ["analytics-pg16"]
    [group] = aws.rds.describe_db_parameter_groups(DBParameterGroupName="analytics-pg16")["DBParameterGroups"]
    assert group["DBParameterGroupFamily"] == "postgres16"
    assert sample.analytics_pg_parameter_group == "analytics-pg16"


def test_aurora_writer_and_reader(aws: AwsContext, sample: SampleAccount) -> None:
    [cluster] = aws.rds.describe_db_clusters(DBClusterIdentifier="reports-aurora")["DBClusters"]
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["Port"] == 5432
    members = {m["DBInstanceIdentifier"]: m["IsClusterWriter"] for m in cluster["DBClusterMembers"]}
    assert members == {"reports-aurora-1": True, "reports-aurora-2": False}
    assert db(aws, "reports-aurora-1")["AvailabilityZone"] == "us-east-1a"
    assert db(aws, "reports-aurora-2")["AvailabilityZone"] == "us-east-1b"
    assert db(aws, "reports-aurora-1")["DBClusterIdentifier"] == "reports-aurora"
    assert (sample.reports_writer, sample.reports_reader) == ("reports-aurora-1", "reports-aurora-2")


def test_rds_proxy(aws: AwsContext, sample: SampleAccount) -> None:
    [proxy] = aws.rds.describe_db_proxies(DBProxyName="orders-proxy")["DBProxies"]
    assert proxy["EngineFamily"] == "MYSQL"
    assert proxy["VpcId"] == sample.vpc_id
    assert proxy["VpcSecurityGroupIds"] == [sample.orders_proxy_sg]
    assert proxy["DBProxyArn"] == sample.orders_proxy_arn
    targets = aws.rds.describe_db_proxy_targets(DBProxyName="orders-proxy")["Targets"]
    assert [t["RdsResourceId"] for t in targets] == ["orders-mysql"]


def test_rds_network_interfaces_look_like_aws(aws: AwsContext, sample: SampleAccount) -> None:
    enis = aws.ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": ["RDSNetworkInterface"]}]
    )["NetworkInterfaces"]
    assert len(enis) == 4
    for instance_id in ("orders-mysql", "analytics-pg", "reports-aurora-1", "reports-aurora-2"):
        instance = db(aws, instance_id)
        [seeded] = sample.enis_of(instance_id)
        [eni] = [e for e in enis if e["NetworkInterfaceId"] == seeded.eni_id]
        assert eni["PrivateIpAddress"] == seeded.private_ip
        assert eni["AvailabilityZone"] == instance["AvailabilityZone"]
        assert eni["SubnetId"] in {s["SubnetIdentifier"] for s in instance["DBSubnetGroup"]["Subnets"]}
        assert [g["GroupId"] for g in eni["Groups"]] == [
            g["VpcSecurityGroupId"] for g in instance["VpcSecurityGroups"]
        ]
        assert eni["VpcId"] == sample.vpc_id
    proxy_enis = aws.ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": ["Network interface for DBProxy orders-proxy"]}]
    )["NetworkInterfaces"]
    assert {e["SubnetId"] for e in proxy_enis} == set(sample.subnet_ids)
    assert {e["NetworkInterfaceId"] for e in proxy_enis} == {e.eni_id for e in sample.enis_of("orders-proxy")}
    assert len({e.private_ip for e in sample.enis}) == len(sample.enis)


def ingress(aws: AwsContext, group_id: str) -> list[dict[str, Any]]:
    [group] = aws.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    rules: list[dict[str, Any]] = group["IpPermissions"]
    return rules


def test_database_firewalls_do_not_yet_allow_a_load_balancer(aws: AwsContext, sample: SampleAccount) -> None:
    subnet_networks = [
        ipaddress.ip_network(s["CidrBlock"])
        for s in aws.ec2.describe_subnets(SubnetIds=list(sample.subnet_ids))["Subnets"]
    ]
    for group_id, port in (
        (sample.orders_mysql_sg, 3306),
        (sample.analytics_pg_sg, 5432),
        (sample.reports_aurora_sg, 5432),
        (sample.orders_proxy_sg, 3306),
    ):
        rules = ingress(aws, group_id)
        assert [(r["FromPort"], r["ToPort"]) for r in rules] == [(port, port)]
        cidrs = [ipaddress.ip_network(r["CidrIp"]) for r in rules[0]["IpRanges"]]
        assert cidrs == [ipaddress.ip_network(APP_CIDR)]
        assert not any(c.overlaps(s) for c in cidrs for s in subnet_networks)
        assert [p["GroupId"] for p in rules[0]["UserIdGroupPairs"]] == [sample.tunnel_sg]


def test_ssh_tunnel_host(aws: AwsContext, sample: SampleAccount) -> None:
    reservations = aws.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["ssh-tunnel"]}])[
        "Reservations"
    ]
    [instance] = [i for r in reservations for i in r["Instances"]]
    assert instance["InstanceId"] == sample.tunnel_instance_id
    assert instance["InstanceType"] == "t3.micro"
    assert instance["State"]["Name"] == "running"
    assert instance["SubnetId"] == sample.subnet_ids[0]
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [sample.tunnel_sg]
    assert [(r["FromPort"], r["ToPort"]) for r in ingress(aws, sample.tunnel_sg)] == [(22, 22)]


def test_legacy_nlb_is_untagged_and_in_the_vpc(aws: AwsContext, sample: SampleAccount) -> None:
    [lb] = aws.elbv2.describe_load_balancers(Names=["legacy-nlb"])["LoadBalancers"]
    assert lb["LoadBalancerArn"] == sample.legacy_nlb_arn
    assert lb["Type"] == "network"
    assert lb["Scheme"] == "internal"
    assert lb["VpcId"] == sample.vpc_id
    [tags] = aws.elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"]
    assert tags["Tags"] == []


def test_sample_account_ids(sample: SampleAccount) -> None:
    assert sample.account_id == "123456789012"
    assert sample.region == "us-east-1"
    assert sample.security_group_of("reports-aurora-1") == sample.reports_aurora_sg
    assert sample.security_group_of(sample.tunnel_instance_id) == sample.tunnel_sg
    with pytest.raises(KeyError):
        sample.security_group_of("no-such-source")


def test_seeds_without_moto_s_image_catalogue(aws: AwsContext, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.sandbox.seed import seed_sample_account

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    sample = seed_sample_account(aws)
    [reservation] = aws.ec2.describe_instances(InstanceIds=[sample.tunnel_instance_id])["Reservations"]
    image_id = reservation["Instances"][0]["ImageId"]
    [image] = aws.ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["Name"].startswith("amzn2-ami-hvm")
