"""The CLI's subcommands over the engine, one module each; `wizard.cli` parses the arguments and
calls the handler of the same name (`list` is `list_links`)."""

from wizard.commands.accept import accept
from wizard.commands.account import login, preflight, profiles
from wizard.commands.databases import add, remove
from wizard.commands.notify import notify
from wizard.commands.setup import setup
from wizard.commands.status import list_links, status
from wizard.commands.sync import sync
from wizard.commands.teardown import teardown

__all__ = [
    "accept",
    "add",
    "list_links",
    "login",
    "notify",
    "preflight",
    "profiles",
    "remove",
    "setup",
    "status",
    "sync",
    "teardown",
]
