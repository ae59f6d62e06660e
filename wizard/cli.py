"""The command line: the GUI by default, and the whole procedure as subcommands.

Exit codes: 0 done, 1 AWS refused or failed, 2 bad input, 3 timed out waiting. Errors print one
clear paragraph, never a traceback."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from wizard import APP_NAME, __version__
from wizard.errors import EXIT_BAD_INPUT, EXIT_TIMEOUT, UserError, bad_input

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


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
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
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def aws_command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--region", required=True, help="AWS region of the database, e.g. us-east-1")
        p.add_argument("--profile", default="", help="AWS profile name (default: environment)")
        p.add_argument("--endpoint-url", dest="sub_endpoint_url", help=argparse.SUPPRESS)
        p.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="print every AWS call with its AWS CLI equivalent",
        )
        return p

    p = aws_command(
        "setup",
        "Build the load balancer, target group and endpoint service, and "
        "allow the platform to connect.",
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

    p = aws_command("teardown", "Delete everything the wizard created for a link.")
    p.add_argument("--name", help="link name (required when several links exist)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    sub.add_parser("policy", help="print the least-privilege IAM policy the app needs")
    p = sub.add_parser("sandbox", help="serve the sandbox AWS endpoint on 127.0.0.1 until stopped")
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
            # The plain start (a launcher, a double-click) opens the window with no parser: building
            # one loads gettext and locale and looks for translations, ~5 ms of its start-up.
            return _open_window([], start_log)
        args = build_parser(with_commands=_may_name_a_command(argv)).parse_args(argv)
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


# The window's options that take a value: `--endpoint-url URL` names no command.
_WINDOW_OPTIONS_WITH_VALUE = ("--endpoint-url",)


def _may_name_a_command(argv: list[str]) -> bool:
    """Whether the subcommands' parsers are needed: a word that is not an option or its value
    (a command, or a typo of one) or a request for help. Building them all (~13 ms, cold) is
    skipped when the window just opens."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return True
        if word in _WINDOW_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return True
    return False


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
    from wizard.collector import collector_paused

    # Until the window has painted, no collections: all it makes (PySide's types, the first
    # page) stays for good, and collecting meanwhile cost ~2 % of its start-up.
    collector_paused.pause()

    def shown() -> None:
        collector_paused.resume()
        start_log()

    from wizard.ui.app import run

    return run(argv, demo=demo, endpoint_url=endpoint_url, on_shown=shown)


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test:
        from wizard import selftest

        return selftest.run()
    if args.command == "policy":
        from wizard.policy import policy_text

        print(policy_text())
        return 0
    if args.command == "sandbox":
        from wizard.sandbox.server import serve_forever
        from wizard.sandbox.timing import DEMO_SCALE

        timing = DEMO_SCALE if args.timing is None else args.timing
        return serve_forever(args.port, seeded=not args.empty, region=args.region, timing=timing)
    from wizard import commands

    handler: Callable[[argparse.Namespace], int] = getattr(commands, args.command)
    args.endpoint_url = args.sub_endpoint_url or args.endpoint_url
    args.cleanups = []
    try:
        return handler(args)
    finally:
        for cleanup in args.cleanups:
            cleanup()


def confirm(question: str, assume_yes: bool) -> None:
    """Ask y/N; without a terminal, demand --yes rather than guessing."""
    if assume_yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise bad_input(
            "Confirmation needed, but there is no terminal to ask",
            "Add --yes to go ahead without a question.",
        )
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in {"y", "yes"}:
        raise UserError("Cancelled; nothing was changed", exit_code=EXIT_BAD_INPUT)


def emit_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, indent=2, default=str))


def wait_until(probe: Callable[[], Any], seconds: float, interval: float, what: str) -> Any:
    """Poll probe() every `interval` s until it returns something truthy; UserError (exit 3)
    after `seconds` (0: look once, and return what it gives)."""
    from wizard.aws.polling import Patience
    from wizard.aws.polling import wait_until as poll

    if seconds <= 0:
        return probe()
    timed_out = UserError(
        what=f"Timed out after {seconds:g} s waiting for {what}",
        fix="Run the command again later (it is safe to repeat).",
        exit_code=EXIT_TIMEOUT,
    )
    every = Patience(timeout=seconds, shortest=interval, longest=interval)
    return poll(probe, bool, every, lambda _: timed_out)
