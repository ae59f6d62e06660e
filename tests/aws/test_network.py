"""Private IP lookup, the database's security group check and fix, and NLB SG enforcement."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any

import pytest
from botocore.stub import Stubber

from wizard.aws import discovery, network
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, DataSource, SourceKind

REGION = "us-east-1"
LINK = "orders-link"


@pytest.fixture
def aws(plain_aws: AwsContext) -> AwsContext:
    return plain_aws


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Fake DNS: moto's hostnames never resolve, and tests must not touch the network."""
    answers: dict[str, list[str]] = {}
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: answers.get(host, []))
    return answers


@dataclass
class World:
    vpc_id: str
    subnets: dict[str, str]  # zone -> subnet id
    db_sg: str
    aurora_sg: str
    other_sg: str


def _eni(ec2: Any, subnet: str, groups: list[str], ip: str, description: str) -> None:
    ec2.create_network_interface(SubnetId=subnet, Groups=groups, PrivateIpAddress=ip, Description=description)


@pytest.fixture
def world(aws: AwsContext, dns: dict[str, list[str]]) -> World:
    ec2 = aws.ec2
    rds = aws.rds
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in (("us-east-1a", "10.0.1.0/24"), ("us-east-1b", "10.0.2.0/24"))
    }
    sg = {
        name: ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
        for name in ("db", "aurora", "other")
    }
    rds.create_db_subnet_group(
        DBSubnetGroupName="ab", DBSubnetGroupDescription="ab", SubnetIds=list(subnets.values())
    )
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        DBSubnetGroupName="ab",
        VpcSecurityGroupIds=[sg["db"]],
        AvailabilityZone="us-east-1a",
    )
    rds.create_db_cluster(
        DBClusterIdentifier="reports",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName="ab",
        VpcSecurityGroupIds=[sg["aurora"]],
    )
    for name, zone in (("reports-writer", "us-east-1b"), ("reports-reader", "us-east-1a")):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine="aurora-mysql",
            DBInstanceClass="db.r5.large",
            DBClusterIdentifier="reports",
            DBSubnetGroupName="ab",
            VpcSecurityGroupIds=[sg["aurora"]],
            AvailabilityZone=zone,
        )
    # What real AWS has and moto lacks: one requester-managed interface per database instance,
    # described "RDSNetworkInterface", with nothing naming the instance.
    _eni(ec2, subnets["us-east-1a"], [sg["db"]], "10.0.1.50", "RDSNetworkInterface")
    _eni(ec2, subnets["us-east-1b"], [sg["aurora"]], "10.0.2.70", "RDSNetworkInterface")
    _eni(ec2, subnets["us-east-1a"], [sg["aurora"]], "10.0.1.71", "RDSNetworkInterface")
    # Another database's interface in the same zone, and an unrelated interface with our group.
    _eni(ec2, subnets["us-east-1a"], [sg["other"]], "10.0.1.60", "RDSNetworkInterface")
    _eni(ec2, subnets["us-east-1a"], [sg["db"]], "10.0.1.80", "a web server")
    return World(vpc_id, subnets, sg["db"], sg["aurora"], sg["other"])


# --- Private IPs -------------------------------------------------------------------------------


def test_rds_instance_ip_comes_from_its_own_interface(aws: AwsContext, world: World) -> None:
    orders = discovery.find_data_source(aws, "orders")
    assert network.resolve_target_ips(aws, orders) == ["10.0.1.50"]


def test_aurora_targets_the_writer_never_the_reader(aws: AwsContext, world: World) -> None:
    reports = discovery.find_data_source(aws, "reports")
    assert network.resolve_target_ips(aws, reports) == ["10.0.2.70"]


def test_dns_is_intersected_and_public_addresses_ignored(
    aws: AwsContext, world: World, dns: dict[str, list[str]]
) -> None:
    orders = discovery.find_data_source(aws, "orders")
    dns[orders.endpoint_address] = ["10.0.1.50", "203.0.113.9"]
    assert network.resolve_target_ips(aws, orders) == ["10.0.1.50"]


