"""Which links exist in an account and region, found by our tags (no local record needed)."""

from __future__ import annotations

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE


def list_link_names(aws: AwsContext) -> list[str]:
    """Names of the links that have at least one tagged NLB or endpoint service here."""
    names: set[str] = set()
    with aws_step("Looking for links", "elasticloadbalancing:DescribeLoadBalancers"):
        arns = [
            lb["LoadBalancerArn"]
            for page in aws.elbv2.get_paginator("describe_load_balancers").paginate()
            for lb in page["LoadBalancers"]
            if lb.get("Type") == "network"
        ]
    with aws_step("Looking for links", "elasticloadbalancing:DescribeTags"):
        for i in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            for desc in aws.elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
                tags = {t["Key"]: t["Value"] for t in desc.get("Tags", [])}
                if tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and tags.get(LINK_TAG_KEY):
                    names.add(tags[LINK_TAG_KEY])
    with aws_step("Looking for links", "ec2:DescribeVpcEndpointServiceConfigurations"):
        pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_configurations").paginate(
            Filters=[{"Name": f"tag:{MANAGED_BY_KEY}", "Values": [MANAGED_BY_VALUE]}]
        )
        for page in pages:
            for svc in page["ServiceConfigurations"]:
                tags = {t["Key"]: t["Value"] for t in svc.get("Tags", [])}
                if tags.get(LINK_TAG_KEY):
                    names.add(tags[LINK_TAG_KEY])
    return sorted(names)
