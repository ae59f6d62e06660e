"""Issue 19 (1, 4): `privatelink-wizard login` on the sandbox's Identity Center, the `sso-session`
profile it saves in ~/.aws/config (only its own sections), and `profiles list | delete`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.credentials
import botocore.tokens
import pytest

from tests.memory_keyring import MemoryKeyring
from wizard import secrets
from wizard.aws import sso_cache, sso_config
from wizard.aws.session import Credentials
from wizard.aws.sso_cache import SsoLogin
from wizard.cli import main
from wizard.sandbox import sso_model
from wizard.settings import Settings

REGION = "us-east-1"
URL = "https://my-company.awsapps.com/start"
THEIRS = """# my own settings
[default]
region = eu-west-1

[profile prod]  ; the team's
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = default
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sso_cache, "_cache_dir", [])  # not the demo's folder (a GUI test's)
    cache = str(tmp_path / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    config = tmp_path / ".aws" / "config"
    config.parent.mkdir()
    config.write_text(THEIRS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    sso_model.reset()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def login_args(sandbox: Any, *extra: str) -> list[str]:
    return [
        "login",
        "--sso-start-url",
        URL,
        "--sso-region",
        REGION,
        "--no-browser",
        "--endpoint-url",
        sandbox.endpoint_url,
        *extra,
    ]


def test_login_saves_an_sso_session_profile_other_tools_use(
    empty_sandbox: Any, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = login_args(
        empty_sandbox, "--account", "444455556666", "--role", "DatabaseAdmin", "--profile", "staging"
    )
    code, _, err = run(capsys, *args, "--yes")
    assert code == 0, err
    assert "Check that the page shows the code" in err and "user_code=" in err
    assert "Signed in to account 444455556666 as arn:aws:sts::444455556666:assumed-role/" in err
    assert "[sso-session my-company]" in err and "sso_role_name = DatabaseAdmin" in err  # the preview
    text = (home / ".aws" / "config").read_text()
    assert text.startswith(THEIRS)  # the user's sections, comments and spacing untouched
    assert "[profile staging]\nsso_session = my-company\nsso_account_id = 444455556666\n" in text
    # `login --profile NAME` alone signs in again for that profile (its session, account, role).
    code, _, err = run(
        capsys,
        "login",
        "--profile",
        "staging",
        "--force",
        "--no-browser",
        "--endpoint-url",
        empty_sandbox.endpoint_url,
    )
    assert code == 0, err
    assert "Approve this sign-in" in err and "Signed in to account 444455556666" in err
    assert "will be" not in err  # an existing profile: nothing to save
    # The wizard's own commands use the profile through botocore, with the cached login.
    monkeypatch.setenv("AWS_ENDPOINT_URL", empty_sandbox.endpoint_url)
    code, out, err = run(capsys, "preflight", "--region", REGION, "--profile", "staging")
    assert code == 0, err
    assert "permissions the wizard needs are allowed for arn:aws:iam::444455556666:role/aws-reserved/" in out


def test_several_accounts_without_a_terminal_name_them(
    empty_sandbox: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *login_args(empty_sandbox))
    assert code == 2
    assert "Several accounts are available: 123456789012 (Sample production" in err
    assert "--account" in err


def test_saving_again_replaces_only_the_wizards_sections(home: Path) -> None:
    login = SsoLogin(URL, REGION, "my-company")
    sso_config.save(sso_config.ProfilePlan("dba", login, "123456789012", "ReadOnly", REGION))
    lines, replaced = sso_config.preview(
        sso_config.ProfilePlan("dba", login, "123456789012", "DatabaseAdmin", REGION)
    )
    assert replaced == ["profile dba", "sso-session my-company"]
    assert "sso_role_name = DatabaseAdmin" in lines
    sso_config.save(sso_config.ProfilePlan("dba", login, "123456789012", "DatabaseAdmin", REGION))
    text = (home / ".aws" / "config").read_text()
    assert text.startswith(THEIRS)
    assert text.count("[profile dba]") == 1 and text.count("[sso-session my-company]") == 1
    assert "ReadOnly" not in text and "sso_role_name = DatabaseAdmin" in text


def test_profiles_list_says_where_credentials_live_and_delete_removes_a_saved_one(
    home: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    secrets.save_profile("reader", Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="s"))
    settings = Settings.load()
    settings.remember_profile("reader", REGION)
    settings.save()
    sso_config.save(sso_config.ProfilePlan("dba", SsoLogin(URL, REGION, "my-company"), "1" * 12, "R", REGION))

    code, out, _ = run(capsys, "profiles", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert "~/.aws/config" in rows["prod"]
    assert "IAM Identity Center" in rows["dba"] and "not signed in yet" in rows["dba"]
    assert "system keychain (" in rows["reader"]

    code, _, err = run(capsys, "profiles", "delete", "prod", "--yes")
    assert code == 2 and "not one saved in the app" in err
    code, out, _ = run(capsys, "profiles", "delete", "reader", "--yes")
    assert code == 0 and "Deleted the saved profile 'reader'" in out
    assert memory_keyring.passwords == {} and Settings.load().saved_profiles == []
    code, _, err = run(capsys, "profiles", "delete", "reader", "--yes")
    assert code == 2 and "no saved profile named 'reader'" in err
