"""`sixdegrees logs`: rotated files in order, filters, --follow across rotation, and no secrets anywhere."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from django.conf import settings as django_settings

from sixdegrees.cli import cli
from sixdegrees.cli import ops as _ops_commands  # noqa: F401  (registers the commands)
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.ops import logsearch

# Lines are written "n minutes ago" from NOW and `--since 1h` counts back from the clock, so the
# clock stands at NOW (ticking): a slow run cannot push a 59-minute-old line past the hour.
NOW = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock_at_now():
    with time_machine.travel(NOW, tick=True):
        yield


def line(minutes_ago: float, **fields) -> str:
    entry = {
        "time": (NOW - dt.timedelta(minutes=minutes_ago)).isoformat(timespec="milliseconds"),
        "level": "info",
        "logger": "sixdegrees.test",
    }
    entry.update(fields)
    return json.dumps(entry)


def request(minutes_ago: float, status: int, path: str = "/api/intake") -> str:
    return line(
        minutes_ago,
        level="error" if status >= 500 else "info",
        logger="sixdegrees.request",
        event="request",
        message=f"POST {path} {status}",
        method="POST",
        path=path,
        route=path.strip("/"),
        status=status,
        duration_ms=12.5,
        request_id="abcdef0123456789",
    )


@pytest.fixture
def log_file(settings, tmp_path) -> Path:
    """A log with two rotations: .2 oldest, then .1, then the live file."""
    path = tmp_path / "sixdegrees.log"
    settings.LOG_FILE = path
    Path(f"{path}.2").write_text(
        line(600, event="started", message="oldest line") + "\n" + request(500, 502) + "\n", encoding="utf-8"
    )
    Path(f"{path}.1").write_text(
        request(120, 200) + "\n" + line(90, level="error", event="api_error", message="unhandled API error") + "\n",
        encoding="utf-8",
    )
    path.write_text(
        "\n".join([request(30, 404), "a line that is not JSON", request(10, 500), request(5, 201)]) + "\n",
        encoding="utf-8",
    )
    for age, name in ((600, f"{path}.2"), (90, f"{path}.1")):  # as rotation leaves them
        stamp = (NOW - dt.timedelta(minutes=age)).timestamp()
        os.utime(name, (stamp, stamp))
    return path


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setattr("sixdegrees.cli.setup_django", lambda: None)

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["logs", *args], catch_exceptions=False)

    return invoke


def json_lines(output: str) -> list[dict]:
    return [json.loads(text) for text in output.splitlines()]


def test_it_reads_every_rotated_file_oldest_first(run, log_file):
    result = run("-n", "0", "--json")

    assert result.exit_code == 0, result.output
    records = json_lines(result.stdout)
    assert records[0].get("message") == "oldest line"
    times = [r["time"] for r in records]
    assert times == sorted(times)
    assert len(records) == 7  # the line that is not JSON is skipped


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("error", [502, "api_error", 500]),
        ("5xx", [502, 500]),
        ("500", [500]),
        ("404", [404]),
        ("4xx", [404]),
    ],
)
def test_status_filters(run, log_file, status, expected):
    records = json_lines(run("--status", status, "-n", "0", "--json").stdout)

    assert [r.get("status") or r["event"] for r in records] == expected


def test_since_skips_older_lines_and_files(run, log_file):
    records = json_lines(run("--since", "1h", "-n", "0", "--json").stdout)

    assert [r["status"] for r in records] == [404, 500, 201]


def test_since_takes_a_time_too(run, log_file):
    moment = (NOW - dt.timedelta(minutes=100)).strftime("%Y-%m-%dT%H:%M:%S")

    records = json_lines(run("--since", moment, "-n", "0", "--json").stdout)

    assert len(records) == 4  # the error at 90 min ago, then the live file


def test_grep_finds_an_event(run, log_file):
    records = json_lines(run("--grep", "API_ERROR", "-n", "0", "--json").stdout)

    assert [r["event"] for r in records] == ["api_error"]


def test_grep_cannot_confirm_a_redacted_secret(run, log_file):
    append(log_file, line(1, event="oops", headers={"Authorization": "[redacted]"}, note="password=hunter2-abc") + "\n")

    assert run("--grep", "hunter2-abc", "-n", "0").stdout == ""
    assert "oops" in run("--grep", "oops", "-n", "0").stdout


def test_lines_keeps_the_last_ones(run, log_file):
    records = json_lines(run("-n", "2", "--json").stdout)

    assert [r["status"] for r in records] == [500, 201]


def test_the_screen_shows_one_readable_line_per_record(run, log_file):
    result = run("--status", "error")

    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert "POST /api/intake → 502 12 ms" in lines[0]
    assert "ERROR" in lines[0]
    assert "sixdegrees.test: unhandled API error [api_error]" in lines[1]


@pytest.mark.parametrize("bad", [["--status", "teapot"], ["--since", "yesterday-ish"]])
def test_bad_filters_are_usage_errors(run, log_file, bad):
    result = run(*bad)

    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_no_log_yet(run, settings, tmp_path):
    settings.LOG_FILE = tmp_path / "none.log"

    result = run()

    assert result.exit_code == 1
    assert "no log file" in result.output


# --- Following ---------------------------------------------------------------------------------------


def scripted(*steps):
    """A should_stop() that performs the next step each time the follower is idle, then stops."""
    remaining = list(steps)

    def should_stop() -> bool:
        if not remaining:
            return True
        remaining.pop(0)()
        return False

    return should_stop


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_follow_reads_across_rotation_and_truncation(tmp_path):
    path = tmp_path / "live.log"
    path.write_text(line(1, message="before we started") + "\n", encoding="utf-8")

    def rotate():
        append(path, line(0, message="C, last in the old file") + "\n")
        os.replace(path, f"{path}.1")
        path.write_text(line(0, message="D, first in the new file, quite a long line") + "\n", encoding="utf-8")

    def truncate():
        path.write_text(line(0, message="E") + "\n", encoding="utf-8")

    got = list(
        logsearch.follow(
            path,
            poll_seconds=0,
            should_stop=scripted(
                lambda: append(path, line(0, message="B") + "\n"),
                rotate,
                truncate,
                lambda: append(path, line(0, message="F, written in two")[:40]),
                lambda: append(path, line(0, message="F, written in two")[40:] + "\n"),
            ),
        )
    )

    assert [r["message"] for r in got] == [
        "B",
        "C, last in the old file",
        "D, first in the new file, quite a long line",
        "E",
        "F, written in two",
    ]


def test_follow_waits_for_a_file_that_does_not_exist_yet(tmp_path):
    path = tmp_path / "later.log"

    got = list(
        logsearch.follow(
            path, poll_seconds=0, should_stop=scripted(lambda: path.write_text(request(0, 503) + "\n"), lambda: None)
        )
    )

    assert [r["status"] for r in got] == [503]


def test_follow_applies_the_status_filter(tmp_path):
    path = tmp_path / "live.log"
    path.write_text("", encoding="utf-8")

    got = list(
        logsearch.follow(
            path,
            status="5xx",
            poll_seconds=0,
            should_stop=scripted(lambda: append(path, f"{request(0, 200)}\n{request(0, 504)}\n")),
        )
    )

    assert [r["status"] for r in got] == [504]


def test_the_command_follows_for_a_while(run, log_file, monkeypatch):
    polling = threading.Event()
    real_follow = logsearch.follow

    def follow(*args, should_stop, **kwargs):
        def stop() -> bool:
            polling.set()  # asked only once it sits at the end of the file with nothing new
            return should_stop()

        return real_follow(*args, should_stop=stop, **kwargs)

    monkeypatch.setattr(logsearch, "follow", follow)

    def writer():
        assert polling.wait(timeout=10), "the command never started following"
        append(log_file, request(0, 503, path="/api/send") + "\n")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = run("--follow", "--follow-seconds", "1.5", "-n", "1", "--status", "5xx")
    finally:
        thread.join()

    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert "→ 500" in lines[0]  # the last matching line that was already there
    assert "POST /api/send → 503" in lines[-1]


# --- Secrets in requests leave no trace in any log ---------------------------------------------------

BEARER = "sk-ant-api03-BearerInHeader-0123456789abcdef"
BODY_KEY = "sk-proj-ApiKeyInTheBody-9876543210zyxw"
MAILBOX_PASSWORD = "mailbox-app-password-QzX9"
STRIPE_KEY = "sk_live_51SecretInAField0011"


@pytest.mark.django_db
def test_requests_carrying_secrets_leave_no_trace(client, alice, run, monkeypatch):
    client.post("/api/intake", data="{}", content_type="application/json")  # any line, so the file exists
    headers = {"Authorization": f"Bearer {BEARER}", "X-Api-Key": BODY_KEY}
    post_json(client, "/api/intake", {**INTAKE, "api_key": BODY_KEY, "password": MAILBOX_PASSWORD}, headers=headers)
    post_json(client, "/api/auth/request-code", {"email": "a@example.com", "token": BEARER}, headers=headers)

    # A careless bug: the intake crashes with the whole body in its message (logged with a traceback).
    def crash(data):
        raise RuntimeError(f"cannot validate {data!r}")

    monkeypatch.setattr("sixdegrees.campaigns.api.validate_intake", crash)
    crashed = post_json(
        client, "/api/intake", {**INTAKE, "api_key": BODY_KEY, "stripe_key": STRIPE_KEY}, headers=headers
    )
    assert crashed.status_code == 500

    # A person connects a mailbox with its app password, then tests it (the server is not there).
    client.force_login(alice)
    form = {
        "address": "alice@example.com",
        "password": MAILBOX_PASSWORD,
        "smtp_host": "127.0.0.1",
        "smtp_port": "1",
        "smtp_security": "starttls",
        "imap_host": "",
        "imap_port": "993",
        "username": "",
    }
    client.post("/settings/mailbox/connect", form)
    client.post("/settings/mailbox/test", {}, headers=headers)
    from sixdegrees.outreach.models import Mailbox

    assert Mailbox.objects.get(owner=alice).last_error  # it was stored, then the test failed and said why
    for handler in logging.getLogger().handlers:
        handler.flush()

    secrets = (BEARER, BODY_KEY, MAILBOX_PASSWORD, STRIPE_KEY)
    log_dir = Path(django_settings.LOG_FILE).parent
    files = [p for p in log_dir.iterdir() if p.is_file()]
    assert any(p.stat().st_size for p in files)
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, f"{secret} in {file}"
    assert "cannot validate" in Path(django_settings.LOG_FILE).read_text(encoding="utf-8")  # the crash was logged

    shown = run("-n", "0").stdout + run("-n", "0", "--json").stdout + run("--status", "error", "-n", "0").stdout
    assert "cannot validate" in shown
    for secret in secrets:
        assert secret not in shown
