"""Issue 16 (1, 2) in the engine: a re-run converges the link to what was asked (steps.py under
the link's lock, for the CLI and the GUI alike), and the allow-list step sees principals
allowed besides the platform's."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.aws.test_nlb import make_untagged_nlb
from tests.support.helpers import RIVERY, build_link
from wizard import steps
from wizard.aws import converge, nlb
from wizard.aws import endpoint_service as es
from wizard.aws import target_group as tg
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import link_tags
from wizard.sandbox.seed import SampleAccount
from wizard.steps import target_group_step

LINK = "tunnel"
QUICK = Patience(timeout=0.2, shortest=0.01)


def _reopen(link: steps.Link, **changes: Any) -> steps.Link:
    """The same link asked again with other settings (a re-run of setup)."""
    return steps.open_link(link.aws, replace(link.plan, **changes), link.record.account_id)


def _ports(aws: AwsContext, link: steps.Link) -> list[int]:
    found = nlb.find_nlb(aws, link.plan.name)
    assert found is not None
    return sorted(int(ls["Port"]) for ls in tg.listeners(aws, found.arn))


def _wizard_rules(aws: AwsContext, group_id: str) -> list[tuple[int, str]]:
    rules = aws.ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return sorted(
        (r["FromPort"], r["SecurityGroupRuleId"])
        for r in rules["SecurityGroupRules"]
        if not r["IsEgress"] and "privatelink-wizard" in {t["Value"] for t in r.get("Tags", [])}
    )


def test_another_port_re_opens_the_step_previews_the_removal_and_converges(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    first = build_link(aws, seeded.tunnel_instance_id, name=LINK, port=22)
    step = steps.TargetGroupStep()
    step.fix(first, "security-group")
    [(_, old_rule)] = _wizard_rules(aws, seeded.tunnel_sg)
    old_listener, old_group = first.record.listener_arn, first.record.target_group_arn

    second = _reopen(first, port=2222)

    # Not done for this port (the GUI's Create button comes back), still done for the old one.
    assert "target_group" not in second.record.completed_steps
    assert "target_group" in _reopen(first).record.completed_steps
    preview = [(i.action, i.what) for i in step.preview(second)]
    assert ("create", "TCP listener on port 2222") in preview
    assert ("remove", "TCP listener on port 22 of load balancer 'tunnel'") in preview
    assert ("remove", "TCP target group 'tunnel-22' on port 22") in preview
    assert ("remove", f"firewall rule {old_rule} in security group {seeded.tunnel_sg} (TCP 22)") in preview
    assert steps.PreviewItem("remove", "x").line() == "Will remove: x"

    said: list[str] = []
    steps.apply_step(second, step, said.append)

    assert _ports(aws, second) == [2222]
    assert [g.name for g in tg.find_target_groups(aws, LINK)] == ["tunnel-2222"]
    assert _wizard_rules(aws, seeded.tunnel_sg) == []
    assert any(m.startswith("Removing the TCP listener on port 22") for m in said)
    # The record forgets what is gone, on disk too.
    ids = {r.id for r in second.store.load(second.record.account_id, "us-east-1", LINK).created}  # type: ignore[union-attr]
    assert not {old_listener, old_group, old_rule} & ids
    assert {second.record.listener_arn, second.record.target_group_arn} <= ids
    assert step.fix(second, "remove-leftovers") == (
        "The link has nothing left over from another port than 2222."
    )


def test_the_old_listener_goes_first_and_a_busy_target_group_is_tried_again(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    first = build_link(aws, seeded.tunnel_instance_id, name=LINK, port=22)
    # AWS may still count the old group as in use a moment after its listener is deleted
    # (ResourceInUse); modelled by a listener elsewhere that goes after one refusal.
    other = make_untagged_nlb(aws, "reporting", list(seeded.subnet_ids))
    holder = aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": first.record.target_group_arn}],
    )["Listeners"][0]["ListenerArn"]
    seen: list[tuple[str, str]] = []

    def note(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        code = str(parsed.get("Error", {}).get("Code", ""))
        seen.append((model.name, code))
        if code == "ResourceInUse":
            aws.elbv2.delete_listener(ListenerArn=holder)

    for operation in ("DeleteListener", "DeleteTargetGroup"):
        aws.elbv2.meta.events.register(f"after-call.elastic-load-balancing-v2.{operation}", note)
    second = _reopen(first, port=2222)
    found = target_group_step.leftovers(second, nlb.find_nlb(aws, LINK))
    said: list[str] = []

    removed = converge.remove_leftovers(aws, found, said.append, Patience(timeout=5, shortest=0.01))

    assert [r.kind for r in removed] == ["listener", "target-group"]
    # (The third call is the hook's own, releasing the group.)
    assert seen == [
        ("DeleteListener", ""),
        ("DeleteTargetGroup", "ResourceInUse"),
        ("DeleteListener", ""),
        ("DeleteTargetGroup", ""),
    ]
    assert any("as in use; trying again until it is free" in m for m in said)


def test_a_target_group_that_stays_in_use_stops_with_a_plain_message(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    first = build_link(aws, seeded.tunnel_instance_id, name=LINK, port=22)
    other = make_untagged_nlb(aws, "reporting", list(seeded.subnet_ids))
    aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": first.record.target_group_arn}],
    )
    second = _reopen(first, port=2222)

    with pytest.raises(UserError) as raised:
        converge.remove_leftovers(
            aws, target_group_step.leftovers(second, nlb.find_nlb(aws, LINK)), print, QUICK
        )

    assert raised.value.exit_code == EXIT_TIMEOUT
    assert "TCP target group 'tunnel-22' on port 22 is still in use" in raised.value.what
    assert "listener the wizard did not create" in raised.value.why
    assert _ports(aws, second) == []  # its own old listener was removed all the same


def test_only_the_links_own_things_are_leftovers(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.tunnel_instance_id, name=LINK, port=22)
    found = nlb.find_nlb(aws, LINK)
    assert found is not None
    # Another link's tagged rule and group, and the customer's own listener and group.
    aws.ec2.authorize_security_group_ingress(
        GroupId=seeded.tunnel_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 23, "ToPort": 23, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
        ],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": link_tags("tunnel-2")}],
    )
    aws.elbv2.create_target_group(
        Name="tunnel-2-23", Protocol="TCP", Port=23, VpcId=seeded.vpc_id, Tags=link_tags("tunnel-2")
    )
    theirs = aws.elbv2.create_target_group(Name="customer-80", Protocol="TCP", Port=80, VpcId=seeded.vpc_id)
    customer_group = theirs["TargetGroups"][0]["TargetGroupArn"]
    aws.elbv2.create_listener(
        LoadBalancerArn=found.arn,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": customer_group}],
    )
    # An untagged listener that forwards only to the link's group is the link's to remove.
    aws.elbv2.create_listener(
        LoadBalancerArn=found.arn,
        Protocol="TCP",
        Port=2200,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": link.record.target_group_arn}],
    )

    leftovers = converge.find_leftovers(aws, LINK, 22, "tunnel-22", found)

    assert [(i.kind, i.port, i.ours) for i in leftovers] == [
        ("listener", 80, False),
        ("listener", 2200, True),
    ]
    removed = converge.remove_leftovers(aws, leftovers, print)
    assert [(r.kind, r.port) for r in removed] == [("listener", 2200)]
    assert _ports(aws, link) == [22, 80]


# --- allow list -----------------------------------------------------------------------------------

OTHER = "arn:aws:iam::111122223333:root"


def test_the_allowlist_step_shows_other_principals_and_removes_them(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    link = build_link(aws, seeded.tunnel_instance_id, name=LINK, port=22)
    step = steps.AllowlistStep()
    assert [r.key for r in step.check(link)] == ["principal"]
    service = link.record.endpoint_service_id
    es.allow_principal(aws, service, OTHER)
    aws.ec2.modify_vpc_endpoint_service_permissions(ServiceId=service, AddAllowedPrincipals=["*"])

    row = {r.key: r for r in step.check(link)}["other-principals"]

    assert not row.ok and row.warning and not row.required  # shown, Next stays open
    assert row.label == "Any AWS account may connect"
    assert "any AWS account can request a connection" in row.reason and OTHER in row.reason
    assert row.fix.startswith("Remove ") and f"so only {RIVERY.principal} may request" in row.fix
    # A malformed principal: no comparison with it.
    assert [r.key for r in step.check(_reopen(link, principal="arn:aws:iam::1:root"))] == ["principal"]

    message = step.fix(link, "other-principals")

    assert es.allowed_principals(aws, service) == [RIVERY.principal]
    assert message.endswith(f"from the allow list; allowed now: {RIVERY.principal}.")
    assert step.fix(link, "other-principals") == f"Only {RIVERY.principal} is allowed; nothing to remove."
    assert es.remove_principals(aws, service, [OTHER]) == [RIVERY.principal]  # idempotent
