"""Step 2 of the build: the target group, listener and targets; the database's checks and fixes;
converging a link whose port changed."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.aws import converge, link_databases, network, nlb, nlb_security, rds_params
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.aws.teardown_plan import remember_rules
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind
from wizard.steps.link import Link, PreviewItem, Progress, Step, quiet, require_nlb
from wizard.steps.sync import apply_sync, sync_preview


def database_checks(
    aws: AwsContext,
    source: DataSource,
    port: int,
    link_name: str,
    balancer: nlb.NlbInfo | None,
    planned_subnets: Sequence[str] = (),
) -> list[CheckRow]:
    """What the database must allow for the link to carry traffic: the one source of these
    checks and their words, for the target group page, setup and the link's status."""
    subnet_ids = balancer.subnet_ids if balancer else tuple(planned_subnets)
    sgs = balancer.security_group_ids if balancer else ()
    rows = [network.check_security_group(aws, source, port, subnet_ids, sgs)]
    if balancer:
        rows.append(nlb_security.check_nlb_sg_enforcement(aws, balancer.arn))
    if source.is_mysql_family:
        rows.append(rds_params.check_skip_name_resolve(aws, source, link_name))
        rows.append(rds_params.check_max_connect_errors(aws, source, link_name))
    if source.kind is SourceKind.RDS_PROXY and source.is_postgres_family:
        rows.append(
            CheckRow(
                "proxy-cdc",
                True,
                "RDS Proxy does not carry PostgreSQL change data capture",
                warning=True,
                required=False,
                reason=f"{source.id} is an RDS Proxy for PostgreSQL: logical replication (CDC) "
                "connections cannot go through an RDS Proxy, so the platform's CDC would fail.",
                fix="For CDC, create a link to the database instance itself; keep this one for "
                "ordinary queries.",
            )
        )
    return rows


