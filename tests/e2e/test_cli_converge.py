"""Issue 16 (1, 2): a re-run of setup converges the link to what was asked. A corrected port
leaves nothing forwarding the old one (listener, target group, the database's firewall rule);
principals allowed besides the platform's are reported by status and removed on request. What
the wizard did not make is never touched."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.test_cli_setup import REGION, RIVERY, client, run, setup_json, tags_of
from wizard.model import MANAGED_BY_KEY, MANAGED_BY_VALUE

OTHER = "arn:aws:iam::111122223333:root"


def setup_again(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """A re-run of `setup` (no questions): its exit code, output and messages."""
    return run(capsys, "setup", "--region", REGION, "--yes", *args)


def forward_port(
    sandbox: Any, nlb_arn: str, name: str, port: int, target_type: str, tags: list[Any] | None = None
) -> str:
    """Made outside the wizard: a TCP listener on `port` of the load balancer, forwarding to a
    new target group `name` (both with `tags`, if any); returns the group's ARN."""
    elbv2 = client(sandbox, "elbv2")
    tagged = {"Tags": tags} if tags else {}
    group = elbv2.create_target_group(
        Name=name, Protocol="TCP", Port=port, VpcId=sandbox.sample.vpc_id, TargetType=target_type, **tagged
    )["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    elbv2.create_listener(
        LoadBalancerArn=nlb_arn, Protocol="TCP", Port=port, DefaultActions=forward, **tagged
    )
    return str(group)


def listener_ports(sandbox: Any, nlb_arn: str) -> list[int]:
    listeners = client(sandbox, "elbv2").describe_listeners(LoadBalancerArn=nlb_arn)["Listeners"]
    return sorted(ls["Port"] for ls in listeners)


def link_groups(sandbox: Any, name: str) -> list[str]:
    elbv2 = client(sandbox, "elbv2")
    groups = elbv2.describe_target_groups()["TargetGroups"]
    return sorted(
        g["TargetGroupName"]
        for g in groups
        if tags_of(elbv2, g["TargetGroupArn"]).get("privatelink-wizard:link") == name
    )


def ingress(sandbox: Any, group_id: str) -> list[dict[str, Any]]:
    rules = client(sandbox, "ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group_id]}]
    )["SecurityGroupRules"]
    return [r for r in rules if not r["IsEgress"]]


def wizard_rule_ports(sandbox: Any, group_id: str) -> list[int]:
    return sorted(
        r["FromPort"]
        for r in ingress(sandbox, group_id)
        if MANAGED_BY_VALUE in {t["Value"] for t in r.get("Tags", [])}
    )


def status_json(capsys: pytest.CaptureFixture[str], name: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "status", "--region", REGION, "--name", name, "--json")
    assert code in (0, 1), err
    [link] = json.loads(out)["links"]
    return code, link


def findings(link: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["title"]: f for f in link["findings"]}


# --- 1. another port ------------------------------------------------------------------------------


