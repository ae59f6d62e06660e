"""Issue 16 (14): keys go only into a real keychain. A keyring backend that stores passwords in
a plain file (keyrings.alt's PlaintextKeyring) is refused; with no keychain at all, loading a
saved profile says so instead of the message meant for saving."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from wizard import secrets
from wizard.aws.session import Credentials
from wizard.errors import UserError


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt.file.PlaintextKeyring (same name, a dict for its file)."""

    priority = 0.5

    def __init__(self) -> None:
        super().__init__()
        self.file: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.file.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.file[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.file.pop((service, username), None)


@pytest.fixture
def plain_file_backend() -> Iterator[PlaintextKeyring]:
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_a_plain_file_keyring_is_refused(plain_file_backend: PlaintextKeyring) -> None:
    with pytest.raises(UserError) as refused:
        secrets.save_profile("prod", Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="s" * 40))
    assert refused.value.what == "The profile was not saved"
    assert "PlaintextKeyring" in refused.value.why and "plain file" in refused.value.why
    assert plain_file_backend.file == {}


def test_loading_without_a_keychain_says_none_is_available() -> None:
    # tests/conftest.py selects keyring's null backend.
    with pytest.raises(UserError) as missing:
        secrets.load_profile("prod")
    assert missing.value.what == "The saved profile 'prod' cannot be read: no keychain is available"
    assert "No system keychain is available" in missing.value.why
