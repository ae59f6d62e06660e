"""The sign-in subcommands: `login` (IAM Identity Center), `preflight`, `profiles list|delete`."""

from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import Any

from wizard import secrets
from wizard.aws import preflight as pf
from wizard.aws import sso, sso_cache, sso_config
from wizard.aws.session import list_profiles, make_context, sso_cache_file, whoami
from wizard.aws.sso_cache import SsoLogin
from wizard.errors import EXIT_AWS, EXIT_BAD_INPUT, UserError, bad_input
from wizard.settings import Settings
from wizard.terminal import confirm, emit_json, say
from wizard.validators import validate_region

# --- login ---------------------------------------------------------------------------------------


def _login_target(args: argparse.Namespace) -> SsoLogin:
    """From --sso-start-url/--sso-region, or (alone) from an existing SSO profile."""
    if args.sso_start_url or args.sso_region:
        if not (args.sso_start_url and args.sso_region):
            raise bad_input("Both --sso-start-url and --sso-region are needed", "Add the one missing.")
        url = sso_cache.validate_start_url(args.sso_start_url)
        name = args.session_name or sso_cache.default_session_name(url)
        return SsoLogin(url, validate_region(args.sso_region), name)
    if args.profile:
        import botocore.session

        full = botocore.session.Session().full_config
        values = full.get("profiles", {}).get(args.profile, {})
        session = values.get("sso_session")
        config = full.get("sso_sessions", {}).get(session, {}) if session else values
        url, region = config.get("sso_start_url"), config.get("sso_region")
        if url and region:
            args.account = args.account or values.get("sso_account_id")
            args.role = args.role or values.get("sso_role_name")
            args.region = args.region or values.get("region")
            return SsoLogin(str(url), str(region), str(session or url))
        raise bad_input(
            f"The profile '{args.profile}' is not an IAM Identity Center profile",
            "Give --sso-start-url and --sso-region to sign in (and --profile to save it under a name).",
        )
    raise bad_input("Say where to sign in", "Add --sso-start-url URL --sso-region REGION.")


def _choose(what: str, options: list[tuple[str, str]], given: str | None) -> str:
    """options: (value, label). The one given, the only one, or the user's pick at a prompt."""
    if given:
        if given not in {v for v, _ in options}:
            listed = ", ".join(v for v, _ in options) or "none"
            raise bad_input(
                f"You have no {what} '{given}' in this access portal", f"Choose one of: {listed}."
            )
        return given
    if not options:
        raise UserError(
            f"Your IAM Identity Center user has no {what} assigned",
            fix="Ask your AWS administrator to assign you an account and a permission set.",
        )
    if len(options) == 1:
        return options[0][0]
    if not sys.stdin or not sys.stdin.isatty():
        listed = "; ".join(f"{v} ({label})" for v, label in options)
        raise bad_input(f"Several {what}s are available: {listed}", f"Choose one with --{what.split()[-1]}.")
    for number, (value, label) in enumerate(options, 1):
        say(f"  {number}. {value}  {label}")
    answer = input(f"Which {what}? [1-{len(options)}] ").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(options):
        raise UserError("Cancelled; nothing was changed", exit_code=EXIT_BAD_INPUT)
    return options[int(answer) - 1][0]


def login(args: argparse.Namespace) -> int:
    target = _login_target(args)
    portal = sso.Portal(target, args.endpoint_url)

    def show(code: sso.DeviceCode) -> None:
        say(f"Approve this sign-in in your browser: {code.verification_uri_complete}")
        say(f"Check that the page shows the code {code.user_code}, then choose Allow.")
        if not args.no_browser:
            webbrowser.open(code.verification_uri_complete)
        say("Waiting for your approval (Ctrl-C to cancel)…")

    try:
        token, accounts = sso.sign_in(portal, show, force_new=args.force)
    except KeyboardInterrupt:
        raise sso.cancelled() from None
    say(f"Signed in to {target.start_url} (login saved where the AWS CLI keeps it).")
    account = _choose(
        "account", [(a.account_id, f"{a.name} {a.email}".strip()) for a in accounts], args.account
    )
    role = _choose("role", [(r, "") for r in portal.roles(token, account)], args.role)
    credentials = portal.role_credentials(token, account, role)
    region = validate_region(args.region or target.region)
    identity = whoami(make_context(credentials, region, args.endpoint_url))
    say(f"Signed in to account {identity.account_id} as {identity.arn}.")
    if args.profile and (args.sso_start_url or args.profile not in {p.name for p in list_profiles()}):
        plan = sso_config.ProfilePlan(
            sso_config.validate_profile_name(args.profile), target, account, role, region
        )
        lines, replaced = sso_config.preview(plan)
        say(f"These lines will be {'updated' if replaced else 'added'} in {sso_config.config_path()}:")
        say("\n".join(f"    {line}" for line in lines.splitlines()))
        confirm("Save this profile?", args.yes)
        sso_config.save(plan)
        say(f"Saved. Use it with --profile {args.profile} (the AWS CLI too: aws --profile {args.profile} …).")
    return 0


