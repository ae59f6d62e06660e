"""Steps 3 and 4 of the build: the endpoint service, and the platform on its allow list."""

from __future__ import annotations

from wizard import costs
from wizard.aws import discovery, endpoint_service, nlb, service_regions
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.steps.link import Link, PreviewItem, Progress, Step, quiet, require_nlb
from wizard.validators import validate_principal


class EndpointServiceStep(Step):
    id = "endpoint_service"
    title = "Endpoint service"

    def check(self, link: Link) -> list[CheckRow]:
        found = nlb.find_nlb(link.aws, link.plan.name)
        starting = found is not None and found.state == "provisioning"
        rows = [
            CheckRow(
                "nlb-active",
                bool(found and found.state in ("active", "provisioning")),
                "The load balancer is active",
                warning=starting,
                reason=""
                if found and found.state == "active"
                else "AWS is still starting it; creating the service waits until it is active."
                if starting
                else f"It is '{found.state}'; set the load balancer up again."
                if found
                else "Create the load balancer first.",
            )
        ]
        return rows + _cross_region_rows(link, found)

    def preview(self, link: Link) -> list[PreviewItem]:
        existing = endpoint_service.find_endpoint_service(link.aws, link.plan.name)
        wanted = link.plan.consumer_regions
        if existing:
            items = [PreviewItem("reuse", f"Endpoint service {existing.id}", existing.state)]
            offered = list(service_regions.other_regions(existing, link.plan.region))
            change = service_regions.change_for(offered, wanted)
        else:
            items = [
                PreviewItem(
                    "create",
                    "VPC endpoint service in front of the load balancer",
                    "every connection request must be accepted by you",
                )
            ]
            change = service_regions.RegionChange(add=wanted)
        items += [
            PreviewItem("change", f"Offer the endpoint service in {r} too", "the platform connects from it")
            for r in change.add
        ]
        items += [
            PreviewItem(
                "remove",
                f"the endpoint service's offer in {r}",
                "endpoints the platform already made there keep working",
            )
            for r in change.remove
        ]
        cost = costs.cross_region_cost(link.plan.region, wanted)
        if cost is not None:
            items.append(PreviewItem("cost", cost.line()))
        return items

    def apply(self, link: Link, progress: Progress = quiet) -> None:
        found = require_nlb(link)
        if found.state != "active":
            progress("Waiting for AWS to finish starting the load balancer (a few minutes)…")
        nlb.ready_nlb(link.aws, found.arn, link.plan.cross_zone)
        progress("Creating (or finding) the endpoint service and waiting until it is available…")
        wanted = link.plan.consumer_regions
        info, _ = endpoint_service.find_or_create_endpoint_service(
            link.aws,
            link.plan.name,
            found.arn,
            on_created=link.created("endpoint-service"),
            supported_regions=wanted,
        )
        link.record.endpoint_service_id = info.id
        if wanted or service_regions.other_regions(info, link.plan.region):
            progress(f"Offering the service in {', '.join(wanted) or 'its own region only'}…")
            info = service_regions.converge(link.aws, info.id, link.plan.region, wanted)
        link.record.consumer_regions = list(wanted)
        link.record.service_name = info.name
        link.record.az_ids = endpoint_service.zone_ids(link.aws, info)
        link.record.mark_done(self.id)
        link.save()
        progress(f"Endpoint service ready: {info.name}")


