"""The command line's sign-in subcommands: login (IAM Identity Center), preflight, profiles.
Only argparse here (the parser is built at start-up); wizard/commands/account.py runs them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_commands(sub: Any, aws_command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "login",
        help="sign in through IAM Identity Center (SSO) in the browser, without the AWS CLI",
        description="Sign in through IAM Identity Center: approve a code in the browser, pick the "
        "account and role, and optionally save it as an AWS profile (the AWS CLI can use it too).",
    )
    p.add_argument(
        "--sso-start-url", help="your AWS access portal URL, e.g. https://my-company.awsapps.com/start"
    )
    p.add_argument("--sso-region", help="the region of your IAM Identity Center, e.g. eu-west-1")
    p.add_argument(
        "--profile",
        default="",
        help="save the sign-in as this profile in ~/.aws/config "
        "(or, alone: sign in again for this existing SSO profile)",
    )
    p.add_argument("--account", help="the AWS account id to use (asked when there are several)")
    p.add_argument("--role", help="the role (permission set) to use (asked when there are several)")
    p.add_argument("--region", help="the region your database runs in (default: the SSO region)")
    p.add_argument("--session-name", help="the sso-session name (default: from the start URL)")
    p.add_argument("--no-browser", action="store_true", help="print the sign-in page, do not open it")
    p.add_argument("--force", action="store_true", help="sign in again even if the login is still valid")
    p.add_argument("--yes", "-y", action="store_true", help="save the profile without asking")
    p.add_argument("--endpoint-url", default=argparse.SUPPRESS, help="AWS endpoint override")

    p = aws_command("preflight", "Check that your identity may do every step, before anything is created.")
    p.add_argument("--source", help="the database the link is for (checks it can be found too)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser(
        "profiles", help="list the sign-in profiles and where each keeps its credentials, or delete one"
    )
    action = p.add_subparsers(dest="profiles_command", required=True)
    action.add_parser("list", help="every profile, and where its credentials live")
    d = action.add_parser("delete", help="delete a profile saved in the app (its keys leave the keychain)")
    d.add_argument("name", help="the saved profile's name")
    d.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--endpoint-url", default=argparse.SUPPRESS, help="AWS endpoint override")
