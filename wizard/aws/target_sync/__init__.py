"""Keep a link's target group pointed at its database, unattended: the target sync.

Which addresses the link should have: the RDS API says who and where (the instance, a cluster's
current writer, a proxy) with its zone, subnets and security groups; EC2 lists the network
interfaces there; DNS only breaks a tie between several. Reconciling the target group: an address
the database has now is registered at once; one it no longer has is deregistered only after it
has been missing from MISSES_BEFORE_REMOVAL runs in a row (a passing wrong answer never cuts the
link), or at once when the RDS API names a new writer of a cluster (the old writer is a reader
now: it still passes TCP health checks but refuses writes). The state between runs lives in the
target group's own tags (TAG_* below): no database, no bucket.

The same module runs in two places: in the wizard (setup's checks, `privatelink-wizard sync`,
status) and, shipped alone, as the AWS Lambda function the wizard deploys (`handler`), where only
the standard library and boto3 exist. So it imports nothing else of the wizard except, when it
is there, `aws_step` (which names the IAM action of each call for the wizard's messages and
least-privilege checks); in Lambda a plain stand-in names the step and action in the error.
"""

from .addresses import (
    AURORA,
    MULTI_AZ_CLUSTER,
    RDS_INSTANCE,
    RDS_PROXY,
    NoTargets,
    Source,
    SyncError,
    desired_targets,
    locate,
    resolve_host,
)
from .reconcile import (
    MISSES_BEFORE_REMOVAL,
    TAG_LAST_RUN,
    TAG_MISSES,
    TAG_WRITER,
    Clients,
    Config,
    SyncResult,
    configs_from_environment,
    environment_of,
    handle,
    handler,
    last_run_text,
    parse_counts,
    parse_last_run,
    read_state,
    reconcile,
    run,
)

__all__ = [
    "AURORA",
    "MISSES_BEFORE_REMOVAL",
    "MULTI_AZ_CLUSTER",
    "RDS_INSTANCE",
    "RDS_PROXY",
    "TAG_LAST_RUN",
    "TAG_MISSES",
    "TAG_WRITER",
    "Clients",
    "Config",
    "NoTargets",
    "Source",
    "SyncError",
    "SyncResult",
    "configs_from_environment",
    "desired_targets",
    "environment_of",
    "handle",
    "handler",
    "last_run_text",
    "locate",
    "parse_counts",
    "parse_last_run",
    "read_state",
    "reconcile",
    "resolve_host",
    "run",
]