def test_a_corrected_port_leaves_only_the_asked_listener_target_group_and_firewall_rule(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    instance, tunnel_sg = sandbox.sample.tunnel_instance_id, sandbox.sample.tunnel_sg
    first = setup_json(capsys, "--source", instance, "--port", "22", "--name", "tunnel", "--fix")
    assert listener_ports(sandbox, first["nlb_arn"]) == [22]
    assert wizard_rule_ports(sandbox, tunnel_sg) == [22]

    code, out, err = setup_again(
        capsys, "--json", "--source", instance, "--port", "2222", "--name", "tunnel", "--fix"
    )

    assert code == 0, err
    # The preview says what goes as well as what comes.
    assert "Will create: TCP listener on port 2222" in err
    assert "Will remove: TCP listener on port 22 of load balancer 'tunnel'" in err
    assert "Will remove: TCP target group 'tunnel-22' on port 22" in err
    assert "Will remove: firewall rule sgr-" in err and f"in security group {tunnel_sg} (TCP 22)" in err
    second = json.loads(out)
    assert second["nlb_arn"] == first["nlb_arn"]
    # The load balancer forwards only the asked port, to the link's only target group.
    assert listener_ports(sandbox, second["nlb_arn"]) == [2222]
    assert link_groups(sandbox, "tunnel") == ["tunnel-2222"]
    # The old port is closed in the database's firewall; the new one is open to the NLB only.
    assert wizard_rule_ports(sandbox, tunnel_sg) == [2222]
    # The customer's own rule on port 22 (the office VPN) is not the wizard's: it stays.
    assert any(
        r["FromPort"] == 22 and r.get("CidrIpv4") == "203.0.113.0/24" for r in ingress(sandbox, tunnel_sg)
    )
    # The record forgets what is gone.
    gone = {first["listener_arn"], first["target_group_arn"]}
    assert not gone & {c["id"] for c in second["created"]}
    code, link = status_json(capsys, "tunnel")
    assert not [t for t in findings(link) if "port 22" in t], findings(link).keys()

    # A third run with the same port has nothing to remove.
    code, _out, err = setup_again(capsys, "--source", instance, "--port", "2222", "--name", "tunnel")
    assert code == 0, err
    assert "Will remove" not in err


def test_a_rerun_never_touches_a_listener_the_wizard_did_not_make(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = sandbox.sample.tunnel_instance_id
    first = setup_json(capsys, "--source", instance, "--port", "22", "--name", "tunnel", "--fix")
    # The customer forwards another port of the link's load balancer to a group of their own.
    theirs = forward_port(sandbox, first["nlb_arn"], "customer-8080", 8080, "instance")

    # status calls it out (a port reachable through PrivateLink) but offers no automatic fix.
    code, link = status_json(capsys, "tunnel")
    assert code == 1
    stray = findings(link)["The load balancer also forwards port 8080"]
    assert stray["severity"] == "problem" and stray["fix_key"] == ""
    assert "did not create" in stray["why"] and "EC2 console" in stray["fix"]

    code, _out, err = setup_again(capsys, "--source", instance, "--port", "2222", "--name", "tunnel")

    assert code in (0, 1), err
    assert "Will remove: TCP listener on port 8080" not in err
    assert "Leaving the TCP listener on port 8080 of load balancer 'tunnel' alone" in err
    assert listener_ports(sandbox, first["nlb_arn"]) == [2222, 8080]
    elbv2 = client(sandbox, "elbv2")
    assert elbv2.describe_target_groups(TargetGroupArns=[theirs])["TargetGroups"]
    assert MANAGED_BY_KEY not in tags_of(elbv2, theirs)


def test_status_flags_a_listener_left_on_the_old_port_and_its_fix_removes_it(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # What an earlier version left behind after a port change: the old port's listener and
    # target group, both carrying the link's tags, still forwarding.
    result = setup_json(capsys, "--source", "analytics-pg", "--fix")
    name = result["name"]
    elbv2 = client(sandbox, "elbv2")
    tags = [{"Key": k, "Value": v} for k, v in tags_of(elbv2, result["target_group_arn"]).items()]
    forward_port(sandbox, result["nlb_arn"], f"{name}-6432", 6432, "ip", tags)

    code, link = status_json(capsys, name)

    assert code == 1
    found = findings(link)
    listener = found["The load balancer still forwards the old port 6432"]
    assert listener["severity"] == "problem" and listener["fix_key"] == "remove-leftovers"
    assert "reach port 6432 through PrivateLink" in listener["why"]
    group = found[f"The link still has the target group '{name}-6432' for port 6432"]
    assert group["severity"] == "problem" and group["fix_key"] == "remove-leftovers"

    # `setup` converges it (the CLI's way to apply the fix).
    code, _out, err = setup_again(capsys, "--source", "analytics-pg")
    assert code == 0, err
    assert "Will remove: TCP listener on port 6432" in err
    assert listener_ports(sandbox, result["nlb_arn"]) == [5432]
    assert link_groups(sandbox, name) == [f"{name}-5432"]
    _code, link = status_json(capsys, name)
    assert not [t for t in findings(link) if "6432" in t]


# --- 2. allowlist drift ---------------------------------------------------------------------------


def principals(sandbox: Any, service_id: str) -> list[str]:
    reply = client(sandbox, "ec2").describe_vpc_endpoint_service_permissions(ServiceId=service_id)
    return sorted(p["Principal"] for p in reply["AllowedPrincipals"])


def test_another_principal_keeps_the_old_one_until_asked_to_remove_it(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = setup_json(capsys, "--source", "analytics-pg", "--fix")
    name, service = first["name"], first["endpoint_service_id"]

    code, _out, err = setup_again(capsys, "--source", "analytics-pg", "--principal", OTHER)

    assert code == 0, err
    assert f"Also allowed on the endpoint service: {RIVERY}. It stays allowed unless removed" in err
    assert "--remove-old-principals" in err
    assert principals(sandbox, service) == sorted([RIVERY, OTHER])
    code, link = status_json(capsys, name)
    assert code == 1
    drift = findings(link)[f"Other principals may connect: {RIVERY}"]
    assert drift["severity"] == "problem" and drift["fix_key"] == "other-principals"
    assert OTHER in drift["why"]

    code, _out, err = setup_again(
        capsys, "--source", "analytics-pg", "--principal", OTHER, "--remove-old-principals"
    )

    assert code == 0, err
    assert f"Will remove from the allow list: {RIVERY}" in err
    assert f"Removed {RIVERY} from the allow list; allowed now: {OTHER}." in err
    assert principals(sandbox, service) == [OTHER]
    _code, link = status_json(capsys, name)
    assert not [t for t in findings(link) if t.startswith("Other principals")]


def test_status_says_a_star_lets_any_account_request_a_connection(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = setup_json(capsys, "--source", "analytics-pg", "--fix")
    ec2 = client(sandbox, "ec2")
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=result["endpoint_service_id"], AddAllowedPrincipals=["*"]
    )

    code, out, _err = run(capsys, "status", "--region", REGION, "--name", result["name"])

    assert code == 1
    assert "✖ '*' is allowed: any AWS account can request a connection" in out
    assert "Fix: Remove * from the endpoint service's allow list" in out

    # Without --remove-old-principals a re-run says so and removes nothing.
    code, _out, err = setup_again(capsys, "--source", "analytics-pg")
    assert code == 0, err
    assert "Also allowed on the endpoint service: *" in err
    assert principals(sandbox, result["endpoint_service_id"]) == sorted(["*", RIVERY])
