"""The link's network part as HCL: the load balancer's security group and its rules, the load
balancer, one target group and listener per database, the endpoint service with who may connect,
the rules the wizard added to the database's security groups, and the link's parameter group.

Import ids are the forms the AWS provider documents on each resource's page (Terraform Registry,
hashicorp/aws, "Import"): ARN for aws_lb, aws_lb_target_group, aws_lb_listener; sg-… for
aws_security_group; sgr-… for aws_vpc_security_group_ingress_rule / _egress_rule; vpce-svc-… for
aws_vpc_endpoint_service; the name for aws_db_parameter_group."""

from __future__ import annotations

from typing import Any

from wizard.aws.nlb import CROSS_ZONE_KEY
from wizard.aws.nlb_security import ENFORCE_ATTRIBUTE
from wizard.aws.target_sync.reconcile import TAG_LAST_RUN, TAG_MISSES, TAG_WRITER
from wizard.aws.teardown_plan import PROTECTION_KEY
from wizard.export.builder import Export, label
from wizard.export.hcl import Block, Comment, Expr
from wizard.export.reading import LinkState, TargetGroupState
from wizard.model import DATABASE_TAG_KEY

SYNC_STATE_TAGS = (TAG_LAST_RUN, TAG_MISSES, TAG_WRITER)
ACCESS_LOGS_SKIP = (
    "checkov:skip=CKV_AWS_91:The wizard turns no access logs on: an NLB writes TLS listeners' "
    "logs only, and this one has TCP listeners (AWS, Network Load Balancer access logs)"
)
PROTECTION_SKIP = (
    "checkov:skip=CKV_AWS_150:Off as the wizard made it. Set enable_deletion_protection = true "
    "if the link must survive mistakes: the wizard's teardown then stops and asks you to turn it "
    "off first"
)
EGRESS_SKIP = (
    "checkov:skip=CKV_AWS_382:AWS's default outbound rule of the group, kept by the wizard: the "
    "load balancer reaches and health-checks the database through it (ELB guide, security groups "
    "for your Network Load Balancer)\n"
    "checkov:skip=CKV_AWS_23:AWS makes this default rule without a description; the group's own "
    "description says what it is for"
)
NO_TARGETS = (
    "Targets are not written here: the target sync (below) keeps the group on the database's "
    "current address, which changes after a failover, and aws_lb_target_group_attachment cannot "
    "be imported, so Terraform would only fight it. Registered now: {targets}."
)
STATIC_TARGETS = (
    "Targets are not written here: aws_lb_target_group_attachment cannot be imported, so `plan` "
    "would show it as new. Registered now: {targets}. To manage them with Terraform, add for each:\n"
    '  resource "aws_lb_target_group_attachment" "target_1" {{\n'
    "    target_group_arn = {group}.arn\n"
    '    target_id        = "{first_id}"\n'
    "    port             = {first_port}\n"
    "  }}"
)


def _rule_source(block: Block, rule: dict[str, Any], export: Export) -> None:
    if rule.get("CidrIpv4"):
        block.set("cidr_ipv4", rule["CidrIpv4"])
    elif rule.get("CidrIpv6"):
        block.set("cidr_ipv6", rule["CidrIpv6"])
    elif rule.get("ReferencedGroupInfo", {}).get("GroupId"):
        block.set("referenced_security_group_id", export.ref(rule["ReferencedGroupInfo"]["GroupId"]))
    elif rule.get("PrefixListId"):
        block.set("prefix_list_id", rule["PrefixListId"])


def _rule(export: Export, rule: dict[str, Any], name: str, comment: str = "") -> Block:
    kind = (
        "aws_vpc_security_group_egress_rule"
        if rule.get("IsEgress")
        else "aws_vpc_security_group_ingress_rule"
    )
    block = export.resource(kind, name, rule["SecurityGroupRuleId"], comment)
    block.set("security_group_id", export.ref(rule["GroupId"]))
    block.set("ip_protocol", str(rule.get("IpProtocol", "")))
    if str(rule.get("IpProtocol")) != "-1":  # "all traffic" has no ports
        block.set("from_port", int(rule.get("FromPort", 0)))
        block.set("to_port", int(rule.get("ToPort", 0)))
    _rule_source(block, rule, export)
    if rule.get("Description"):
        block.set("description", rule["Description"])
    export.set_tags(block, {t["Key"]: t.get("Value", "") for t in rule.get("Tags", [])})
    return block


def security_groups(export: Export, state: LinkState) -> None:
    for group in state.nlb_groups:
        block = export.resource("aws_security_group", "nlb", group["GroupId"])
        export.refer(group["GroupId"], block, "id")
        block.set("name", group["GroupName"]).set("description", group.get("Description", ""))
        block.set("vpc_id", group["VpcId"])
        block.comment(
            "Its rules are the separate aws_vpc_security_group_*_rule resources below (none inline)."
        )
        export.set_tags(block, {t["Key"]: t.get("Value", "") for t in group.get("Tags", [])})
    for rule in sorted(
        state.nlb_group_rules, key=lambda r: (not r.get("IsEgress"), r["SecurityGroupRuleId"])
    ):
        direction = "egress" if rule.get("IsEgress") else "ingress"
        block = _rule(export, rule, f"nlb_{direction}")
        if rule.get("IsEgress") and rule.get("CidrIpv4") == "0.0.0.0/0":
            block.items.insert(0, Comment(EGRESS_SKIP))


