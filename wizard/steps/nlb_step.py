"""Step 1 of the build: the internal load balancer (and its own security group)."""

from __future__ import annotations

from wizard import costs
from wizard.aws import discovery, nlb, nlb_security
from wizard.checks import CheckRow
from wizard.steps.link import Link, PreviewItem, Progress, Step, quiet


class NlbStep(Step):
    id = "nlb"
    title = "Load balancer"

    def check(self, link: Link) -> list[CheckRow]:
        plan = link.plan
        listed = discovery.list_subnets(link.aws, plan.source.vpc_id)
        subnets = {s.subnet_id: s for s in listed}
        unknown = [s for s in plan.subnet_ids if s not in subnets]
        unusable = [subnets[s] for s in plan.subnet_ids if s in subnets and subnets[s].problem]
        zones = {subnets[s].availability_zone for s in plan.subnet_ids if s in subnets}
        rows = [
            CheckRow(
                "subnets",
                bool(plan.subnet_ids) and not unknown,
                "Subnets are in the database's network",
                reason=(
                    f"Not in VPC {plan.source.vpc_id}: {', '.join(unknown)}"
                    if unknown
                    else ""
                    if plan.subnet_ids
                    else "Choose at least one subnet."
                ),
            ),
            CheckRow(
                "one-subnet-per-zone",
                len(zones) == len([s for s in plan.subnet_ids if s in subnets]),
                "At most one subnet per availability zone",
                reason=""
                if len(zones) == len(plan.subnet_ids)
                else "A load balancer takes one subnet per zone; untick the extra ones.",
            ),
            CheckRow(
                "usable-subnets",
                not unusable,
                "The load balancer can use these subnets",
                reason="; ".join(f"{s.subnet_id}: {s.problem}" for s in unusable)
                + (". Untick it and choose a subnet in another zone." if unusable else ""),
            ),
        ]
        left_out = discovery.left_out_zones(listed, plan.subnet_ids, "no subnet is chosen there")
        if left_out:
            rows.append(
                CheckRow(
                    "left-out-zones",
                    True,
                    "Availability zones the load balancer leaves out",
                    warning=True,
                    required=False,
                    reason=discovery.left_out_note(left_out),
                )
            )
        if len(zones) == 1 and not plan.cross_zone:
            rows.append(
                CheckRow(
                    "single-zone",
                    True,
                    "Only one availability zone",
                    warning=True,
                    required=False,
                    reason="With one zone the link stops if that zone has an outage.",
                )
            )
        return rows

    def preview(self, link: Link) -> list[PreviewItem]:
        existing = nlb.find_nlb(link.aws, link.plan.name)
        if existing:
            return [PreviewItem("reuse", f"Load balancer '{existing.name}'", existing.state)]
        plan = link.plan
        zones = "on" if plan.cross_zone else "off"
        group = next(
            (
                g
                for g in nlb_security.find_nlb_security_groups(link.aws, plan.name)
                if g.vpc_id == plan.source.vpc_id
            ),
            None,
        )
        return [
            PreviewItem(
                "reuse" if group else "create",
                f"Security group '{group.name if group else nlb_security.group_name(plan.name)}' "
                "for the load balancer",
                f"in {plan.source.vpc_id}; the database will allow only this group on port "
                f"{plan.port}; PrivateLink traffic is not filtered by it",
            ),
            PreviewItem(
                "create",
                f"Internal network load balancer '{plan.nlb_name}'",
                f"in {plan.source.vpc_id}, subnets {', '.join(plan.subnet_ids)}, cross-zone {zones}",
            ),
            # What the new resources cost, before anything is made (only the load balancer costs).
            PreviewItem("cost", (cost := costs.monthly_cost(link.aws.region)).summary(), cost.detail()),
        ]

    def apply(self, link: Link, progress: Progress = quiet) -> None:
        plan = link.plan
        progress(f"Creating (or finding) the load balancer '{plan.nlb_name}'…")
        arn, created = nlb.start_nlb(
            link.aws,
            plan.name,
            plan.source.vpc_id,
            plan.subnet_ids,
            on_created=link.created("nlb"),
            on_security_group_created=link.created("security-group"),
        )
        info = nlb.describe_nlb(link.aws, arn)
        link.record.nlb_arn = info.arn
        link.record.nlb_dns_name = info.dns_name
        link.record.mark_done(self.id)
        link.save()
        # AWS provisions a new one for a few minutes: the target group and listener are made
        # meanwhile, and the endpoint service step waits for it to be active.
        starting = " (AWS takes a few minutes to start it; the next steps go on meanwhile)"
        progress(
            f"Load balancer {'created' if created else 'found'}: {info.name} ({info.state})"
            + (starting if info.state == "provisioning" else "")
            + "."
        )
