"""Page 5: the VPC endpoint service (acceptance required) in front of the load balancer."""

from __future__ import annotations

from typing import Any

from wizard.ui.pages.step_page import StepPage


class EndpointServicePage(StepPage):
    STEP_ID = "endpoint_service"
    TITLE = "Endpoint service"
    ACTION_TEXT = "&Create the endpoint service"
    PENDING = "Checking the load balancer…"
    EXPLANATION = (
        "The endpoint service publishes your load balancer to other AWS accounts over "
        "PrivateLink, without opening anything to the internet. It is created with 'acceptance "
        "required': nobody can connect until you accept their request on a later page. AWS takes "
        "a moment to make it available; the wizard waits for it."
    )

    def after_evaluate(self) -> None:
        link: Any = self.state.link
        if self.done and link is not None and link.record.service_name:
            self.set_status(f"Available: {link.record.service_name}")