def load_balancers(export: Export, state: LinkState) -> None:
    for lb, attributes, tags in state.nlbs:
        block = export.resource("aws_lb", "link", lb["LoadBalancerArn"])
        export.refer(lb["LoadBalancerArn"], block, "arn")
        block.comment(ACCESS_LOGS_SKIP).comment(PROTECTION_SKIP)
        block.set("name", lb["LoadBalancerName"])
        block.set("internal", lb.get("Scheme") == "internal")
        block.set("load_balancer_type", "network")
        block.set("ip_address_type", lb.get("IpAddressType", "ipv4"))
        block.set(
            "subnets", sorted(z["SubnetId"] for z in lb.get("AvailabilityZones", []) if z.get("SubnetId"))
        )
        if lb.get("SecurityGroups"):
            block.set("security_groups", export.ref(list(lb["SecurityGroups"])))
            # AWS turns enforcement on by default; the wizard turns it off (nlb_security.py).
            enforce = str(lb.get(ENFORCE_ATTRIBUTE) or "on")
            block.set("enforce_security_group_inbound_rules_on_private_link_traffic", enforce)
        block.set("enable_cross_zone_load_balancing", attributes.get(CROSS_ZONE_KEY, "false") == "true")
        block.set("enable_deletion_protection", attributes.get(PROTECTION_KEY, "false") == "true")
        export.set_tags(block, tags)


def _group_label(group: TargetGroupState, export: Export, listener_port: int | None) -> str:
    database = group.tags.get(DATABASE_TAG_KEY)  # older target groups lack it: the first database
    if database:
        return label(database)
    port = listener_port if listener_port is not None else group.group.get("Port")
    return f"port_{port}"


def _forwards_to(listener: dict[str, Any]) -> list[str]:
    arns = []
    for action in listener.get("DefaultActions", []):
        if action.get("TargetGroupArn"):
            arns.append(action["TargetGroupArn"])
        arns += [g["TargetGroupArn"] for g in action.get("ForwardConfig", {}).get("TargetGroups", [])]
    return arns


def _target_group(export: Export, group: TargetGroupState, name: str, synced: bool) -> Block:
    tg, attrs = group.group, group.attributes
    targets = ", ".join(f"{t}:{p}" for t, p in group.targets) or "none"
    words = NO_TARGETS if synced else STATIC_TARGETS
    block = export.resource(
        "aws_lb_target_group",
        name,
        tg["TargetGroupArn"],
        words.format(
            targets=targets,
            group=f"aws_lb_target_group.{name}",
            first_id=group.targets[0][0] if group.targets else "…",
            first_port=group.targets[0][1] if group.targets else tg.get("Port"),
        ),
    )
    export.refer(tg["TargetGroupArn"], block, "arn")
    block.set("name", tg["TargetGroupName"]).set("port", int(tg["Port"])).set("protocol", tg["Protocol"])
    block.set("target_type", tg.get("TargetType", "ip")).set("vpc_id", tg["VpcId"])
    block.comment("The database must see plain TCP from the load balancer: as the wizard set them.")
    block.set("proxy_protocol_v2", attrs.get("proxy_protocol_v2.enabled", "false") == "true")
    if "preserve_client_ip.enabled" in attrs:
        block.set("preserve_client_ip", attrs["preserve_client_ip.enabled"])
    if "deregistration_delay.timeout_seconds" in attrs:
        block.set("deregistration_delay", attrs["deregistration_delay.timeout_seconds"])
    if "deregistration_delay.connection_termination.enabled" in attrs:
        value = attrs["deregistration_delay.connection_termination.enabled"] == "true"
        block.set("connection_termination", value)
    stickiness = block.block("stickiness")
    stickiness.set("enabled", attrs.get("stickiness.enabled", "false") == "true")
    stickiness.set("type", attrs.get("stickiness.type") or "source_ip")
    health = block.block("health_check")
    health.set("enabled", bool(tg.get("HealthCheckEnabled", True)))
    health.set("protocol", tg.get("HealthCheckProtocol", "TCP")).set(
        "port", tg.get("HealthCheckPort", "traffic-port")
    )
    for key, name_ in (
        ("HealthCheckIntervalSeconds", "interval"),
        ("HealthCheckTimeoutSeconds", "timeout"),
        ("HealthyThresholdCount", "healthy_threshold"),
        ("UnhealthyThresholdCount", "unhealthy_threshold"),
    ):
        if tg.get(key) is not None:
            health.set(name_, int(tg[key]))
    if tg.get("HealthCheckPath"):
        health.set("path", tg["HealthCheckPath"])
    # The target sync keeps its state in these tags and changes them on every run.
    export.set_tags(block, {k: v for k, v in group.tags.items() if k not in SYNC_STATE_TAGS})
    ignored = [Expr(f'tags["{k}"]') for k in SYNC_STATE_TAGS]
    block.block("lifecycle").set("ignore_changes", ignored)
    return block


