"""`sixdegrees status`: the morning checklist, with every field in --json and exit 1 on red."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.cli import cli
from sixdegrees.cli import ops as _ops_commands  # noqa: F401  (registers the commands)
from sixdegrees.ops.health import record_heartbeat
from sixdegrees.ops.status import percentile
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db


def write_backup(folder: Path, taken_at: dt.datetime) -> str:
    """A backup as `sixdegrees backup create` leaves it: a data file and its manifest."""
    backup_id = f"bk-{taken_at:%Y%m%d-%H%M%S}-abcd"
    (folder / f"{backup_id}.sqlite3.gz").write_bytes(b"not really gzip")
    manifest = {
        "format": 1,
        "id": backup_id,
        "created_at": taken_at.isoformat(),
        "engine": "sqlite",
        "file": f"{backup_id}.sqlite3.gz",
        "kind": "scheduled",
        "tables": {},
    }
    (folder / f"{backup_id}.json").write_text(json.dumps(manifest), encoding="utf-8")
    return backup_id


def log_line(when: dt.datetime, **fields) -> str:
    entry = {"time": when.astimezone(dt.UTC).isoformat(timespec="milliseconds"), "level": "info", "logger": "x"}
    entry.update(fields)
    return json.dumps(entry)


def request_line(when: dt.datetime, status: int = 200, duration_ms: float = 10.0) -> str:
    return log_line(
        when,
        level="error" if status >= 500 else "info",
        logger="sixdegrees.request",
        event="request",
        method="GET",
        path="/api/health",
        status=status,
        duration_ms=duration_ms,
    )


@pytest.fixture
def run(monkeypatch):
    """Invoke the CLI in this process, on the test database (Django is already set up)."""
    monkeypatch.setattr("sixdegrees.cli.setup_django", lambda: None)

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def healthy(settings, tmp_path):
    """A live worker, a fresh backup and an empty log: everything green."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    settings.LOG_FILE = tmp_path / "logs" / "sixdegrees.log"
    settings.LOG_FILE.parent.mkdir()
    settings.LOG_FILE.write_text("", encoding="utf-8")
    record_heartbeat("host:1")
    write_backup(settings.BACKUP_DIR, timezone.now() - dt.timedelta(minutes=20))
    return settings


EVERY_FIELD = {
    "version": None,
    "environment": None,
    "generated_at": None,
    "database": {"state", "reachable", "engine", "users", "campaigns", "emails"},
    "migrations": {"state", "pending"},
    "worker": {"state", "last_beat_at", "age_seconds", "alive", "worker"},
    "outbox": {"state", "by_status", "failed_last_24h", "queued_overdue", "sending_past_lease"},
    "errors_24h": {"state", "count", "server_error_responses", "latest"},
    "traffic_1h": {
        "state",
        "window_minutes",
        "requests",
        "requests_per_minute",
        "server_errors",
        "error_rate",
        "p95_ms",
    },
    "backup": {"state", "latest_id", "taken_at", "age_seconds"},
    "ok": None,
    "failed": None,
    "warnings": None,
}


