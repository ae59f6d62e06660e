"""The question asked before a link's resources are deleted (after a failed step, and from the
home screen): teardown's preview in plain words."""

from __future__ import annotations

from typing import Any


def kept_note(kept_groups: list[str]) -> str:
    """What teardown leaves on purpose: the parameter group the database uses."""
    if not kept_groups:
        return ""
    return (
        "\n\nKept: the database parameter group "
        + ", ".join(kept_groups)
        + " (the database uses it; removing it would change the database)."
    )


def removal_question(plan: Any, link_name: str, note: str) -> str:
    """Everything the teardown plan (wizard.aws.teardown_plan.TeardownPlan) deletes, the
    connections it cuts off, what it leaves, and the question."""
    listing = "\n".join(f"• {r.describe()}" for r in plan.resources)
    cut_off = "".join(f"\n\n{line}." for line in plan.connection_lines())
    left = "".join(f"\n\n{r.line()}." for r in plan.left)
    return (
        f"These resources of the link '{link_name}' will be deleted from your AWS "
        f"account:\n{listing}{cut_off}{note}{left}\n\nNothing else is touched: only what "
        "carries this link's tags, and the firewall rules the wizard recorded as its own. "
        "Delete them now?"
    )
