"""The error every layer raises for the user to read: what happened, why, and what to do.
Kept free of boto3 so the window can start without importing it (wizard.aws.errors turns AWS
exceptions into these)."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_AWS = 1
EXIT_BAD_INPUT = 2
EXIT_TIMEOUT = 3


@dataclass(eq=False)  # an exception is itself: equal only to itself, and hashable
class UserError(Exception):
    """What happened, why it probably happened, and what to do next."""

    what: str
    why: str = ""
    fix: str = ""
    permission: str = ""  # the IAM action that was denied, when known
    step: str = ""  # the step that was running ("Creating the load balancer")
    exit_code: int = EXIT_AWS
    code: str = ""  # the AWS error code, for support

    def __post_init__(self) -> None:
        super().__init__(self.what)

    def __str__(self) -> str:
        return self.paragraph()

    def paragraph(self) -> str:
        parts = [f"{self.step}: {self.what}" if self.step else self.what]
        if self.why:
            parts.append(f"Why: {self.why}")
        if self.fix:
            parts.append(f"What to do: {self.fix}")
        return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)


def bad_input(what: str, fix: str = "", why: str = "") -> UserError:
    return UserError(what=what, why=why, fix=fix, exit_code=EXIT_BAD_INPUT)


def file_error(exc: OSError, doing: str) -> UserError:
    """A file-system failure as a message naming the path: `doing` is e.g. "write the report"."""
    import errno

    path = exc.filename or "the file"
    why = exc.strerror or str(exc)
    if exc.errno == errno.EISDIR:
        return bad_input(
            f"Could not {doing}: {path} is a folder", "Give a file name, such as report.zip.", why
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        fix = f"Make {path} (or its folder) writable and readable by you, or choose another place."
    elif exc.errno == errno.EROFS:
        fix = "That disk is read-only: choose a place on another disk."
    elif exc.errno == errno.ENOSPC:
        fix = "Free some disk space, then run the same command again."
    elif exc.errno == errno.ENOENT:
        fix = f"Check that the folder of {path} exists."
    else:
        fix = f"Check {path} and its folder, then try again."
    return UserError(what=f"Could not {doing} ({path})", why=why, fix=fix, exit_code=EXIT_BAD_INPUT)
