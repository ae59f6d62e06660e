"""A realistic sample provider account for the demo and the end-to-end tests.

Everything is created through boto3, so the same code seeds the in-process mock and a moto server.
Where moto leaves out something real AWS has (RDS instances and proxies get no network interfaces
in moto), the seed adds it the way AWS does, so the wizard's lookups run the same code path here as
against a real account.

The RDS Proxy is a MySQL one (`orders-proxy` in front of `orders-mysql`): its name pairs it with
that database. A PostgreSQL proxy (for the CDC warning) is easy to add in a test that needs it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext

VPC_CIDR = "10.20.0.0/16"
SUBNET_CIDRS = ("10.20.1.0/24", "10.20.2.0/24", "10.20.3.0/24")
AZ_SUFFIXES = ("a", "b", "c")
# Where the application servers live; the databases already allow them (but not any NLB).
APP_CIDR = "10.20.100.0/24"

ORDERS_MYSQL = "orders-mysql"
ANALYTICS_PG = "analytics-pg"
ANALYTICS_PG_PARAMETER_GROUP = "analytics-pg16"
REPORTS_CLUSTER = "reports-aurora"
REPORTS_WRITER = "reports-aurora-1"
REPORTS_READER = "reports-aurora-2"
ORDERS_PROXY = "orders-proxy"
TUNNEL_NAME = "ssh-tunnel"
LEGACY_NLB = "legacy-nlb"
DB_SUBNET_GROUP = "prod-db-subnets"
RDS_ENI_DESCRIPTION = "RDSNetworkInterface"
# Demo-only credentials of the sample databases; nothing real is protected by them.
_SAMPLE_DB_USER = "admin_user"
_SAMPLE_DB_PASSWORD = "sandbox-only-password"


@dataclass(frozen=True)
class SeededEni:
    """A network interface the seed made to stand in for one AWS creates for a managed service."""

    owner: str  # the RDS instance id, or the proxy name
    eni_id: str
    private_ip: str
    subnet_id: str
    availability_zone: str


@dataclass(frozen=True)
class SampleAccount:
    """The ids of everything seed_sample_account created."""

    account_id: str
    region: str
    vpc_id: str
    vpc_cidr: str
    subnet_ids: tuple[str, str, str]  # private subnets in AZs a, b, c
    availability_zones: tuple[str, str, str]
    orders_mysql_sg: str
    analytics_pg_sg: str
    reports_aurora_sg: str
    orders_proxy_sg: str
    tunnel_sg: str
    db_subnet_group: str
    orders_mysql: str  # RDS MySQL 8.0, port 3306, default.mysql8.0, AZ a
    orders_mysql_parameter_group: str
    analytics_pg: str  # RDS PostgreSQL 16, port 5432, custom parameter group, AZ b
    analytics_pg_parameter_group: str
    reports_cluster: str  # Aurora PostgreSQL, port 5432
    reports_writer: str  # AZ a
    reports_reader: str  # AZ b
    orders_proxy: str  # RDS Proxy, engine family MYSQL, in front of orders-mysql
    orders_proxy_arn: str
    orders_proxy_engine_family: str
    tunnel_instance_id: str  # EC2 t3.micro tagged Name=ssh-tunnel, AZ a
    legacy_nlb_arn: str  # untagged, internal; never ours to touch
    enis: tuple[SeededEni, ...]

    def enis_of(self, owner: str) -> tuple[SeededEni, ...]:
        return tuple(e for e in self.enis if e.owner == owner)

    def security_group_of(self, source_id: str) -> str:
        groups = {
            self.orders_mysql: self.orders_mysql_sg,
            self.analytics_pg: self.analytics_pg_sg,
            self.reports_cluster: self.reports_aurora_sg,
            self.reports_writer: self.reports_aurora_sg,
            self.reports_reader: self.reports_aurora_sg,
            self.orders_proxy: self.orders_proxy_sg,
            self.tunnel_instance_id: self.tunnel_sg,
        }
        return groups[source_id]


def _tags(name: str) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": name}, {"Key": "Environment", "Value": "production"}]


def _spec(resource_type: str, name: str) -> list[dict[str, object]]:
    return [{"ResourceType": resource_type, "Tags": _tags(name)}]


class _Seeder:
    def __init__(self, aws: AwsContext) -> None:
        self.aws = aws
        self.region = aws.region
        self.azs = tuple(f"{aws.region}{s}" for s in AZ_SUFFIXES)
        self.enis: list[SeededEni] = []
        # Hand out fixed, readable addresses per subnet, as RDS would pick free ones.
        self._next_host: dict[str, int] = {}

    def run(self) -> SampleAccount:
        ec2, rds = self.aws.ec2, self.aws.rds
        account_id = self.aws.client("sts").get_caller_identity()["Account"]
        vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=_spec("vpc", "prod-vpc"))["Vpc"][
            "VpcId"
        ]
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        subnets = tuple(
            ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=cidr,
                AvailabilityZone=az,
                TagSpecifications=_spec("subnet", f"prod-private-{az[-1]}"),
            )["Subnet"]["SubnetId"]
            for cidr, az in zip(SUBNET_CIDRS, self.azs, strict=True)
        )
        self.subnet_cidr = dict(zip(subnets, SUBNET_CIDRS, strict=True))
        self.subnet_az = dict(zip(subnets, self.azs, strict=True))
        by_az = dict(zip(self.azs, subnets, strict=True))

        tunnel_sg = self._security_group(vpc_id, "ssh-tunnel-sg", "SSH tunnel host")
        ec2.authorize_security_group_ingress(
            GroupId=tunnel_sg,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "office VPN"}],
                }
            ],
        )
        mysql_sg = self._db_security_group(vpc_id, "orders-mysql-sg", 3306, tunnel_sg)
        pg_sg = self._db_security_group(vpc_id, "analytics-pg-sg", 5432, tunnel_sg)
        aurora_sg = self._db_security_group(vpc_id, "reports-aurora-sg", 5432, tunnel_sg)
        proxy_sg = self._db_security_group(vpc_id, "orders-proxy-sg", 3306, tunnel_sg)

        rds.create_db_subnet_group(
            DBSubnetGroupName=DB_SUBNET_GROUP,
            DBSubnetGroupDescription="Private subnets for the production databases",
            SubnetIds=list(subnets),
            Tags=_tags(DB_SUBNET_GROUP),
        )
        self._db_instance(
            ORDERS_MYSQL,
            "mysql",
            "8.0.36",
            3306,
            by_az[self.azs[0]],
            mysql_sg,
            parameter_group="default.mysql8.0",
        )
        rds.create_db_parameter_group(
            DBParameterGroupName=ANALYTICS_PG_PARAMETER_GROUP,
            DBParameterGroupFamily="postgres16",
            Description="Analytics PostgreSQL settings",
            Tags=_tags(ANALYTICS_PG_PARAMETER_GROUP),
        )
        self._db_instance(
            ANALYTICS_PG,
            "postgres",
            "16.3",
            5432,
            by_az[self.azs[1]],
            pg_sg,
            parameter_group=ANALYTICS_PG_PARAMETER_GROUP,
        )
        rds.create_db_cluster(
            DBClusterIdentifier=REPORTS_CLUSTER,
            Engine="aurora-postgresql",
            EngineVersion="15.4",
            Port=5432,
            MasterUsername=_SAMPLE_DB_USER,
            MasterUserPassword=_SAMPLE_DB_PASSWORD,
            DBSubnetGroupName=DB_SUBNET_GROUP,
            VpcSecurityGroupIds=[aurora_sg],
            Tags=_tags(REPORTS_CLUSTER),
        )
        # The first instance added to a cluster becomes its writer.
        for instance_id, az in ((REPORTS_WRITER, self.azs[0]), (REPORTS_READER, self.azs[1])):
            rds.create_db_instance(
                DBInstanceIdentifier=instance_id,
                DBClusterIdentifier=REPORTS_CLUSTER,
                Engine="aurora-postgresql",
                DBInstanceClass="db.r6g.large",
                AvailabilityZone=az,
                DBSubnetGroupName=DB_SUBNET_GROUP,
                Tags=_tags(instance_id),
            )
            self._eni(instance_id, by_az[az], [aurora_sg], RDS_ENI_DESCRIPTION)

        proxy = rds.create_db_proxy(
            DBProxyName=ORDERS_PROXY,
            EngineFamily="MYSQL",
            Auth=[
                {
                    "AuthScheme": "SECRETS",
                    "SecretArn": (
                        f"arn:aws:secretsmanager:{self.region}:{account_id}:secret:orders-mysql-app-AbCdEf"
                    ),
                    "IAMAuth": "DISABLED",
                }
            ],
            RoleArn=f"arn:aws:iam::{account_id}:role/orders-proxy-secrets",
            VpcSubnetIds=list(subnets),
            VpcSecurityGroupIds=[proxy_sg],
            RequireTLS=True,
            Tags=_tags(ORDERS_PROXY),
        )["DBProxy"]
        rds.register_db_proxy_targets(
            DBProxyName=ORDERS_PROXY,
            TargetGroupName="default",
            DBInstanceIdentifiers=[ORDERS_MYSQL],
        )
        # An RDS Proxy keeps an interface in each of its subnets.
        for subnet_id in subnets:
            self._eni(ORDERS_PROXY, subnet_id, [proxy_sg], f"Network interface for DBProxy {ORDERS_PROXY}")

        tunnel_id = ec2.run_instances(
            ImageId=self._image_id(),
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=by_az[self.azs[0]],
            SecurityGroupIds=[tunnel_sg],
            TagSpecifications=_spec("instance", TUNNEL_NAME),
        )["Instances"][0]["InstanceId"]

        legacy_nlb_arn = self.aws.elbv2.create_load_balancer(
            Name=LEGACY_NLB,
            Type="network",
            Scheme="internal",
            Subnets=list(subnets[:2]),
        )["LoadBalancers"][0]["LoadBalancerArn"]

        return SampleAccount(
            account_id=account_id,
            region=self.region,
            vpc_id=vpc_id,
            vpc_cidr=VPC_CIDR,
            subnet_ids=(subnets[0], subnets[1], subnets[2]),
            availability_zones=(self.azs[0], self.azs[1], self.azs[2]),
            orders_mysql_sg=mysql_sg,
            analytics_pg_sg=pg_sg,
            reports_aurora_sg=aurora_sg,
            orders_proxy_sg=proxy_sg,
            tunnel_sg=tunnel_sg,
            db_subnet_group=DB_SUBNET_GROUP,
            orders_mysql=ORDERS_MYSQL,
            orders_mysql_parameter_group="default.mysql8.0",
            analytics_pg=ANALYTICS_PG,
            analytics_pg_parameter_group=ANALYTICS_PG_PARAMETER_GROUP,
            reports_cluster=REPORTS_CLUSTER,
            reports_writer=REPORTS_WRITER,
            reports_reader=REPORTS_READER,
            orders_proxy=ORDERS_PROXY,
            orders_proxy_arn=proxy["DBProxyArn"],
            orders_proxy_engine_family=proxy["EngineFamily"],
            tunnel_instance_id=tunnel_id,
            legacy_nlb_arn=legacy_nlb_arn,
            enis=tuple(self.enis),
        )

    def _security_group(self, vpc_id: str, name: str, description: str) -> str:
        group_id: str = self.aws.ec2.create_security_group(
            GroupName=name,
            Description=description,
            VpcId=vpc_id,
            TagSpecifications=_spec("security-group", name),
        )["GroupId"]
        return group_id

    def _db_security_group(self, vpc_id: str, name: str, port: int, tunnel_sg: str) -> str:
        """A database's group: open to the app servers and the tunnel host, not to any NLB."""
        group_id = self._security_group(vpc_id, name, f"Database access ({name})")
        self.aws.ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "IpRanges": [{"CidrIp": APP_CIDR, "Description": "application servers"}],
                    "UserIdGroupPairs": [{"GroupId": tunnel_sg, "Description": "SSH tunnel host"}],
                }
            ],
        )
        return group_id

    def _db_instance(
        self,
        instance_id: str,
        engine: str,
        version: str,
        port: int,
        subnet_id: str,
        group_id: str,
        parameter_group: str,
    ) -> None:
        self.aws.rds.create_db_instance(
            DBInstanceIdentifier=instance_id,
            Engine=engine,
            EngineVersion=version,
            DBInstanceClass="db.t3.medium",
            AllocatedStorage=100,
            Port=port,
            MasterUsername=_SAMPLE_DB_USER,
            MasterUserPassword=_SAMPLE_DB_PASSWORD,
            AvailabilityZone=self.subnet_az[subnet_id],
            DBSubnetGroupName=DB_SUBNET_GROUP,
            VpcSecurityGroupIds=[group_id],
            DBParameterGroupName=parameter_group,
            PubliclyAccessible=False,
            Tags=_tags(instance_id),
        )
        self._eni(instance_id, subnet_id, [group_id], RDS_ENI_DESCRIPTION)

    def _eni(self, owner: str, subnet_id: str, groups: list[str], description: str) -> None:
        network = ipaddress.ip_network(self.subnet_cidr[subnet_id])
        host = self._next_host.get(subnet_id, 10)
        self._next_host[subnet_id] = host + 1
        ip = str(network.network_address + host)
        eni = self.aws.ec2.create_network_interface(
            SubnetId=subnet_id,
            Description=description,
            Groups=groups,
            PrivateIpAddress=ip,
        )["NetworkInterface"]
        self.enis.append(
            SeededEni(owner, eni["NetworkInterfaceId"], ip, subnet_id, self.subnet_az[subnet_id])
        )

    def _image_id(self) -> str:
        """An Amazon Linux 2 image, looked up by name as one would in a real account."""
        images = self.aws.ec2.describe_images(
            Owners=["amazon"],
            Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*-x86_64-gp2"]}],
        )["Images"]
        if not images:  # moto without its AMI catalogue (MOTO_EC2_LOAD_DEFAULT_AMIS=false)
            return str(
                self.aws.ec2.register_image(
                    Name="amzn2-ami-hvm-2.0-x86_64-gp2", Description="Amazon Linux 2"
                )["ImageId"]
            )
        return str(sorted(images, key=lambda i: i.get("CreationDate", ""))[-1]["ImageId"])


def seed_sample_account(aws: AwsContext) -> SampleAccount:
    """Create the sample provider account in aws.region. Call once, on an empty backend."""
    with aws_step("Creating the sample account in the sandbox"):
        return _Seeder(aws).run()
