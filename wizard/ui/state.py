"""The one plain object every page reads and writes (instead of QWizard field strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Type-only: the AWS side (boto3) loads when the first worker runs, the model after the
    # first window is shown, so that window appears fast.
    from wizard.aws.session import AwsContext, Credentials, Identity
    from wizard.consumers import Consumer
    from wizard.model import DataSource, LinkPlan, LinkRecord


@dataclass(eq=False)  # one shared, changing object: equal only to itself
class WizardState:
    consumer: Consumer
    endpoint_url: str | None = None
    demo: bool = False
    # Credentials page
    credentials: Credentials | None = None
    region: str = ""
    aws: AwsContext | None = None
    identity: Identity | None = None
    # Data source page
    source: DataSource | None = None
    # Load balancer / target group / allow-list pages (the LinkPlan fields)
    link_name: str = ""
    port: int = 0
    subnet_ids: tuple[str, ...] = ()
    cross_zone: bool = True
    target_sync: bool = True  # deploy the target sync (the target group page's checkbox)
    consumer_regions: tuple[str, ...] = ()  # other regions offered (the endpoint service page's option)
    principal: str = ""
    # The opened link (wizard.steps.Link) once the plan is settled
    link: Any = None
    # A saved record the user chose to continue; consumed once the credentials are checked
    resume: LinkRecord | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.identity.account_id if self.identity else ""

    def plan(self) -> LinkPlan:
        """The LinkPlan from what the pages collected so far (source and region must be set)."""
        from wizard.model import LinkPlan  # not imported before the first window is shown

        if self.source is None:
            raise ValueError("no data source chosen yet")
        return LinkPlan.of(
            name=self.link_name,
            region=self.region,
            source=self.source,
            port=self.port,
            subnet_ids=self.subnet_ids,
            consumer=self.consumer,
            principal=self.principal,
            cross_zone=self.cross_zone,
            target_sync=self.target_sync,
            consumer_regions=self.consumer_regions,
        )

    def forget_aws(self) -> None:
        """New credentials or region: everything learnt from the old account is stale."""
        self.aws = None
        self.identity = None
        self.source = None
        self.link = None
