"""The wizard's pages, in order (QWizard.setPage ids)."""

from __future__ import annotations

from enum import IntEnum


class PageId(IntEnum):
    CREDENTIALS = 0
    SOURCE = 1
    NLB = 2
    TARGET_GROUP = 3
    ENDPOINT_SERVICE = 4
    ALLOWLIST = 5
    SERVICE_NAME = 6
    ACCEPT = 7
    DONE = 8


# The page of each engine step (wizard.steps ids), for resuming where a saved link stopped.
STEP_PAGES: dict[str, PageId] = {
    "nlb": PageId.NLB,
    "target_group": PageId.TARGET_GROUP,
    "endpoint_service": PageId.ENDPOINT_SERVICE,
    "allowlist": PageId.ALLOWLIST,
}


def resume_page(completed_steps: list[str]) -> PageId:
    """The first page whose step is not completed yet."""
    for step, page in STEP_PAGES.items():
        if step not in completed_steps:
            return page
    return PageId.DONE if "accept" in completed_steps else PageId.SERVICE_NAME