class TargetGroupStep(Step):
    id = "target_group"
    title = "Target group"

    def targets(self, link: Link) -> list[str]:
        source = link.plan.source
        if source.target_type == "instance":
            return [source.id]
        return network.resolve_target_ips(link.aws, source)

    def check(self, link: Link) -> list[CheckRow]:
        plan = link.plan
        return database_checks(
            link.aws, plan.source, plan.port, plan.name, nlb.find_nlb(link.aws, plan.name), plan.subnet_ids
        )

    def preview(self, link: Link) -> list[PreviewItem]:
        plan = link.plan
        items = []
        kind = "IP addresses" if plan.source.target_type == "ip" else "the server"
        # Look in AWS, not the local record: after a crash the record may miss what exists.
        existing = nlb.find_nlb(link.aws, plan.name)
        group = tg.find_target_group(link.aws, plan.name, plan.target_group_name)
        listening = existing is not None and any(
            ls["Port"] == plan.port for ls in tg.listeners(link.aws, existing.arn)
        )
        items.append(
            PreviewItem(
                "reuse" if group else "create",
                f"TCP target group '{plan.target_group_name}' on port {plan.port}",
                f"targets: {kind}; proxy protocol, client IP preservation and stickiness off",
            )
        )
        items.append(
            PreviewItem(
                "reuse" if listening else "create",
                f"TCP listener on port {plan.port}",
                f"on load balancer {existing.name if existing else plan.nlb_name}",
            )
        )
        items += sync_preview(link)
        # What the link has but no longer asks for (the old port's listener, target group and
        # firewall rule): a re-run removes it, so the old port is not left reachable.
        for old in leftovers(link, existing):
            if old.ours:
                items.append(PreviewItem("remove", old.describe(), _REMOVE_WHY[old.kind]))
        return items

    def apply(self, link: Link, progress: Progress = quiet) -> None:
        plan, record = link.plan, link.record
        found = require_nlb(link)
        progress("Creating (or finding) the target group…")
        info, _ = tg.find_or_create_target_group(
            link.aws,
            plan.name,
            plan.target_group_name,
            plan.source.vpc_id,
            plan.port,
            plan.source.target_type,
            on_created=link.created("target-group"),
            database=plan.source.id,
        )
        record.target_group_arn = info.arn
        link.save()
        progress("Turning off proxy protocol, client IP preservation and stickiness…")
        tg.configure_target_group(link.aws, info.arn)
        progress(f"Creating (or finding) the listener on port {plan.port}…")
        record.listener_arn, _ = tg.find_or_create_listener(
            link.aws,
            plan.name,
            found.arn,
            plan.port,
            info.arn,
            on_created=link.created("listener"),
            database=plan.source.id,
        )
        link.save()
        targets = self.targets(link)
        progress(f"Registering targets: {', '.join(targets)}…")
        tg.sync_targets(link.aws, info.arn, targets, plan.port)
        apply_sync(link, info.arn, progress)
        _remove_leftovers(link, found, progress)
        record.mark_done(self.id)
        link.save()

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        plan = link.plan
        if key == "security-group":
            found = nlb.find_nlb(link.aws, plan.name)
            subnets = found.subnet_ids if found else plan.subnet_ids
            groups = found.security_group_ids if found else ()
            rules = network.fix_security_group(link.aws, plan.source, plan.port, subnets, plan.name, groups)
            for rule in rules:
                link.record.note_created("security-group-rule", rule)
            link.save()
            remember_rules(link.aws, link.record, rules)  # what each allows: teardown's exact match
            link.save()
            if not rules:
                return "The database's security group already allows the load balancer."
            if groups:
                return (
                    f"Added an inbound rule on port {plan.port} to the database's security group "
                    f"for the load balancer's security group {groups[0]}."
                )
            return (
                f"Added {len(rules)} inbound rule(s) on port {plan.port} to the database's "
                "security group for the load balancer's subnets."
            )
        if key == "nlb-sg-enforcement":
            nlb_security.fix_nlb_sg_enforcement(link.aws, require_nlb(link).arn)
            return "The load balancer no longer filters PrivateLink traffic by security group."
        if key in ("skip-name-resolve", "max-connect-errors"):
            if key == "skip-name-resolve":
                result = rds_params.fix_skip_name_resolve(
                    link.aws, plan.source, plan.name, allow_reboot=allow_reboot
                )
            else:
                result = rds_params.fix_max_connect_errors(link.aws, plan.source, plan.name)
            # Only the link's own group is the wizard's (teardown keeps it: the database uses it).
            if result.parameter_group == rds_params.link_group_name(plan.name):
                link.record.note_created("db-parameter-group", result.parameter_group)
                link.save()
            return result.message
        if key == "refresh-targets":
            # After an RDS failover the database's IPs change: register the ones it has now.
            arn = link.record.target_group_arn
            if not arn:
                found_tg = tg.find_target_group(link.aws, plan.name, plan.target_group_name)
                if found_tg is None:
                    raise UserError(
                        "The target group of this link does not exist",
                        fix="Run the target group step (or setup) again to create it.",
                    )
                arn = found_tg.arn
            sync = tg.sync_targets(link.aws, arn, self.targets(link), plan.port)
            if not sync.changed:
                return f"The target group already points at {', '.join(sync.current)}."
            parts = []
            if sync.registered:
                parts.append(f"registered {', '.join(sync.registered)}")
            if sync.deregistered:
                parts.append(f"removed {', '.join(sync.deregistered)}")
            return "Targets updated: " + "; ".join(parts) + "."
        if key == "remove-leftovers":
            removed = _remove_leftovers(link, nlb.find_nlb(link.aws, plan.name))
            if not removed:
                return f"The link has nothing left over from another port than {plan.port}."
            return "Removed " + "; ".join(r.describe() for r in removed) + "."
        return super().fix(link, key, allow_reboot)


_REMOVE_WHY = {
    "listener": "it forwards the old port; the link now uses only the port asked",
    "target-group": "the old port's target group, once its listener is gone",
    "security-group-rule": "the database's firewall rule the wizard added for the old port",
}


def leftovers(link: Link, balancer: nlb.NlbInfo | None) -> list[converge.Leftover]:
    """What the link has but no longer asks for; the databases added to it are asked for too."""
    plan = link.plan
    others = link_databases.others_wanted(link.aws, plan.name, plan.source.id, link.record, balancer)
    return converge.find_leftovers(link.aws, plan.name, plan.port, plan.target_group_name, balancer, others)


def _remove_leftovers(
    link: Link, balancer: nlb.NlbInfo | None, progress: Progress = quiet
) -> list[converge.Leftover]:
    """Remove what the link no longer asks for (its caller holds the link's lock: apply_step,
    apply_fix) and forget it in the record; say what stays because the wizard did not make it."""
    found = leftovers(link, balancer)
    for other in (f for f in found if not f.ours):
        progress(
            f"Leaving the {other.describe()} alone: the wizard did not create it. Remove it in "
            "the EC2 console if the platform must not reach that port."
        )
    removed = converge.remove_leftovers(link.aws, found, progress)
    if removed:
        gone = {r.id for r in removed}
        link.record.created = [r for r in link.record.created if r.id not in gone]
        link.save()
    return removed
