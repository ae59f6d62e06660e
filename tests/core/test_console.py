"""Issue 16 (19): CLI output on a Windows console with a legacy code page never crashes."""

from __future__ import annotations

import os
import subprocess
import sys

from wizard.console import ERRORS


def test_marks_fall_back_to_ascii_on_a_legacy_code_page() -> None:
    assert "✖ Fix → ✔ •".encode("cp1252", errors=ERRORS) == b"x Fix -> ok \x95"
    assert "✖ Fix … →".encode("ascii", errors=ERRORS) == b"x Fix ... ->"
    assert "é—“x”".encode("cp1252", errors=ERRORS) == "é—“x”".encode("cp1252")  # cp1252 has these


def test_the_cli_prints_check_marks_on_cp1252_without_a_traceback() -> None:
    # `policy` prints plain JSON; a bad --source makes the CLI print a message with '…'-style
    # text. Both must come out, encoded, on a cp1252 console.
    env = dict(os.environ, PYTHONIOENCODING="cp1252", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    code = (
        "import sys; from wizard import cli;"
        "sys.exit(cli.main(['teardown', '--region', 'us-east-1', '--name', 'Bad Name ✖…']))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    err = done.stderr.decode("cp1252")
    assert done.returncode == 2, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert "Bad Name x…" in err
