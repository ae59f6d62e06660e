"""The target sync as part of the target group step: offered by default for a database reached
by IP (RDS, Aurora, Multi-AZ cluster, RDS Proxy), previewed with its cost, deployed once the
targets are registered, and removed by a re-run that no longer asks for it (`--no-sync`)."""

from __future__ import annotations

from wizard.aws import discovery, network, sync_deploy, target_sync
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LinkRecord
from wizard.state import RecordStore
from wizard.steps.link import Link, PreviewItem, Progress, quiet


def source_ids(link: Link) -> list[str]:
    """The RDS events' sources to react to: the database, and a cluster's writer."""
    source = link.plan.source
    return list(dict.fromkeys(i for i in (source.id, source.writer_instance_id) if i))


def sync_config(link: Link, tg_arn: str) -> target_sync.Config:
    source = link.plan.source
    return target_sync.Config(tg_arn, link.plan.port, source.kind.value, source.id, source.vpc_id)


def database_configs(record: LinkRecord, vpc_id: str, but: str = "") -> list[target_sync.Config]:
    """The sync's settings for each database of the link reached by IP (all but `but`), in the
    record's order: one function keeps all their target groups filled."""
    return [
        target_sync.Config(d.target_group_arn, d.port, d.source_kind, d.source_id, vpc_id)
        for d in record.all_databases()
        if d.source_id != but and d.target_group_arn and d.source_kind != "ec2-instance"
    ]


def sync_preview(link: Link) -> list[PreviewItem]:
    plan = link.plan
    if plan.source.target_type != "ip":
        return []
    found = sync_deploy.find_sync(link.aws, plan.name)
    name = sync_deploy.function_name(plan.name)
    if plan.wants_target_sync:
        return [
            PreviewItem(
                "reuse" if found.deployed else "create",
                f"target sync '{name}' (AWS Lambda, every 5 minutes and on the database's failover "
                "or maintenance events)",
                "keeps the target group on the database's current address; " + sync_deploy.COST_WORDS,
            )
        ]
    if found.resources():
        return [PreviewItem("remove", f"target sync '{name}'", "not asked for (--no-sync)")]
    return []


def apply_sync(link: Link, tg_arn: str, progress: Progress = quiet) -> None:
    """Deploy (or bring up to date) the link's target sync, or remove one no longer asked for."""
    plan, record = link.plan, link.record
    if plan.source.target_type != "ip":  # a server is registered by instance id: nothing follows
        return

    def note(kind: str, resource_id: str) -> None:
        record.note_created(kind, resource_id)
        link.save()

    if plan.wants_target_sync:
        progress("Deploying the target sync (AWS Lambda) that follows the database's address…")
        account = record.account_id or "*"  # (only names the log group in the role's policy)
        config = sync_config(link, tg_arn)
        # The databases added to the link keep their place in the function's settings.
        others = database_configs(record, plan.source.vpc_id, but=plan.source.id)
        ids = source_ids(link) + [c.source_id for c in others]
        sync_deploy.deploy(link.aws, plan.name, account, [config, *others], ids, note)
        # Its first run, here: it notes the state it starts from (a cluster's writer) at once.
        try:
            target_sync.run(config, link.aws, lambda host: network.resolve_host(host))
        except target_sync.NoTargets as exc:
            raise UserError(exc.what, exc.why, exc.fix) from None
        return
    found = sync_deploy.find_sync(link.aws, plan.name).resources()
    for kind, resource_id, name in found:
        progress(f"Removing the target sync's {name}…")
        sync_deploy.remove_part(link.aws, kind, resource_id)
    if found:
        gone = {resource_id for _, resource_id, _ in found}
        record.created = [r for r in record.created if r.id not in gone]
        link.save()


def config_for(aws: AwsContext, name: str, record: LinkRecord | None) -> target_sync.Config:
    """What a reconcile of the link works on: the deployed function's own settings, else the
    link's record (its database, port) and its target group."""
    env = sync_deploy.find_sync(aws, name).environment
    if env:
        return target_sync.Config.from_environment(env)
    groups = tg.find_target_groups(aws, name)
    group = next((g for g in groups if record and g.port == record.port), groups[0] if groups else None)
    if group is None or record is None or not record.source_id:
        raise UserError(
            f"The link '{name}' has no target group or saved record to sync",
            "The sync needs the link's target group and its database.",
            "Run `privatelink-wizard setup` for the link, or check --name and --region.",
            exit_code=2,
        )
    source = discovery.find_data_source(aws, record.source_id)
    if source.target_type != "ip":
        raise UserError(
            f"The link '{name}' points at the server {source.id} itself, which keeps its address",
            "Only a database reached by IP (RDS, Aurora, RDS Proxy) needs its targets synced.",
            exit_code=2,
        )
    return target_sync.Config(group.arn, group.port, source.kind.value, source.id, source.vpc_id)


def run_sync(
    aws: AwsContext, store: RecordStore, account_id: str, name: str, wait: float = 0
) -> tuple[target_sync.SyncResult, target_sync.Config]:
    """One reconcile of the link's targets, under the link's lock: the deployed function's code,
    run here (`privatelink-wizard sync`)."""
    with store.locked(account_id, aws.region, name, wait=wait):
        config = config_for(aws, name, store.load(account_id, aws.region, name))
        try:
            result = target_sync.run(config, aws, lambda host: network.resolve_host(host))
        except target_sync.NoTargets as exc:
            raise UserError(exc.what, exc.why, exc.fix) from None
        return result, config


def run_sync_others(
    aws: AwsContext, store: RecordStore, account_id: str, name: str, wait: float = 0
) -> list[tuple[target_sync.SyncResult, target_sync.Config]]:
    """One reconcile of each database added to the link (`privatelink-wizard add`), under the
    link's lock: the deployed function's settings, else the record's databases reached by IP."""
    with store.locked(account_id, aws.region, name, wait=wait):
        env = sync_deploy.find_sync(aws, name).environment
        record = store.load(account_id, aws.region, name)
        if env:
            configs = target_sync.configs_from_environment(env)[1:]
        elif record is not None:
            vpc = discovery.find_data_source(aws, record.source_id).vpc_id if record.source_id else ""
            configs = database_configs(record, vpc, but=record.source_id)
        else:
            configs = []
        results = []
        for config in configs:
            try:
                result = target_sync.run(config, aws, lambda host: network.resolve_host(host))
            except target_sync.NoTargets as exc:
                raise UserError(exc.what, exc.why, exc.fix) from None
            results.append((result, config))
        return results
