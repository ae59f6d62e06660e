"""Saved sign-in profiles: the access key, secret and session token live only in keyring
(service "privatelink-wizard"); wizard/settings.py keeps just the profile's name and region."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wizard.errors import UserError, bad_input

if TYPE_CHECKING:
    from wizard.aws.session import Credentials

SERVICE = "privatelink-wizard"


def _keyring() -> Any:
    import keyring  # imported on use: it probes the platform's keychains, which takes time

    return keyring


def keyring_problem() -> str:
    """'' when a real keyring backend is available, else a plain sentence saying why not."""
    try:
        keyring = _keyring()
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not stop the app
        return f"The system keychain could not be opened ({exc})."
    chain = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    if not chain or all(isinstance(b, fail.Keyring | null.Keyring) for b in chain):
        return (
            "No system keychain is available on this computer (no Windows Credential Manager, "
            "macOS Keychain or Secret Service was found)."
        )
    plain = [b for b in chain if _stores_in_plain_file(b)]
    if plain:
        return (
            f"The keyring backend in use ({type(plain[0]).__module__}.{type(plain[0]).__name__}) "
            "keeps passwords in a plain file, not in a system keychain."
        )
    return ""


def backend_name() -> str:
    """The keyring backend in use, in words ("SecretService Keyring"), or why there is none."""
    try:
        backend = _keyring().get_keyring()
    except Exception as exc:  # a broken keyring install must not stop a listing
        return f"unavailable: {exc}"
    return str(getattr(backend, "name", type(backend).__name__))


def _stores_in_plain_file(backend: Any) -> bool:
    """keyrings.alt's PlaintextKeyring (and its kin) write passwords readable to anyone who can
    read the file: the app promises keys never land in a plain file."""
    names = {cls.__name__.lower() for cls in type(backend).__mro__}
    return any("plaintext" in n for n in names)


def _no_keyring(problem: str, what: str = "The profile was not saved") -> UserError:
    return UserError(
        what=what,
        why=problem + " The wizard never writes keys to a plain file.",
        fix=(
            "Use a profile from your AWS config instead (`aws configure --profile NAME`), or "
            "enter the keys each time."
        ),
        exit_code=2,
    )


def save_profile(name: str, credentials: Credentials) -> None:
    """Store the keys of `credentials` in keyring under `name`; UserError if that is impossible."""
    name = name.strip()
    if not name:
        raise bad_input("The profile has no name", "Type a name for it, such as prod-reader.")
    if not (credentials.access_key_id and credentials.secret_access_key):
        raise bad_input(
            "Only access keys can be saved as a profile",
            "Enter an access key id and secret first; AWS config profiles are already saved.",
        )
    problem = keyring_problem()
    if problem:
        raise _no_keyring(problem)
    secret = json.dumps(
        {
            "access_key_id": credentials.access_key_id,
            "secret_access_key": credentials.secret_access_key,
            "session_token": credentials.session_token,
        }
    )
    try:
        _keyring().set_password(SERVICE, name, secret)
    except Exception as exc:
        raise _no_keyring(f"The system keychain refused to store it ({exc}).") from None


def load_profile(name: str) -> Credentials:
    from wizard.aws.session import Credentials

    problem = keyring_problem()
    if problem:
        raise _no_keyring(problem, f"The saved profile '{name}' cannot be read: no keychain is available")
    try:
        stored = _keyring().get_password(SERVICE, name)
    except Exception as exc:
        raise UserError(
            what=f"The saved profile '{name}' could not be read from the system keychain",
            why=str(exc),
            fix="Unlock the keychain and try again, or enter the keys again.",
        ) from None
    if not stored:
        raise UserError(
            what=f"The saved profile '{name}' has no keys in the system keychain",
            why="They were removed from the keychain, or saved on another computer.",
            fix="Enter the keys again and save the profile once more.",
            exit_code=2,
        )
    try:
        data = json.loads(stored)
        return Credentials(
            access_key_id=str(data["access_key_id"]),
            secret_access_key=str(data["secret_access_key"]),
            session_token=str(data.get("session_token", "")),
        )
    except (ValueError, KeyError, TypeError):
        raise UserError(
            what=f"The saved profile '{name}' is damaged",
            fix="Enter the keys again and save the profile once more.",
            exit_code=2,
        ) from None


def delete_profile(name: str) -> None:
    if keyring_problem():
        return
    try:
        _keyring().delete_password(SERVICE, name)
    except Exception:  # already gone is fine: the goal is that it isn't there
        return