def target_groups_and_listeners(export: Export, state: LinkState) -> None:
    """One target group and its listener per database of the link, whatever their number."""
    synced = state.sync is not None
    by_group: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    for listener, tags in state.listeners:
        for arn in _forwards_to(listener):
            by_group.setdefault(arn, (listener, tags))
    ports: dict[str, int] = {}
    names: dict[str, str] = {}
    for group in state.target_groups:
        found = by_group.get(group.group["TargetGroupArn"])
        wanted = _group_label(group, export, int(found[0]["Port"]) if found else None)
        block = _target_group(export, group, wanted, synced)
        names[group.group["TargetGroupArn"]] = block.labels[1]
    for listener, tags in sorted(state.listeners, key=lambda x: int(x[0]["Port"])):
        forwards = _forwards_to(listener)
        name = names.get(forwards[0], f"port_{listener['Port']}") if forwards else f"port_{listener['Port']}"
        ports[name] = int(listener["Port"])
        block = export.resource("aws_lb_listener", name, listener["ListenerArn"])
        block.set("load_balancer_arn", export.ref(listener["LoadBalancerArn"]))
        block.set("port", Expr(f'var.listener_ports["{name}"]'))
        block.set("protocol", listener.get("Protocol", "TCP"))
        action = block.block("default_action")
        action.set("type", "forward")
        action.set("target_group_arn", export.ref(forwards[0]) if forwards else "")
        export.set_tags(block, tags)
    if ports:
        export.variable(
            "listener_ports",
            "map(number)",
            "The port of each database on the load balancer: the port the platform connects to "
            "(the target group keeps the database's own port).",
            ports,
        )


def endpoint_services(export: Export, state: LinkState) -> None:
    for n, (config, principals) in enumerate(state.services):
        block = export.resource("aws_vpc_endpoint_service", "link", config["ServiceId"])
        export.refer(config["ServiceId"], block, "id")
        block.set("acceptance_required", bool(config.get("AcceptanceRequired", True)))
        block.set("network_load_balancer_arns", export.ref(list(config.get("NetworkLoadBalancerArns", []))))
        if n == 0:
            allowed = export.variable(
                "consumer_principals",
                "list(string)",
                "Who may request a connection to the endpoint service: the platform's IAM principal(s).",
                sorted(principals),
            )
            block.set("allowed_principals", allowed)
        else:
            block.set("allowed_principals", sorted(principals))
        if config.get("SupportedRegions"):
            regions = [
                r.get("Region", "") if isinstance(r, dict) else str(r) for r in config["SupportedRegions"]
            ]
            block.set("supported_regions", sorted(regions))
        export.set_tags(block, {t["Key"]: t.get("Value", "") for t in config.get("Tags", [])})


# checkov's checks of well-known ports open to the world (0.0.0.0/0): they cannot resolve a
# referenced security group, so they flag a rule that admits only the load balancer's group.
_WORLD_PORT_CHECKS = {22: "CKV_AWS_24", 3389: "CKV_AWS_25", 80: "CKV_AWS_260"}


def database_rules(export: Export, state: LinkState) -> None:
    for rule in sorted(state.database_rules, key=lambda r: r["SecurityGroupRuleId"]):
        block = _rule(
            export,
            rule,
            "database",
            comment=f"The rule the wizard added to the database's security group {rule['GroupId']} "
            "(the group itself is the database's, not the link's).",
        )
        if not rule.get("ReferencedGroupInfo", {}).get("GroupId"):
            continue
        low, high = int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1))
        for port, check in _WORLD_PORT_CHECKS.items():
            if low <= port <= high or str(rule.get("IpProtocol")) == "-1":
                block.items.insert(
                    0,
                    Comment(
                        f"checkov:skip={check}:Port {port} is open only to the load balancer's "
                        "security group (referenced_security_group_id), not to 0.0.0.0/0"
                    ),
                )


def parameter_group(export: Export, state: LinkState) -> None:
    group = state.parameter_group
    if group is None:
        return
    block = export.resource(
        "aws_db_parameter_group",
        "link",
        group["DBParameterGroupName"],
        "The parameter group the wizard made for the link. Which database uses it is the "
        "database's own setting (parameter_group_name of its aws_db_instance), left to its code.",
    )
    block.set("name", group["DBParameterGroupName"]).set("family", group["DBParameterGroupFamily"])
    block.set("description", group.get("Description", ""))
    for param in state.parameters:
        p = block.block("parameter")
        p.set("name", param["ParameterName"]).set("value", str(param["ParameterValue"]))
        p.set("apply_method", param.get("ApplyMethod") or "immediate")
    export.set_tags(block, state.parameter_group_tags)