def test_json_has_every_field(run, healthy, alice):
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe")
    EmailOutreach.objects.create(campaign=campaign, status="queued")
    EmailOutreach.objects.create(campaign=campaign, status="sent")

    result = run("status", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == set(EVERY_FIELD)
    for section, keys in EVERY_FIELD.items():
        if keys is not None:
            assert keys <= set(report[section]), section
    assert report["ok"] is True and report["failed"] == []
    assert report["database"] | {"users": 1, "campaigns": 1, "emails": 2} == report["database"]
    assert report["migrations"]["pending"] == []
    assert report["worker"]["alive"] == 1
    assert report["outbox"]["by_status"]["queued"] == 1
    assert set(report["outbox"]["by_status"]) == set(EmailOutreach.Status.values)
    assert 1100 <= report["backup"]["age_seconds"] <= 1300
    assert report["backup"]["state"] == "ok"


def test_the_screen_shows_each_line(run, healthy):
    result = run("status")

    assert result.exit_code == 0, result.output
    for label in ("database", "migrations", "worker", "outbox", "errors 24 h", "traffic 1 h", "backup"):
        assert label in result.output
    assert "All clear." in result.output


def test_traffic_comes_from_the_last_hour_of_request_lines(run, healthy):
    now = timezone.now()
    lines = [request_line(now - dt.timedelta(hours=2), status=500, duration_ms=9000)]  # too old
    lines += [request_line(now - dt.timedelta(minutes=30), duration_ms=float(ms)) for ms in range(1, 99)]
    lines += [request_line(now - dt.timedelta(minutes=5), status=502, duration_ms=800.0)] * 2
    healthy.LOG_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = json.loads(run("status", "--json").stdout)

    traffic = report["traffic_1h"]
    assert traffic["requests"] == 100
    assert traffic["requests_per_minute"] == pytest.approx(100 / 60, abs=0.01)
    assert traffic["server_errors"] == 2
    assert traffic["error_rate"] == 0.02
    assert traffic["p95_ms"] == 95.0
    assert traffic["state"] == "warn"  # 2 % is over the 1 % target


def test_errors_of_the_last_day_include_rotated_files(run, healthy):
    now = timezone.now()
    rotated = Path(f"{healthy.LOG_FILE}.1")
    rotated.write_text(
        "\n".join(
            [
                log_line(now - dt.timedelta(days=3), level="error", event="too old"),
                log_line(now - dt.timedelta(hours=20), level="error", event="api_error", message="unhandled API error"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    healthy.LOG_FILE.write_text(
        "\n".join(
            [
                log_line(now - dt.timedelta(hours=1), level="warning", event="just a warning"),
                request_line(now - dt.timedelta(minutes=10), status=500),
                log_line(now - dt.timedelta(minutes=9), level="critical", event="disk full"),
                "not json at all",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    report = json.loads(run("status", "--json").stdout)

    errors = report["errors_24h"]
    assert errors["count"] == 3
    assert errors["server_error_responses"] == 1
    assert errors["latest"][0]["event"] == "disk full"
    assert errors["state"] == "warn"
    assert report["ok"] is True  # errors warn; they are not an outage by themselves


def test_a_stopped_worker_is_red_and_exits_1(run, healthy):
    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        result = run("status")
        report = json.loads(run("status", "--json").stdout)

    assert result.exit_code == 1
    assert "STOPPED" in result.output
    assert "Run `sixdegrees doctor`" in result.output
    assert report["failed"] == ["worker"]
    assert report["worker"]["age_seconds"] >= 300


@pytest.mark.parametrize(("hours", "state"), [(1, "ok"), (3, "warn"), (30, "fail")])
def test_backup_age_thresholds(run, settings, tmp_path, hours, state):
    settings.BACKUP_DIR = tmp_path
    record_heartbeat("host:1")
    write_backup(tmp_path, timezone.now() - dt.timedelta(hours=hours))

    report = json.loads(run("status", "--json").stdout)

    assert report["backup"]["state"] == state


def test_no_backup_at_all_is_red(run, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    record_heartbeat("host:1")

    result = run("status")

    assert result.exit_code == 1
    assert "none yet" in result.output


def test_a_stuck_outbox_warns(run, healthy, alice):
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe")
    old = timezone.now() - dt.timedelta(hours=3)
    EmailOutreach.objects.create(campaign=campaign, status="queued", queued_at=old, next_attempt_at=old)
    EmailOutreach.objects.create(campaign=campaign, status="failed")

    report = json.loads(run("status", "--json").stdout)

    assert report["outbox"]["queued_overdue"] == 1
    assert report["outbox"]["failed_last_24h"] == 1
    assert report["outbox"]["state"] == "warn"


def test_pending_migrations_are_red(run, healthy, monkeypatch):
    monkeypatch.setattr("sixdegrees.ops.status.pending_migrations", lambda: ["outreach.0009_future"])

    result = run("status", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["migrations"] == {"state": "fail", "pending": ["outreach.0009_future"]}


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([5.0], 5.0), ([float(v) for v in range(1, 21)], 19.0), ([float(v) for v in range(1, 101)], 95.0)],
)
def test_p95_is_the_nearest_rank(values, expected):
    assert percentile(values, 0.95) == expected


def test_the_database_gone_is_red_and_the_rest_still_shows(tmp_path):
    import subprocess
    import sys

    from sixdegrees.ops.tests.helpers import subprocess_env

    missing = tmp_path / "gone.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "sixdegrees", "status", "--json"],
        env=subprocess_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{missing}"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == set(EVERY_FIELD)
    assert report["database"]["reachable"] is False
    assert "does not exist" in report["database"]["error"]
    assert {"database", "migrations", "worker", "outbox", "backup"} <= set(report["failed"])
    assert not missing.exists()


def test_outbox_counts_are_exact_without_reading_every_row(alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sixdegrees.ops.status import outbox_counts

    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe")
    made = {"sent": 5, "queued": 2, "failed": 1, "replied": 3, "draft": 1}
    for state, count in made.items():
        for _ in range(count):
            EmailOutreach.objects.create(campaign=campaign, status=state)

    with CaptureQueriesContext(connection) as queries:
        counts = outbox_counts()

    assert counts == {state: made.get(state, 0) for state in EmailOutreach.Status.values}
    # Any query of the outbox itself reads rows in proportion to its history; the tallies do not.
    assert not [q["sql"] for q in queries.captured_queries if "email_outreach" in q["sql"]]
