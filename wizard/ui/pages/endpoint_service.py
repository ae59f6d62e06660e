"""Page 5: the VPC endpoint service (acceptance required) in front of the load balancer, and,
when the platform does not connect from the link's region, the offer of its nearest region."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel

from wizard import consumer_regions, costs
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

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.cross_region = QCheckBox()
        self.cross_region.setObjectName("crossRegion")
        self.cross_region.setAccessibleName("Offer the service in the platform's region")
        self.other_region = QComboBox()
        self.other_region.setObjectName("consumerRegion")
        self.other_region.setAccessibleName("The platform's region")
        self.region_note = QLabel()
        self.region_note.setObjectName("crossRegionNote")
        self.region_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.cross_region)
        row.addWidget(self.other_region)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addWidget(self.region_note)
        self.cross_region.toggled.connect(self._option_changed)
        self.other_region.currentIndexChanged.connect(self._option_changed)

    def initializePage(self) -> None:
        state = self.state
        platform = state.consumer
        ordered = consumer_regions.nearest_first(state.region, platform.regions)
        # Offered where the platform does not connect from the link's region (or a resumed link
        # already offers another region).
        offer = bool(ordered) and (not platform.supports_region(state.region) or bool(state.consumer_regions))
        for widget in (self.cross_region, self.other_region, self.region_note):
            widget.setVisible(offer)
        if offer:
            chosen = state.consumer_regions[0] if state.consumer_regions else ordered[0]
            self.other_region.blockSignals(True)
            self.other_region.clear()
            for region in ordered:
                nearest = " (nearest)" if region == ordered[0] else ""
                self.other_region.addItem(f"{region}{nearest}", region)
            self.other_region.setCurrentIndex(max(0, self.other_region.findData(chosen)))
            self.other_region.blockSignals(False)
            self.cross_region.blockSignals(True)
            self.cross_region.setText(f"Also offer it in {platform.display_name}'s region:")
            # Pre-ticked: the platform cannot connect from this region otherwise. The preview
            # says what it costs before anything is created.
            resumed = state.link is not None and "endpoint_service" in state.link.record.completed_steps
            self.cross_region.setChecked(bool(state.consumer_regions) or not resumed)
            self.cross_region.blockSignals(False)
        else:
            state.consumer_regions = ()
        self._describe()
        super().initializePage()

    def _option_changed(self) -> None:
        self._describe()
        self.schedule_refresh()

    def store_inputs(self) -> None:
        if self.cross_region.isVisible() or self.cross_region.isVisibleTo(self):
            chosen = self.other_region.currentData()
            self.state.consumer_regions = (str(chosen),) if self.cross_region.isChecked() and chosen else ()

    def _describe(self) -> None:
        state = self.state
        platform = state.consumer.display_name
        chosen = str(self.other_region.currentData() or "")
        self.other_region.setEnabled(self.cross_region.isChecked())
        if self.cross_region.isChecked() and chosen:
            cost = costs.cross_region_cost(state.region, (chosen,))
            price = f"about ${min(cost.per_gb.values()):g} per GB" if cost else "per GB"
            self.region_note.setText(
                f"{platform} connects from {chosen}, not from {state.region}: with this option it "
                f"reaches your database across regions. Traffic between them costs {price} "
                "(inter-region data transfer)."
            )
        else:
            self.region_note.setText(
                f"{platform} does not connect from {state.region}: without this option, ask "
                f"{state.consumer.support_contact or platform} to enable {state.region}."
            )

    def after_evaluate(self) -> None:
        link: Any = self.state.link
        # Once the service exists, a change of regions is a re-run of setup (the CLI converges it).
        self.cross_region.setEnabled(not self.done)
        self.other_region.setEnabled(not self.done and self.cross_region.isChecked())
        if self.done and link is not None and link.record.service_name:
            also = ", ".join(link.record.consumer_regions)
            self.set_status(f"Available: {link.record.service_name}" + (f" (also in {also})" if also else ""))