def test_dns_decides_when_interfaces_are_ambiguous(
    aws: AwsContext, world: World, dns: dict[str, list[str]]
) -> None:
    ec2 = aws.ec2
    _eni(ec2, world.subnets["us-east-1a"], [world.db_sg], "10.0.1.51", "RDSNetworkInterface")
    orders = discovery.find_data_source(aws, "orders")
    with pytest.raises(UserError) as caught:
        network.resolve_target_ips(aws, orders)
    assert "10.0.1.50, 10.0.1.51" in caught.value.what
    assert "did not resolve" in caught.value.why
    dns[orders.endpoint_address] = ["10.0.1.51"]
    assert network.resolve_target_ips(aws, orders) == ["10.0.1.51"]


def test_no_interface_and_no_dns_explains_why(aws: AwsContext, world: World) -> None:
    rds = aws.rds
    rds.create_db_instance(
        DBInstanceIdentifier="fresh",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        DBSubnetGroupName="ab",
        VpcSecurityGroupIds=[world.db_sg],
        AvailabilityZone="us-east-1b",
    )
    fresh = discovery.find_data_source(aws, "fresh")
    with pytest.raises(UserError) as caught:
        network.resolve_target_ips(aws, fresh)
    assert "Could not find the private IP addresses of fresh" in caught.value.what
    assert "available" in caught.value.fix


def test_proxy_uses_dns_then_its_interfaces(aws: AwsContext, world: World, dns: dict[str, list[str]]) -> None:
    ec2 = aws.ec2
    proxy = DataSource(
        kind=SourceKind.RDS_PROXY,
        id="pool",
        vpc_id=world.vpc_id,
        engine="postgres",
        port=5432,
        subnet_ids=tuple(world.subnets.values()),
        security_group_ids=(world.db_sg,),
        endpoint_address="pool.proxy-x.us-east-1.rds.amazonaws.com",
    )
    for zone, ip in (("us-east-1a", "10.0.1.90"), ("us-east-1b", "10.0.2.90")):
        _eni(ec2, world.subnets[zone], [world.db_sg], ip, "Network interface for DBProxy pool")
    _eni(ec2, world.subnets["us-east-1a"], [world.db_sg], "10.0.1.91", "Network interface for DBProxy other")
    assert network.resolve_target_ips(aws, proxy) == ["10.0.1.90", "10.0.2.90"]
    dns[proxy.endpoint_address] = ["10.0.2.90"]
    assert network.resolve_target_ips(aws, proxy) == ["10.0.2.90"]


def test_resolve_host_gives_up_quietly() -> None:
    assert "127.0.0.1" in network.resolve_host("localhost", timeout=2.0)
    assert network.resolve_host("no-such-host.invalid", timeout=0.5) == []
    assert network.resolve_host("") == []


def test_subnet_cidrs_in_the_order_given(aws: AwsContext, world: World) -> None:
    ordered = [world.subnets["us-east-1b"], world.subnets["us-east-1a"]]
    assert network.subnet_cidrs(aws, ordered) == ["10.0.2.0/24", "10.0.1.0/24"]


# --- Security group ----------------------------------------------------------------------------


def _allow(aws: AwsContext, group: str, protocol: str, low: int, high: int, cidr: str) -> None:
    permission: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": [{"CidrIp": cidr}]}
    if protocol != "-1":
        permission.update(FromPort=low, ToPort=high)
    aws.ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[permission])


def test_security_group_check_fails_then_fix_then_passes(aws: AwsContext, world: World) -> None:
    orders = discovery.find_data_source(aws, "orders")
    nlb_subnets = [world.subnets["us-east-1a"], world.subnets["us-east-1b"]]

    before = network.check_security_group(aws, orders, 3306, nlb_subnets)
    assert before.key == "security-group"
    assert not before.ok
    assert "10.0.1.0/24" in before.reason and "10.0.2.0/24" in before.reason
    assert f"Add 2 inbound rules to security group {world.db_sg}" in before.fix
    assert "TCP 3306 from 10.0.1.0/24" in before.fix and "TCP 3306 from 10.0.2.0/24" in before.fix

    added = network.fix_security_group(aws, orders, 3306, nlb_subnets, LINK)
    assert len(added) == 2

    ec2 = aws.ec2
    rules = ec2.describe_security_group_rules(Filters=[{"Name": f"tag:{LINK_TAG_KEY}", "Values": [LINK]}])[
        "SecurityGroupRules"
    ]
    assert sorted(r["SecurityGroupRuleId"] for r in rules) == sorted(added)
    assert {
        (r["GroupId"], r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIpv4"], r["Description"])
        for r in rules
    } == {
        (world.db_sg, "tcp", 3306, 3306, "10.0.1.0/24", f"privatelink-wizard {LINK}: NLB subnet us-east-1a"),
        (world.db_sg, "tcp", 3306, 3306, "10.0.2.0/24", f"privatelink-wizard {LINK}: NLB subnet us-east-1b"),
    }

    after = network.check_security_group(aws, orders, 3306, nlb_subnets)
    assert after.ok, after.reason
    assert network.fix_security_group(aws, orders, 3306, nlb_subnets, LINK) == []
    rules_again = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [world.db_sg]}])[
        "SecurityGroupRules"
    ]
    assert len([r for r in rules_again if not r["IsEgress"]]) == 2


