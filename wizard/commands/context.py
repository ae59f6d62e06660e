"""What every subcommand starts from: signing in from the command line, the consumer and
principal asked for, a link's saved record, and how long to wait for a link another run holds."""

from __future__ import annotations

import argparse

from wizard.aws import activity
from wizard.aws.session import (
    AwsContext,
    Credentials,
    Identity,
    list_profiles,
    make_context,
    whoami,
)
from wizard.consumers import Consumer, load_consumer
from wizard.model import LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.terminal import say
from wizard.validators import validate_principal

# How long the CLI waits for another run on the same link (the GUI refuses at once instead).
LOCK_WAIT_SECONDS = 30.0


def _credentials(profile: str) -> Credentials:
    """An AWS config profile by name, or else a profile saved in the app (keys in keyring)."""
    if profile and profile not in {p.name for p in list_profiles()}:
        from wizard import secrets
        from wizard.settings import Settings

        settings, note = Settings.load_with_note()
        if note:
            say(f"Note: {note}")
        if profile in {p.name for p in settings.saved_profiles}:
            return secrets.load_profile(profile)
    return Credentials(profile=profile)


def connect(args: argparse.Namespace) -> tuple[AwsContext, Identity]:
    aws = make_context(_credentials(args.profile), args.region, args.endpoint_url)
    aws.on_slow = lambda message: say(f"  {message}")
    if args.verbose:
        stop = activity.ACTIVITY.subscribe(lambda e: say(f"  · {e.line()}\n    $ {e.cli}"))
        args.cleanups.append(stop)  # the log is the process's: a command run in-process ends it
    identity = whoami(aws)
    return aws, identity


def consumer_and_principal(args: argparse.Namespace) -> tuple[Consumer, str]:
    consumer = load_consumer(args.consumer)
    return consumer, validate_principal(args.principal or consumer.principal)


def saved_record(account: str, region: str, name: str) -> LinkRecord | None:
    """The link's record (it names the firewall rules the wizard made), or None."""
    try:
        return RecordStore().load(account, region, name)
    except DamagedRecordError:  # everything else is found by its tags all the same
        return None


def platform_account(record: LinkRecord | None) -> str:
    """The account whose connection is the platform's: the record's principal, else the default
    consumer's."""
    return load_consumer().account_for(record.principal if record else "")
