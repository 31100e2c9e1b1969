"""`sixdegrees doctor` names each broken thing, one at a time, with its fix; exit 1 on any fail.

The mail check talks to a real aiosmtpd server (STARTTLS + AUTH, as Gmail); the Anthropic check
to a local fake of the API; the database checks run the command in a subprocess pointed at a
database that is not there or not a database.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from click.testing import CliRunner
from django.core import checks
from django.utils import timezone

from sixdegrees.cli import cli
from sixdegrees.cli import ops as _ops_commands  # noqa: F401  (registers the commands)
from sixdegrees.ops.health import record_heartbeat
from sixdegrees.ops.tests.helpers import subprocess_env
from sixdegrees.ops.tests.test_status_command import write_backup
from sixdegrees.outreach.models import Mailbox
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER, smtp_server, tls_cert  # noqa: F401

pytestmark = pytest.mark.django_db

Usage = namedtuple("Usage", "total used free")
ROOMY_DISK = Usage(100 * 10**9, 40 * 10**9, 60 * 10**9)


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setattr("sixdegrees.cli.setup_django", lambda: None)

    def invoke(*args: str):
        result = CliRunner().invoke(cli, ["doctor", *args], catch_exceptions=False)
        return result

    return invoke


def findings(result) -> dict[str, dict]:
    report = json.loads(result.stdout)
    return {item["check"]: item for item in report["checks"]}


@pytest.fixture
def healthy(settings, tmp_path, monkeypatch):
    """Nothing broken: a live worker, a fresh backup, room on disk, no mailbox, no AI key."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    settings.GMAIL_ADDRESS = settings.GMAIL_APP_PASSWORD = ""
    settings.ANTHROPIC_API_KEY = ""
    settings.STRATEGY_PLANNER = "auto"
    settings.STRIPE_LINK_STARTER = settings.STRIPE_LINK_PRO = settings.STRIPE_WEBHOOK_SECRET = ""
    record_heartbeat("host:1")
    write_backup(settings.BACKUP_DIR, timezone.now() - dt.timedelta(minutes=20))
    monkeypatch.setattr("shutil.disk_usage", lambda _path: ROOMY_DISK)
    return settings