def test_reason_names_only_the_uncovered_subnet(aws: AwsContext, world: World) -> None:
    orders = discovery.find_data_source(aws, "orders")
    _allow(aws, world.db_sg, "tcp", 3306, 3306, "10.0.1.0/24")
    row = network.check_security_group(aws, orders, 3306, list(world.subnets.values()))
    assert not row.ok
    assert "10.0.2.0/24" in row.reason and "10.0.1.0/24" not in row.reason
    assert world.subnets["us-east-1b"] in row.reason
    assert "Add 1 inbound rule to" in row.fix
    added = network.fix_security_group(aws, orders, 3306, list(world.subnets.values()), LINK)
    assert len(added) == 1


@pytest.mark.parametrize(
    ("protocol", "low", "high", "cidr"),
    [
        ("tcp", 3306, 3306, "10.0.0.0/16"),  # a broader CIDR
        ("tcp", 3000, 4000, "10.0.0.0/8"),  # a port range
        ("-1", 0, 0, "10.0.0.0/16"),  # all traffic
        ("tcp", 0, 65535, "0.0.0.0/0"),  # anywhere
    ],
)
def test_broader_rules_count(
    aws: AwsContext, world: World, protocol: str, low: int, high: int, cidr: str
) -> None:
    orders = discovery.find_data_source(aws, "orders")
    _allow(aws, world.db_sg, protocol, low, high, cidr)
    assert network.check_security_group(aws, orders, 3306, list(world.subnets.values())).ok


@pytest.mark.parametrize(
    ("protocol", "low", "high", "cidr"),
    [
        ("tcp", 5432, 5432, "10.0.0.0/16"),  # another port
        ("udp", 3306, 3306, "10.0.0.0/16"),  # another protocol
        ("tcp", 3306, 3306, "10.0.1.0/25"),  # only half a subnet
    ],
)
def test_narrower_rules_do_not_count(
    aws: AwsContext, world: World, protocol: str, low: int, high: int, cidr: str
) -> None:
    orders = discovery.find_data_source(aws, "orders")
    _allow(aws, world.db_sg, protocol, low, high, cidr)
    assert not network.check_security_group(aws, orders, 3306, list(world.subnets.values())).ok


def test_with_the_nlbs_security_group_the_fix_adds_one_rule_naming_it(aws: AwsContext, world: World) -> None:
    nlb_sg = aws.ec2.create_security_group(GroupName="nlb", Description="nlb", VpcId=world.vpc_id)["GroupId"]
    orders = discovery.find_data_source(aws, "orders")
    subnets = list(world.subnets.values())

    before = network.check_security_group(aws, orders, 3306, subnets, (nlb_sg,))
    assert not before.ok
    assert f"from the load balancer's security group {nlb_sg}" in before.reason
    assert "10.0.1.0/24" not in before.fix
    assert f"Add an inbound rule to security group {world.db_sg}: TCP 3306 from the load" in before.fix

    added = network.fix_security_group(aws, orders, 3306, subnets, LINK, (nlb_sg,))

    [rule] = aws.ec2.describe_security_group_rules(SecurityGroupRuleIds=added)["SecurityGroupRules"]
    assert (rule["GroupId"], rule["FromPort"], rule["ToPort"]) == (world.db_sg, 3306, 3306)
    assert rule["ReferencedGroupInfo"]["GroupId"] == nlb_sg
    assert "CidrIpv4" not in rule
    tags = {t["Key"]: t["Value"] for t in rule["Tags"]}
    assert tags[LINK_TAG_KEY] == LINK
    after = network.check_security_group(aws, orders, 3306, subnets, (nlb_sg,))
    assert after.ok and nlb_sg in after.reason
    assert network.fix_security_group(aws, orders, 3306, subnets, LINK, (nlb_sg,)) == []