def _cross_region_rows(link: Link, found: nlb.NlbInfo | None) -> list[CheckRow]:
    """A cross-region link: AWS serves other regions only from at least two zones that support it
    (PrivateLink guide, "Cross-Region access")."""
    wanted = link.plan.consumer_regions
    if not wanted:
        return []
    subnet_ids = found.subnet_ids if found else link.plan.subnet_ids
    zones = {
        s.availability_zone_id
        for s in discovery.list_subnets(link.aws, link.plan.source.vpc_id)
        if s.subnet_id in subnet_ids
    }
    eligible = sorted(zones - service_regions.NO_CROSS_REGION_ZONES)
    left_out = sorted(zones & service_regions.NO_CROSS_REGION_ZONES)
    ok = len(eligible) >= 2
    why = (
        f"The load balancer's zones that can serve other regions: {', '.join(eligible) or 'none'}"
        + (f" ({', '.join(left_out)} cannot)" if left_out else "")
        + ". AWS offers an endpoint service in other regions only from at least two such zones. "
        "Build the link with subnets in two of them, or leave the other region out (the window's "
        "cross-region option, setup's --consumer-region)."
    )
    # No `fix`: nothing the wizard can change here (a row with a fix gets a Fix button).
    return [
        CheckRow(
            "cross-region-zones",
            ok,
            f"The service can be offered in {', '.join(wanted)}",
            reason="" if ok else why,
        )
    ]


class AllowlistStep(Step):
    id = "allowlist"
    title = "Allow the platform"

    def check(self, link: Link) -> list[CheckRow]:
        try:
            validate_principal(link.plan.principal)
            ok, reason = True, ""
        except UserError as exc:
            ok, reason = False, exc.paragraph()
        rows = [CheckRow("principal", ok, "The platform's principal (ARN) is valid", reason)]
        others = self.other_principals(link) if ok else []
        if others:
            rows.append(_others_row(link.plan.principal, others))
        return rows

    def other_principals(self, link: Link) -> list[str]:
        """Who else the endpoint service allows besides the link's principal (e.g. the one an
        earlier run allowed, or '*' added in the console): each can request a connection."""
        try:
            allowed = allowed_principals(link)
        except UserError as exc:
            if "NotFound" not in exc.code:
                raise
            allowed = []  # the service was removed outside the wizard: its step makes it again
        return [p for p in allowed if p != link.plan.principal]

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        if key != "other-principals":
            return super().fix(link, key, allow_reboot)
        others = self.other_principals(link)
        if not others:
            return f"Only {link.plan.principal} is allowed; nothing to remove."
        left = endpoint_service.remove_principals(link.aws, link.record.endpoint_service_id, others)
        return f"Removed {', '.join(others)} from the allow list; allowed now: {', '.join(left) or 'nobody'}."

    def preview(self, link: Link) -> list[PreviewItem]:
        return [
            PreviewItem(
                "change",
                f"Allow {link.plan.principal} to connect",
                f"on endpoint service {link.record.endpoint_service_id or '(new)'}",
            )
        ]

    def apply(self, link: Link, progress: Progress = quiet) -> None:
        principal = validate_principal(link.plan.principal)
        service_id = link.record.endpoint_service_id
        if not service_id:
            raise UserError(
                "The endpoint service does not exist yet",
                fix="Run the endpoint service step first.",
            )
        progress(f"Allowing {principal} to connect…")
        endpoint_service.allow_principal(link.aws, service_id, principal)
        link.record.principal = principal
        link.record.mark_done(self.id)
        link.save()


def _others_row(principal: str, others: list[str]) -> CheckRow:
    anyone = "*" in others
    named = [p for p in others if p != "*"]
    reason = (
        "'*' is on the allow list: any AWS account can request a connection to the endpoint "
        "service (each request still waits for your acceptance). "
        if anyone
        else ""
    ) + (
        f"{', '.join(named)} {'is' if len(named) == 1 else 'are'} allowed besides {principal} "
        "and stays allowed unless removed: each can still request a connection. "
        if named
        else ""
    )
    return CheckRow(
        "other-principals",
        False,
        "Any AWS account may connect" if anyone else "Other principals are allowed to connect",
        reason=reason.strip(),
        fix=f"Remove {', '.join(others)} from the endpoint service's allow list, so only "
        f"{principal} may request a connection.",
        required=False,
        warning=True,
    )


def allowed_principals(link: Link) -> list[str]:
    if not link.record.endpoint_service_id:
        return []
    return endpoint_service.allowed_principals(link.aws, link.record.endpoint_service_id)