def test_nothing_broken_exits_0(run, healthy):
    result = run("--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["failed"] == []
    found = findings(result)
    for name in ("database", "migrations", "secrets", "worker", "mail", "anthropic", "disk", "backups", "outbox"):
        assert found[name]["state"] == "ok", found[name]
    assert "not configured" in found["mail"]["detail"]


def test_the_screen_gives_a_fix_under_each_failure(run, healthy):
    later = timezone.now() + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        result = run()

    assert result.exit_code == 1
    lines = result.output.splitlines()
    worker_line = next(i for i, line in enumerate(lines) if "worker" in line and "stopped" in line)
    assert "✗" in lines[worker_line]
    assert "→ Start it: `sixdegrees worker`" in lines[worker_line + 1]
    assert lines[-1] == "1 failed: worker."


def test_a_stopped_worker(run, healthy):
    later = timezone.now() + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        result = run("--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == ["worker"]
    worker = findings(result)["worker"]
    assert "the last heartbeat (host:1) was 600 s ago" in worker["detail"]
    assert "sixdegrees worker" in worker["fix"]


def test_a_missing_secret(run, healthy):
    healthy.GMAIL_ADDRESS = "ops@example.com"  # the password that goes with it is not set

    result = run("--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == ["secret GMAIL_APP_PASSWORD"]
    secret = findings(result)["secret GMAIL_APP_PASSWORD"]
    assert "GMAIL_ADDRESS is set" in secret["detail"]
    assert "app password" in secret["fix"]


def test_anthropic_planner_without_a_key(run, healthy):
    healthy.STRATEGY_PLANNER = "anthropic"

    result = run("--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == ["secret ANTHROPIC_API_KEY"]


@pytest.mark.parametrize(
    ("usage", "state"),
    [
        (Usage(100 * 10**9, 92 * 10**9, 8 * 10**9), "warn"),  # 8 %
        (Usage(100 * 10**9, int(99.9 * 10**9), 10**8), "fail"),  # 100 MB
        (Usage(4 * 10**9, 3 * 10**9, 10**9 - 1), "warn"),  # 25 % free but under 1 GB
        (Usage(10**12, 985 * 10**9, 15 * 10**9), "fail"),  # 1.5 %
    ],
)
def test_low_disk(run, healthy, monkeypatch, usage, state):
    monkeypatch.setattr("shutil.disk_usage", lambda _path: usage)

    result = run("--json")

    disk = findings(result)["disk"]
    assert disk["state"] == state, disk
    assert "backup prune" in disk["fix"]
    assert result.exit_code == (1 if state == "fail" else 0)


@pytest.mark.parametrize(("hours", "state"), [(3, "warn"), (27, "fail")])
def test_an_old_backup(run, healthy, tmp_path, hours, state):
    healthy.BACKUP_DIR = tmp_path / "older"
    healthy.BACKUP_DIR.mkdir()
    write_backup(healthy.BACKUP_DIR, timezone.now() - dt.timedelta(hours=hours))

    backups = findings(run("--json"))["backups"]

    assert backups["state"] == state
    assert "sixdegrees backup create" in backups["fix"]


def test_no_backup(run, healthy, tmp_path):
    healthy.BACKUP_DIR = tmp_path / "empty"
    healthy.BACKUP_DIR.mkdir()

    result = run("--json")

    assert result.exit_code == 1
    assert findings(result)["backups"]["state"] == "fail"


def test_pending_migrations(run, healthy, monkeypatch):
    monkeypatch.setattr("sixdegrees.ops.status.pending_migrations", lambda: ["campaigns.0003_add_x"])

    result = run("--json")

    assert json.loads(result.stdout)["failed"] == ["migrations"]
    assert "campaigns.0003_add_x" in findings(result)["migrations"]["detail"]


def test_a_paused_mailbox_warns(run, healthy, alice):
    Mailbox.objects.create(
        owner=alice,
        address="alice@example.com",
        smtp_host="127.0.0.1",
        paused_until=timezone.now() + dt.timedelta(hours=5),
        pause_reason=Mailbox.PauseReason.QUOTA,
    )

    result = run("--offline", "--json")

    assert result.exit_code == 0
    paused = findings(result)["paused alice@example.com"]
    assert paused["state"] == "warn"
    assert "Daily sending quota reached" in paused["detail"]


# --- SMTP against a real server ----------------------------------------------------------------------


@pytest.fixture
def operator_mailbox_on(healthy, smtp_server):  # noqa: F811
    healthy.GMAIL_ADDRESS = SMTP_USER
    healthy.SMTP_HOST = smtp_server.host
    healthy.SMTP_PORT = smtp_server.port
    healthy.SMTP_SECURITY = "starttls"
    healthy.SMTP_CAFILE = smtp_server.cafile
    healthy.IMAP_HOST = ""
    return healthy


def test_smtp_refusing_the_password(run, operator_mailbox_on):
    operator_mailbox_on.GMAIL_APP_PASSWORD = "wr0ng-app-passw0rd"

    result = run("--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == [f"mailbox {SMTP_USER}"]
    mailbox = findings(result)[f"mailbox {SMTP_USER}"]
    assert "SMTP: the server refused the password (535)" in mailbox["detail"]
    assert "GMAIL_APP_PASSWORD" in mailbox["fix"]
    assert "wr0ng-app-passw0rd" not in result.output


def test_smtp_accepting_the_password(run, operator_mailbox_on):
    operator_mailbox_on.GMAIL_APP_PASSWORD = SMTP_PASSWORD

    result = run("--json")

    assert result.exit_code == 0, result.output
    mailbox = findings(result)[f"mailbox {SMTP_USER}"]
    assert mailbox["state"] == "ok"
    assert f"SMTP: logged in to 127.0.0.1:{operator_mailbox_on.SMTP_PORT}" in mailbox["detail"]
    assert SMTP_PASSWORD not in result.output


def test_an_unreachable_smtp_server(run, healthy):
    from sixdegrees.conftest import free_port

    healthy.GMAIL_ADDRESS, healthy.GMAIL_APP_PASSWORD = SMTP_USER, "any-password-1"
    healthy.SMTP_HOST, healthy.SMTP_PORT, healthy.IMAP_HOST = "127.0.0.1", free_port(), ""

    mailbox = findings(run("--json"))[f"mailbox {SMTP_USER}"]

    assert mailbox["state"] == "fail"
    assert "could not connect" in mailbox["detail"] or "connect" in mailbox["detail"]
    assert "SMTP_HOST, SMTP_PORT" in mailbox["fix"]
    assert "password" not in mailbox["fix"]


def test_a_persons_mailbox_refusing_the_password(run, healthy, alice, smtp_server):  # noqa: F811
    from sixdegrees.outreach.models import Mailbox

    mailbox = Mailbox(
        owner=alice,
        address="alice@example.com",
        username=SMTP_USER,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_cafile=smtp_server.cafile,
    )
    mailbox.set_password("not-her-password")
    mailbox.save()

    result = run("--json")

    found = findings(result)["mailbox alice@example.com"]
    assert found["state"] == "fail"
    assert "refused the password" in found["detail"]
    assert "reconnects the mailbox in Settings" in found["fix"]
    assert "not-her-password" not in result.output


def test_offline_skips_the_servers(run, operator_mailbox_on):
    operator_mailbox_on.GMAIL_APP_PASSWORD = "wr0ng-app-passw0rd"

    result = run("--offline", "--json")

    assert result.exit_code == 0
    assert f"mailbox {SMTP_USER}" not in findings(result)


# --- Anthropic against a local fake ------------------------------------------------------------------


class FakeAnthropic(BaseHTTPRequestHandler):
    key = "sk-ant-test-good-key-0123456789"
    seen: list[str] = []

    def do_GET(self):
        FakeAnthropic.seen.append(self.path)
        given = self.headers.get("x-api-key") or self.headers.get("Authorization", "").removeprefix("Bearer ")
        if given != self.key:
            self._reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid key"}})
            return
        model = {
            "id": "claude-sonnet-4-6",
            "type": "model",
            "display_name": "Claude",
            "created_at": "2026-01-01T00:00:00Z",
        }
        self._reply(200, {"data": [model], "has_more": False, "first_id": model["id"], "last_id": model["id"]})

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_anthropic(healthy):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAnthropic)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    healthy.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield healthy
    finally:
        server.shutdown()
        server.server_close()


def test_anthropic_accepting_the_key(run, fake_anthropic):
    fake_anthropic.ANTHROPIC_API_KEY = FakeAnthropic.key
    FakeAnthropic.seen.clear()

    result = run("--json")

    assert result.exit_code == 0, result.output
    assert findings(result)["anthropic"]["state"] == "ok"
    assert FakeAnthropic.seen and FakeAnthropic.seen[0].startswith("/v1/models")


def test_anthropic_refusing_the_key(run, fake_anthropic):
    fake_anthropic.ANTHROPIC_API_KEY = "sk-ant-revoked-key-9876543210abcdef"

    result = run("--json")

    assert result.exit_code == 1
    anthropic = findings(result)["anthropic"]
    assert anthropic["state"] == "fail"
    assert "refused the API key (HTTP 401)" in anthropic["detail"]
    assert "revoked-key" not in result.output


def test_anthropic_unreachable(run, healthy):
    from sixdegrees.conftest import free_port

    healthy.ANTHROPIC_API_KEY = "sk-ant-some-key-0123456789abcdef"
    healthy.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{free_port()}"

    anthropic = findings(run("--json"))["anthropic"]

    assert anthropic["state"] == "fail"
    assert "cannot reach" in anthropic["detail"]


# --- The database, in a subprocess pointed at something that is not a database -----------------------


def run_doctor_process(tmp_path, **env) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sixdegrees", "doctor", "--offline", "--json"],
        env=subprocess_env(tmp_path / "data", **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("broken", ["missing file", "not a database", "a directory"])
def test_the_database_gone(tmp_path, broken):
    target = tmp_path / "db.sqlite3"
    if broken == "not a database":
        target.write_bytes(b"these bytes are not an SQLite database " * 200)
    elif broken == "a directory":
        target.mkdir()

    result = run_doctor_process(tmp_path, DATABASE_URL=f"sqlite:///{target}")

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert "database" in report["failed"]
    database = next(c for c in report["checks"] if c["check"] == "database")
    assert "backup restore latest" in database["fix"]
    assert "Traceback" not in result.stderr
    if broken == "missing file":
        assert "does not exist" in database["detail"]
        assert not target.exists()  # diagnosing must not create an empty database in its place


def test_system_checks_carry_our_ids(settings):
    settings.GMAIL_ADDRESS, settings.GMAIL_APP_PASSWORD = "ops@example.com", ""

    assert "sixdegrees.W002" in {m.id for m in checks.run_checks()}


def test_deploy_checks_stay_about_security(settings):
    settings.ENCRYPTION_KEYS = []

    deploy = {m.id for m in checks.run_checks(include_deployment_checks=True)}

    assert not {"sixdegrees.W001", "sixdegrees.W004"} & deploy


def test_production_shows_the_operational_warnings(run, healthy):
    healthy.PRODUCTION = True
    healthy.ENCRYPTION_KEYS = []

    result = run("--offline", "--json")

    found = findings(result)
    assert found["config sixdegrees.W001"]["detail"] == "No SMTP configuration: emails go to the local outbox."
    assert found["config sixdegrees.W001"]["state"] == "warn"
    assert "sixdegrees mailbox new-key" in found["config sixdegrees.W004"]["fix"]
