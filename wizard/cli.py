"""The command line: the GUI by default, and the whole procedure as subcommands.

Exit codes: 0 done, 1 AWS refused or failed, 2 bad input, 3 timed out waiting. Errors print one
clear paragraph, never a traceback."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from wizard import APP_NAME, __version__
from wizard.errors import UserError, bad_input

EPILOG = """examples:
  privatelink-wizard --demo
  privatelink-wizard setup --region us-east-1 --source orders-mysql --yes
  privatelink-wizard accept --region us-east-1 --name plw-orders-mysql --wait 600
  privatelink-wizard notify --region us-east-1 --name plw-orders-mysql --email dba@example.com
  privatelink-wizard status --region us-east-1 --name plw-orders-mysql --report report.md
  privatelink-wizard teardown --region us-east-1 --name plw-orders-mysql --yes
exit codes: 0 done, 1 AWS refused or failed, 2 bad input, 3 timed out waiting"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a clear paragraph and exit code 2 (no usage dump)."""

    def error(self, message: str) -> Any:
        raise bad_input(f"{message.capitalize()}", f"Run `{self.prog} --help` for the options.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="privatelink-wizard",
        description=f"{APP_NAME}: expose an AWS database to a data platform over AWS PrivateLink.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the GUI on the built-in sandbox")
    parser.add_argument("--self-test", action="store_true", help="check this installation works")
    parser.add_argument("--endpoint-url", help="AWS endpoint override (default: AWS itself)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def aws_command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--region", required=True, help="AWS region of the database, e.g. us-east-1")
        p.add_argument("--profile", default="", help="AWS profile name (default: environment)")
        # Also after the command; SUPPRESS keeps a value given before it.
        p.add_argument("--endpoint-url", default=argparse.SUPPRESS, help="AWS endpoint override")
        p.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="print every AWS call with its AWS CLI equivalent",
        )
        return p

    p = aws_command(
        "setup",
        "Build the load balancer, target group and endpoint service, and allow the platform to connect.",
    )
    p.add_argument(
        "--source",
        required=True,
        help="RDS instance id, Aurora cluster id, RDS Proxy name or EC2 instance id",
    )
    p.add_argument("--port", help="database port (default: the database's own port)")
    p.add_argument("--principal", help="the platform's IAM principal ARN (default: the consumer's)")
    p.add_argument("--consumer", default="rivery", help="consumer profile id or .toml path")
    p.add_argument("--name", help="link name (default: derived from the source id)")
    p.add_argument("--subnets", help="comma-separated subnet ids for the load balancer")
    p.add_argument("--no-cross-zone", action="store_true", help="turn cross-zone balancing off")
    p.add_argument(
        "--no-sync",
        action="store_true",
        help="do not deploy the target sync (an AWS Lambda that follows the database's address "
        "after a failover); a re-run with it removes one deployed before",
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes (security group rule, parameter group) when a check fails",
    )
    p.add_argument(
        "--allow-reboot",
        action="store_true",
        help="allow rebooting the database to apply skip_name_resolve",
    )
    p.add_argument(
        "--notify",
        metavar="EMAIL",
        help="e-mail this address when the platform connects or the link stops carrying traffic "
        "(an SNS topic and one CloudWatch alarm; see `notify`)",
    )
    p.add_argument(
        "--remove-old-principals",
        action="store_true",
        help="take every principal but --principal off the endpoint service's allow list",
    )
    p.add_argument("--skip-preflight", action="store_true", help="do not check permissions first")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = aws_command("accept", "Accept the platform's connection request.")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--service", help="endpoint service id (vpce-svc-…)")
    target.add_argument("--name", help="link name")
    p.add_argument("--principal", help="the platform's principal ARN (default: the consumer's)")
    p.add_argument("--consumer", default="rivery", help="consumer profile id or .toml path")
    p.add_argument(
        "--endpoint",
        action="append",
        default=[],
        help="also accept this endpoint id (from another owner); repeatable",
    )
    p.add_argument("--wait", type=_non_negative, default=0, help="seconds to wait for the request")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = aws_command(
        "notify",
        "Turn a link's alerts on (or change their address, or turn them off): an e-mail when the "
        "platform's connection request waits, is accepted, rejected or deleted, and when the "
        "database has had no healthy target for 5 minutes.",
    )
    p.add_argument("--name", required=True, help="link name")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--email", help="the address the alerts go to")
    what.add_argument("--off", action="store_true", help="remove the link's alerts")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = aws_command("status", "Show what exists for a link and whether it is healthy.")
    p.add_argument("--name", help="link name (default: every link found)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--report", help="write a redacted diagnostics report to this file")

    p = aws_command("list", "List the links here, each with its state in a word and what to do next.")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = aws_command("teardown", "Delete everything the wizard created for a link.")
    p.add_argument("--name", help="link name (required when several links exist)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    # Several databases on one link (issue 20): add one, remove one.
    p = aws_command(
        "add",
        "Add a database to an existing link: its own target group and a listener on its own port "
        "of the link's load balancer (the next free port from the database's own).",
    )
    p.add_argument("--name", required=True, help="link name")
    p.add_argument("--source", required=True, help="DB instance / cluster id, RDS Proxy name or EC2 id")
    p.add_argument("--listener-port", help="the port the platform uses (default: the next free one)")
    p.add_argument("--port", help="the database's port (EC2 servers only; RDS knows its own)")
    p.add_argument("--consumer", default="rivery", help="consumer profile id or .toml path")
    p.add_argument("--principal", help=argparse.SUPPRESS)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = aws_command(
        "remove",
        "Remove one database from a link (its listener, target group, firewall rules, alarm); the "
        "link's other databases keep working. `teardown` removes the whole link.",
    )
    p.add_argument("--name", required=True, help="link name")
    p.add_argument("--source", required=True, help="the database to remove from the link")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = aws_command("sync", "Point the link's target group at the database's current address once.")
    p.add_argument("--name", required=True, help="link name")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    from wizard.account_cli import add_commands

    add_commands(sub, aws_command)  # login, preflight, profiles
    sub.add_parser("policy", help="print the least-privilege IAM policy the app needs")
    p = sub.add_parser(
        "sandbox",
        help="serve the sandbox AWS endpoint on 127.0.0.1 until stopped; `sandbox failover DB` "
        "fails a database of a running sandbox over (its address or writer moves)",
    )
    p.add_argument("action", nargs="?", choices=["failover"], help=argparse.SUPPRESS)
    p.add_argument("database", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--endpoint-url", dest="sub_endpoint_url", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=5500, help="port to listen on (default 5500)")
    p.add_argument("--region", default="us-east-1", help="region to seed (default us-east-1)")
    p.add_argument("--empty", action="store_true", help="no sample account, an empty sandbox")
    p.add_argument(
        "--timing",
        type=_non_negative,
        default=None,
        help="how fast resources change state, as a share of AWS's times: 0 instant, 1 as slow "
        "as AWS (default 0.05, as in --demo)",
    )
    return parser


def _non_negative(text: str) -> float:
    """A finite number of 0 or more (argparse's float takes 'nan', 'inf' and '-5')."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of 0 or more, not {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    log_started = False

    def start_log() -> None:
        nonlocal log_started
        if not log_started:
            log_started = True
            _start_log(argv)

    try:
        if not argv:
            # The plain start (a launcher, a double-click): the window, with nothing to parse.
            return _open_window([], start_log)
        args = build_parser().parse_args(argv)
        if args.command is None and not args.self_test:
            return _open_window(argv, start_log, demo=args.demo, endpoint_url=args.endpoint_url)
        start_log()
        from wizard.console import tolerate_code_page

        tolerate_code_page()
        return _dispatch(args)
    except UserError as exc:
        start_log()
        logging.getLogger("wizard.cli").warning("Stopped (exit %s): %s", exc.exit_code, exc.paragraph())
        print(_shown(exc.paragraph()), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "Stopped. Anything already created is saved in the link record; run the same "
            "command again to continue, or `privatelink-wizard teardown` to remove it.",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # the last guard: a bug must still read as a message, not a traceback
        from wizard.aws.errors import translate  # imports botocore: not on the GUI's start-up

        start_log()
        logging.getLogger("wizard").exception("Unexpected error")
        print(_shown(translate(exc).paragraph()), file=sys.stderr)
        return 1


def _shown(text: str) -> str:
    """What the terminal may show: secrets removed (a URL's user:password among them)."""
    from wizard.redact import redact_secrets

    return redact_secrets(text)


def _start_log(argv: list[str]) -> None:
    from wizard import logging_setup

    try:
        logging_setup.configure()
    except OSError as exc:  # an unwritable log folder must not stop the app
        print(f"Note: the log file could not be opened ({exc}); continuing without it.", file=sys.stderr)
        return
    logging.getLogger("wizard.cli").info("%s %s started: %s", APP_NAME, __version__, " ".join(argv))


def _open_window(
    argv: list[str], start_log: Callable[[], None], demo: bool = False, endpoint_url: str | None = None
) -> int:
    """The window; the log starts once it has painted (setting it up is ~5 % of the time the
    window takes to appear)."""
    from wizard.ui.collector import collector_paused

    # Until the window has painted, no collections: all it makes (PySide's types, the first
    # page) stays for good (figures: benchmarks/README.md).
    collector_paused.pause()

    def shown() -> None:
        collector_paused.resume()
        start_log()

    from wizard.ui.qt_imports import speed_up_pyside_import_hook

    speed_up_pyside_import_hook()
    from wizard.ui.app import run

    return run(argv, demo=demo, endpoint_url=endpoint_url, on_shown=shown)


_HANDLERS = {"list": "list_links"}


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test:
        from wizard import selftest

        return selftest.run()
    if args.command == "policy":
        from wizard.policy import policy_text

        print(policy_text())
        return 0
    if args.command == "sandbox" and args.action == "failover":
        return _sandbox_failover(args)
    if args.command == "sandbox":
        from wizard.sandbox.server import serve_forever
        from wizard.sandbox.timing import DEMO_SCALE

        timing = DEMO_SCALE if args.timing is None else args.timing
        return serve_forever(args.port, seeded=not args.empty, region=args.region, timing=timing)
    from wizard import commands

    # `list` is a builtin's name: its handler is list_links.
    name = _HANDLERS.get(args.command, args.command)
    handler: Callable[[argparse.Namespace], int] = getattr(commands, name)
    args.cleanups = []
    try:
        return handler(args)
    finally:
        for cleanup in args.cleanups:
            cleanup()


def _sandbox_failover(args: argparse.Namespace) -> int:
    import os

    from wizard.sandbox.failover import request_failover

    if not args.database:
        raise bad_input("Say which database to fail over", "For example: sandbox failover orders-mysql")
    url = args.sub_endpoint_url or args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    print(request_failover(url or f"http://127.0.0.1:{args.port}", args.database, args.region))
    return 0