# --- preflight -----------------------------------------------------------------------------------


def preflight(args: argparse.Namespace) -> int:
    from wizard.commands.context import connect

    aws, identity = connect(args)
    if args.source:
        from wizard.aws import discovery

        source = discovery.find_data_source(aws, args.source)
        say(f"Found {source.kind.label} {source.id}.")
    result = pf.run(aws, identity)
    if args.json:
        emit_json(
            {
                "identity": result.identity_arn,
                "simulated": result.principal_arn,
                "method": result.method,
                "note": result.note,
                "permissions": [p.__dict__ for p in result.permissions],
                "missing_policy": result.missing_policy(),
            }
        )
    else:
        print(result.summary())
    return 0 if result.ok else EXIT_AWS


def before_setup(aws: Any, identity: Any, cross_region: bool = False) -> None:
    """Setup's preflight: stop before anything is created when an action is surely missing."""
    result = pf.run(aws, identity, cross_region=cross_region)
    if not result.ok:
        raise UserError(
            what="Your identity lacks permissions the setup needs; nothing was created",
            why=result.summary(),
            fix="Attach the statements above, then run setup again (or add --skip-preflight to try anyway).",
            step="Checking your permissions",
        )
    if result.complete:
        say(f"Permissions: all {len(result.permissions)} the wizard needs are allowed.")
    else:
        unknown = len(result.with_verdict(pf.UNKNOWN))
        how = (
            "the IAM policy simulator is not available to you" if result.note else "they depend on conditions"
        )
        say(
            f"Permissions: {unknown} of {len(result.permissions)} could not be checked in advance ({how}); "
            "setup goes on. `privatelink-wizard preflight` says more."
        )


# --- profiles ------------------------------------------------------------------------------------


def _credentials_file_sections() -> set[str]:
    import configparser

    import botocore.session

    path = botocore.session.Session().get_config_variable("credentials_file")
    parser = configparser.RawConfigParser()
    try:
        parser.read(str(path), encoding="utf-8")
    except (configparser.Error, OSError):
        return set()
    return set(parser.sections())


def profile_rows() -> list[tuple[str, str, str]]:
    """(name, kind, where its credentials live) for every profile the wizard can use."""
    rows: list[tuple[str, str, str]] = []
    in_credentials = _credentials_file_sections()
    for p in list_profiles():
        if p.is_sso:
            cache = sso_cache_file(p.name)
            state = "signed in" if cache and cache.exists() else "not signed in yet"
            rows.append((p.name, "AWS profile (IAM Identity Center)", f"SSO login cache {cache} ({state})"))
        elif p.name in in_credentials:
            rows.append((p.name, "AWS profile", "~/.aws/credentials"))
        else:
            rows.append((p.name, "AWS profile", "~/.aws/config"))
    settings, _ = Settings.load_with_note()
    backend = secrets.backend_name()
    for saved in settings.saved_profiles:
        rows.append((saved.name, "saved in the app", f"system keychain ({backend})"))
    return rows


def profiles(args: argparse.Namespace) -> int:
    if args.profiles_command == "list":
        rows = profile_rows()
        if not rows:
            print("No profiles yet: `privatelink-wizard login` or `aws configure` makes one.")
        width = max((len(n) for n, _, _ in rows), default=0)
        for name, kind, where in rows:
            print(f"{name:<{width}}  {kind}: {where}")
        return 0
    name = args.name
    settings, note = Settings.load_with_note()
    if note:
        say(f"Note: {note}")
    if name not in {p.name for p in settings.saved_profiles}:
        if name in {p.name for p in list_profiles()}:
            raise bad_input(
                f"'{name}' is a profile of your AWS configuration, not one saved in the app",
                "The wizard does not edit other tools' profiles: remove its section from ~/.aws/config "
                "(or ~/.aws/credentials) yourself, or with `aws configure`.",
            )
        raise bad_input(
            f"There is no saved profile named '{name}'", "`privatelink-wizard profiles list` shows them."
        )
    confirm(f"Delete the saved profile '{name}' and its keys from the system keychain?", args.yes)
    secrets.delete_profile(name)
    settings.forget_profile(name)
    if settings.saved_profile == name:
        settings.saved_profile = ""
    settings.save()
    print(f"Deleted the saved profile '{name}' (its keys are no longer in the keychain).")
    return 0