def test_subnet_rules_still_count_for_a_load_balancer_with_a_security_group(
    aws: AwsContext, world: World
) -> None:
    # Its traffic to the database comes from its addresses in those subnets either way.
    nlb_sg = aws.ec2.create_security_group(GroupName="nlb", Description="nlb", VpcId=world.vpc_id)["GroupId"]
    orders = discovery.find_data_source(aws, "orders")
    _allow(aws, world.db_sg, "tcp", 3306, 3306, "10.0.0.0/16")
    subnets = list(world.subnets.values())
    assert network.check_security_group(aws, orders, 3306, subnets, (nlb_sg,)).ok
    assert network.fix_security_group(aws, orders, 3306, subnets, LINK, (nlb_sg,)) == []


def test_a_rule_for_the_nlbs_security_group_covers_every_subnet(aws: AwsContext, world: World) -> None:
    ec2 = aws.ec2
    nlb_sg = ec2.create_security_group(GroupName="nlb", Description="nlb", VpcId=world.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=world.db_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": nlb_sg}]}
        ],
    )
    orders = discovery.find_data_source(aws, "orders")
    subnets = list(world.subnets.values())
    assert network.check_security_group(aws, orders, 3306, subnets, (nlb_sg,)).ok
    # Without an NLB security group, a group reference proves nothing about the NLB's addresses.
    assert not network.check_security_group(aws, orders, 3306, subnets).ok


def test_rules_go_to_the_first_of_several_groups(aws: AwsContext, world: World) -> None:
    orders = replace(
        discovery.find_data_source(aws, "orders"), security_group_ids=(world.other_sg, world.db_sg)
    )
    _allow(aws, world.db_sg, "tcp", 3306, 3306, "10.0.1.0/24")
    added = network.fix_security_group(aws, orders, 3306, list(world.subnets.values()), LINK)
    rules = aws.ec2.describe_security_group_rules(SecurityGroupRuleIds=added)["SecurityGroupRules"]
    assert [(r["GroupId"], r["CidrIpv4"]) for r in rules] == [(world.other_sg, "10.0.2.0/24")]


def test_access_denied_on_the_rule_names_the_permission(aws: AwsContext, world: World) -> None:
    # Stubber on EC2 only for the write, so the refusal is AWS's real shape and wording.
    orders = discovery.find_data_source(aws, "orders")
    groups = aws.ec2.describe_security_groups(GroupIds=[world.db_sg])
    subnets = aws.ec2.describe_subnets(SubnetIds=[world.subnets["us-east-1a"]])
    with Stubber(aws.ec2) as stub:
        stub.add_response("describe_security_groups", groups)
        stub.add_response("describe_subnets", subnets)
        stub.add_client_error(
            "authorize_security_group_ingress",
            service_error_code="UnauthorizedOperation",
            service_message="You are not authorized to perform this operation.",
            http_status_code=403,
        )
        with pytest.raises(UserError) as caught:
            network.fix_security_group(aws, orders, 3306, [world.subnets["us-east-1a"]], LINK)
    assert caught.value.permission == "ec2:AuthorizeSecurityGroupIngress"


def test_sandbox_sample_account_targets_match_its_interfaces(
    aws: AwsContext, dns: dict[str, list[str]]
) -> None:
    # The demo runs this same code against the seeded sandbox: every source must find its own IPs.
    from wizard.sandbox.seed import seed_sample_account

    sample = seed_sample_account(aws)
    expected = {
        sample.orders_mysql: sample.enis_of(sample.orders_mysql),
        sample.analytics_pg: sample.enis_of(sample.analytics_pg),
        sample.reports_cluster: sample.enis_of(sample.reports_writer),
        sample.orders_proxy: sample.enis_of(sample.orders_proxy),
    }
    for source_id, enis in expected.items():
        source = discovery.find_data_source(aws, source_id)
        want = sorted((e.private_ip for e in enis), key=ipaddress.IPv4Address)
        assert want and network.resolve_target_ips(aws, source) == want, source_id
