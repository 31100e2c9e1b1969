"""Commands that use the tables, on a data dir nobody set up: one clear line and exit 1, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sixdegrees.ops.tests.helpers import subprocess_env

# Each of these printed a 60–70 line traceback ending in "no such table" before the check existed.
COMMANDS = [
    ["send", "--to", "someone@example.org", "--subject", "Hello", "--body", "Hi"],
    ["send", "--campaign-id", "camp_unknown"],
    ["outbox"],
    ["outbox", "retry", "--failed"],
    ["outbox", "drain"],
    ["outbox", "watch", "--once"],
    ["db", "stats"],
    ["db", "archive", "--older-than-days", "90", "--dry-run"],
    ["db", "prune-orphans"],
    ["billing", "check"],
    ["billing", "grant", "someone@example.org", "5", "--reason", "test"],
    ["billing", "flags"],
    ["mailbox", "list"],
    ["mailbox", "test"],
    ["mailbox", "rotate-keys"],
    ["worker"],
    ["serve", "--port", "1"],
]


def _run(data_dir: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sixdegrees", *args],
        env=subprocess_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], wanted: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines == [lines[0]] and lines[0].startswith("Error: "), result.stderr
    assert wanted in lines[0]
    assert result.stdout == ""


def test_every_table_command_says_what_to_run_on_a_never_migrated_data_dir(tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda args: (args, _run(tmp_path, args)), COMMANDS))
    for args, result in results:
        try:
            _assert_one_clear_line(result, "run `sixdegrees up` once, or `sixdegrees manage migrate`")
        except AssertionError as exc:
            raise AssertionError(f"sixdegrees {' '.join(args)}: {exc}") from None
    # Asking must not have created an empty database file that would hide the problem next time.
    assert not (tmp_path / "sixdegrees.sqlite3").exists()


def test_a_half_migrated_database_names_the_migrate_command(tmp_path):
    migrate = _run(tmp_path, ["manage", "migrate", "accounts", "0001", "-v", "0"])
    assert migrate.returncode == 0, migrate.stderr
    result = _run(tmp_path, ["billing", "check"])
    _assert_one_clear_line(result, "migrations first; run `sixdegrees manage migrate`")


def test_an_unreachable_database_is_one_line_too(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sixdegrees", "outbox"],
        env=subprocess_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    _assert_one_clear_line(result, "cannot reach the database")


@pytest.mark.django_db
def test_commands_run_as_usual_once_migrated(tmp_path):
    from click.testing import CliRunner

    from sixdegrees.cli.outbox import outbox

    result = CliRunner().invoke(outbox, ["--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"counts": {}, "mailboxes": [], "emails": []}
