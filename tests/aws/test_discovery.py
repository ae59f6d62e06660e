"""Discovery against moto: every kind of data source, the Aurora writer, subnets and zones."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from wizard.aws import discovery
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_BAD_INPUT, UserError
from wizard.model import SourceKind

REGION = "us-east-1"


@pytest.fixture
def aws(plain_aws: AwsContext) -> AwsContext:
    return plain_aws


@dataclass
class World:
    vpc_id: str
    subnets: dict[str, str]  # zone -> subnet id
    db_sg: str
    proxy_sg: str
    server_sg: str
    server_id: str
    server_ip: str
    terminated_id: str


def build_world(aws: AwsContext) -> World:
    ec2 = aws.ec2
    rds = aws.rds
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in (
            ("us-east-1a", "10.0.1.0/24"),
            ("us-east-1b", "10.0.2.0/24"),
            ("us-east-1c", "10.0.3.0/24"),
        )
    }
    db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    proxy_sg = ec2.create_security_group(GroupName="px", Description="px", VpcId=vpc_id)["GroupId"]
    server_sg = ec2.create_security_group(GroupName="srv", Description="srv", VpcId=vpc_id)["GroupId"]
    rds.create_db_subnet_group(
        DBSubnetGroupName="db-ab",
        DBSubnetGroupDescription="a and b",
        SubnetIds=[subnets["us-east-1a"], subnets["us-east-1b"]],
    )
    common: dict[str, Any] = {"DBSubnetGroupName": "db-ab", "VpcSecurityGroupIds": [db_sg]}
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        AvailabilityZone="us-east-1a",
        **common,
    )
    rds.create_db_cluster(
        DBClusterIdentifier="reports",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        **common,
    )
    # The writer lives in zone b, the reader in zone a: the source must follow the writer.
    rds.create_db_instance(
        DBInstanceIdentifier="reports-writer",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r5.large",
        DBClusterIdentifier="reports",
        AvailabilityZone="us-east-1b",
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="reports-reader",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r5.large",
        DBClusterIdentifier="reports",
        AvailabilityZone="us-east-1a",
        **common,
    )
    rds.create_db_proxy(
        DBProxyName="pool",
        EngineFamily="POSTGRESQL",
        Auth=[{"AuthScheme": "SECRETS", "SecretArn": f"arn:aws:secretsmanager:{REGION}:1:secret:x"}],
        RoleArn="arn:aws:iam::123456789012:role/proxy",
        VpcSubnetIds=[subnets["us-east-1a"], subnets["us-east-1c"]],
        VpcSecurityGroupIds=[proxy_sg],
    )
    server = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets["us-east-1c"],
        SecurityGroupIds=[server_sg],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "bastion"}]}],
    )["Instances"][0]
    gone = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnets["us-east-1a"])[
        "Instances"
    ][0]
    ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])
    return World(
        vpc_id,
        subnets,
        db_sg,
        proxy_sg,
        server_sg,
        server["InstanceId"],
        server["PrivateIpAddress"],
        gone["InstanceId"],
    )


@pytest.fixture
def world(aws: AwsContext) -> World:
    return build_world(aws)


def test_lists_each_kind_once_and_no_aurora_members(aws: AwsContext, world: World) -> None:
    sources = discovery.list_data_sources(aws)
    kinds = [(s.kind, s.id) for s in sources]
    assert kinds == [
        (SourceKind.RDS_INSTANCE, "orders"),
        (SourceKind.AURORA_CLUSTER, "reports"),
        (SourceKind.RDS_PROXY, "pool"),
        (SourceKind.EC2_INSTANCE, world.server_id),
    ]


def test_rds_instance_has_its_network_and_port(aws: AwsContext, world: World) -> None:
    orders = discovery.find_data_source(aws, "orders")
    assert orders.engine == "mysql"
    assert orders.port == 3306
    assert orders.vpc_id == world.vpc_id
    assert set(orders.subnet_ids) == {world.subnets["us-east-1a"], world.subnets["us-east-1b"]}
    assert orders.availability_zones == ("us-east-1a",)
    assert orders.security_group_ids == (world.db_sg,)
    assert orders.endpoint_address.startswith("orders.")
    assert orders.parameter_group.startswith("default.mysql")


def test_aurora_cluster_follows_the_writer_not_the_reader(aws: AwsContext, world: World) -> None:
    reports = discovery.find_data_source(aws, "reports")
    assert reports.kind is SourceKind.AURORA_CLUSTER
    assert reports.writer_instance_id == "reports-writer"
    assert reports.rds_instance_id == "reports-writer"
    assert reports.availability_zones == ("us-east-1b",)
    assert reports.port == 5432
    assert reports.vpc_id == world.vpc_id
    assert reports.security_group_ids == (world.db_sg,)
    assert reports.parameter_group.startswith("default.aurora-postgresql")
    assert reports.endpoint_address.startswith("reports.cluster-")


def test_proxy_port_and_engine_come_from_the_engine_family(aws: AwsContext, world: World) -> None:
    pool = discovery.find_data_source(aws, "pool")
    assert pool.kind is SourceKind.RDS_PROXY
    assert (pool.engine, pool.port) == ("postgres", 5432)
    assert pool.vpc_id == world.vpc_id
    assert pool.subnet_ids == (world.subnets["us-east-1a"], world.subnets["us-east-1c"])
    assert pool.availability_zones == ("us-east-1a", "us-east-1c")
    assert pool.security_group_ids == (world.proxy_sg,)
    assert pool.endpoint_address.startswith("pool.")


def test_ec2_server_has_name_ip_and_zone_and_terminated_ones_are_left_out(
    aws: AwsContext, world: World
) -> None:
    server = discovery.find_data_source(aws, world.server_id)
    assert server.name == "bastion"
    assert server.endpoint_address == world.server_ip
    assert server.vpc_id == world.vpc_id
    assert server.subnet_ids == (world.subnets["us-east-1c"],)
    assert server.availability_zones == ("us-east-1c",)
    assert server.security_group_ids == (world.server_sg,)
    assert server.port is None
    ids = {s.id for s in discovery.list_data_sources(aws)}
    assert world.terminated_id not in ids


def test_rds_ids_match_whatever_the_case(aws: AwsContext, world: World) -> None:
    assert discovery.find_data_source(aws, "ORDERS").id == "orders"


def test_not_found_names_the_region_and_what_exists(aws: AwsContext, world: World) -> None:
    with pytest.raises(UserError) as caught:
        discovery.find_data_source(aws, "billing")
    error = caught.value
    assert error.exit_code == EXIT_BAD_INPUT
    assert "'billing' was not found in region us-east-1" in error.what
    for existing in ("orders", "reports", "pool", world.server_id):
        assert existing in error.fix


def test_not_found_lists_at_most_ten_ids(aws: AwsContext, world: World) -> None:
    rds = aws.rds
    for n in range(12):
        rds.create_db_instance(
            DBInstanceIdentifier=f"extra-{n:02d}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            MasterUsername="admin",
            MasterUserPassword="password123",
            AllocatedStorage=20,
            DBSubnetGroupName="db-ab",
        )
    with pytest.raises(UserError) as caught:
        discovery.find_data_source(aws, "billing")
    listed = caught.value.fix.split(": ", 1)[1]
    assert listed.count(", ") == 9
    assert "(and 6 more)" in listed


def test_empty_region_says_so(aws: AwsContext) -> None:
    with pytest.raises(UserError) as caught:
        discovery.find_data_source(aws, "orders")
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "region" in caught.value.fix


def test_unsupported_listing_is_skipped_not_fatal(aws: AwsContext, world: World) -> None:
    # moto raises NotImplementedError in-process for the calls it lacks; simulate one for proxies.
    def unsupported(**_: Any) -> None:
        raise NotImplementedError("The describe_db_proxies action has not been implemented")

    aws.rds.meta.events.register("before-call.rds.DescribeDBProxies", unsupported)
    skipped: list[str] = []
    try:
        sources = discovery.list_data_sources(aws, skipped=skipped)
    finally:
        aws.rds.meta.events.unregister("before-call.rds.DescribeDBProxies", unsupported)
    assert [s.id for s in sources] == ["orders", "reports", world.server_id]
    assert skipped == ["RDS Proxies could not be listed: this AWS endpoint does not support it."]


def test_server_errors_count_as_unsupported_but_access_denied_does_not() -> None:
    # moto's server answers an unimplemented call with HTTP 500.
    server = ClientError(
        {
            "Error": {"Code": "InternalFailure", "Message": "not implemented"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        },
        "DescribeDBProxies",
    )
    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 403}},
        "DescribeDBProxies",
    )
    assert discovery._is_unsupported(server)
    assert not discovery._is_unsupported(denied)


def test_access_denied_names_the_permission(aws: AwsContext) -> None:
    # Stubber rather than moto's IAM enforcement: the point is that a refusal on a kind that
    # would be skipped when unsupported still stops the listing, naming the IAM action.
    with Stubber(aws.rds) as stub:
        stub.add_response("describe_db_instances", {"DBInstances": []})
        stub.add_response("describe_db_clusters", {"DBClusters": []})
        stub.add_client_error(
            "describe_db_proxies",
            service_error_code="AccessDenied",
            service_message="User: arn:aws:iam::123456789012:user/dba is not authorized to "
            "perform: rds:DescribeDBProxies on resource: *",
            http_status_code=403,
        )
        with pytest.raises(UserError) as caught:
            discovery.list_data_sources(aws)
    assert caught.value.permission == "rds:DescribeDBProxies"
    assert "rds:DescribeDBProxies" in caught.value.fix


def test_list_subnets_has_zone_names_and_ids(aws: AwsContext, world: World) -> None:
    subnets = discovery.list_subnets(aws, world.vpc_id)
    zones = aws.ec2.describe_availability_zones()["AvailabilityZones"]
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in zones}
    assert [(s.availability_zone, s.subnet_id) for s in subnets] == sorted(
        (zone, subnet) for zone, subnet in world.subnets.items()
    )
    for subnet in subnets:
        assert subnet.vpc_id == world.vpc_id
        assert subnet.availability_zone_id == zone_ids[subnet.availability_zone]
    assert {s.cidr_block for s in subnets} == {"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}


def test_default_subnets_cover_the_sources_zones(aws: AwsContext, world: World) -> None:
    orders = discovery.find_data_source(aws, "orders")
    assert discovery.default_subnets(aws, orders) == (
        world.subnets["us-east-1a"],
        world.subnets["us-east-1b"],
    )


def test_default_subnets_prefer_the_sources_own_subnet(aws: AwsContext, world: World) -> None:
    ec2 = aws.ec2
    extra = [
        ec2.create_subnet(VpcId=world.vpc_id, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone="us-east-1a")[
            "Subnet"
        ]["SubnetId"]
        for n in (11, 12, 13)
    ]
    in_zone_a = sorted([world.subnets["us-east-1a"], *extra])
    orders = discovery.find_data_source(aws, "orders")
    # Pretend the database lives in the highest-numbered subnet of zone a: it must still win.
    source = replace(orders, subnet_ids=(in_zone_a[-1], world.subnets["us-east-1b"]))
    assert discovery.default_subnets(aws, source) == (in_zone_a[-1], world.subnets["us-east-1b"])


def test_default_subnets_fall_back_to_every_zone_of_the_vpc(aws: AwsContext, world: World) -> None:
    ec2 = aws.ec2
    second_a = ec2.create_subnet(VpcId=world.vpc_id, CidrBlock="10.0.21.0/24", AvailabilityZone="us-east-1a")[
        "Subnet"
    ]["SubnetId"]
    orders = discovery.find_data_source(aws, "orders")
    chosen = discovery.default_subnets(aws, replace(orders, subnet_ids=()))
    assert chosen == (
        min(world.subnets["us-east-1a"], second_a),
        world.subnets["us-east-1b"],
        world.subnets["us-east-1c"],
    )
    assert discovery.default_subnets(aws, replace(orders, subnet_ids=())) == chosen


def test_a_single_zone_source_gets_every_zone_of_the_vpc(aws: AwsContext, world: World) -> None:
    # An EC2 server lives in one subnet; an NLB in one zone would limit the platform to that zone.
    orders = discovery.find_data_source(aws, "orders")
    source = replace(orders, subnet_ids=(world.subnets["us-east-1b"],))
    chosen = discovery.default_subnets(aws, source)
    assert chosen == (world.subnets["us-east-1a"], world.subnets["us-east-1b"], world.subnets["us-east-1c"])


def test_az_ids_keep_the_order_asked(aws: AwsContext) -> None:
    zones = aws.ec2.describe_availability_zones()["AvailabilityZones"]
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in zones}
    assert discovery.az_ids(aws, ["us-east-1c", "us-east-1a"]) == [
        zone_ids["us-east-1c"],
        zone_ids["us-east-1a"],
    ]
    assert discovery.az_ids(aws, []) == []


def test_a_multi_az_db_cluster_is_its_own_kind_and_targets_its_writer(aws: AwsContext, world: World) -> None:
    rds = aws.rds
    rds.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="postgres",
        EngineVersion="16.3",
        DBClusterInstanceClass="db.m6gd.large",
        AllocatedStorage=100,
        StorageType="io1",
        Iops=1000,
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName="db-ab",
        VpcSecurityGroupIds=[world.db_sg],
    )
    # A writer and two readable standbys; the first instance added is the writer.
    for instance_id, zone in (
        ("ledger-1", "us-east-1b"),
        ("ledger-2", "us-east-1a"),
        ("ledger-3", "us-east-1a"),
    ):
        rds.create_db_instance(
            DBInstanceIdentifier=instance_id,
            DBClusterIdentifier="ledger",
            Engine="postgres",
            DBInstanceClass="db.m6gd.large",
            AvailabilityZone=zone,
            DBSubnetGroupName="db-ab",
        )

    ledger = discovery.find_data_source(aws, "ledger")

    assert ledger.kind is SourceKind.MULTI_AZ_CLUSTER
    assert ledger.kind.label == "Multi-AZ DB cluster"
    assert (ledger.writer_instance_id, ledger.rds_instance_id) == ("ledger-1", "ledger-1")
    assert (ledger.engine, ledger.port, ledger.availability_zones) == ("postgres", 5432, ("us-east-1b",))
    assert ledger.vpc_id == world.vpc_id
    assert "writer instance (ledger-1)" in ledger.describe_target()
    kinds = [
        (s.kind, s.id) for s in discovery.list_data_sources(aws) if s.kind is not SourceKind.EC2_INSTANCE
    ]
    assert kinds == [
        (SourceKind.RDS_INSTANCE, "orders"),
        (SourceKind.MULTI_AZ_CLUSTER, "ledger"),
        (SourceKind.AURORA_CLUSTER, "reports"),
        (SourceKind.RDS_PROXY, "pool"),
    ]


def test_neptune_clusters_are_left_out(aws: AwsContext, world: World) -> None:
    aws.rds.create_db_cluster(
        DBClusterIdentifier="graph",
        Engine="neptune",
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName="db-ab",
    )
    aws.rds.create_db_instance(
        DBInstanceIdentifier="graph-1",
        DBClusterIdentifier="graph",
        Engine="neptune",
        DBInstanceClass="db.r5.large",
        DBSubnetGroupName="db-ab",
    )
    ids = {s.id for s in discovery.list_data_sources(aws)}
    assert {"graph", "graph-1"}.isdisjoint(ids)
    assert "reports" in ids


def test_documentdb_clusters_are_left_out(aws: AwsContext) -> None:
    # Stubber: moto 5.2 refuses to create a cluster with engine docdb, which AWS's RDS API lists.
    docdb = {"DBClusterIdentifier": "docs", "Engine": "docdb", "DBClusterMembers": [], "Port": 27017}
    with Stubber(aws.rds) as stub:
        stub.add_response("describe_db_instances", {"DBInstances": []})
        stub.add_response("describe_db_clusters", {"DBClusters": [docdb]})
        stub.add_response("describe_db_proxies", {"DBProxies": []})
        sources = discovery.list_data_sources(aws)
    assert sources == []
