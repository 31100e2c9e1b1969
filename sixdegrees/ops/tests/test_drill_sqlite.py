"""`sixdegrees drill` on SQLite: restore into a clone, check, serve, smoke-test, measure, clean up."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from sixdegrees.bench.fill import fill
from sixdegrees.cli import backup as _backup_commands  # noqa: F401  (registers the commands)
from sixdegrees.cli import cli
from sixdegrees.ops.backups import Target
from sixdegrees.ops.tests.backup_support import counts, migrated_template, new_data_dir, run_cli  # noqa: F401

STEPS = ["find backup", "restore", "check", "start service", "smoke test", "stop service"]


def drills(data_dir) -> list[dict]:
    path = data_dir / "drills.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_the_drill_passes_and_records_its_time_to_recovery(tmp_path, migrated_template):  # noqa: F811
    data_dir = new_data_dir(tmp_path, migrated_template)
    live = data_dir / "sixdegrees.sqlite3"
    fill(live, campaigns=50, emails_per_campaign=4)
    made = run_cli(data_dir, "backup", "create")
    assert made.returncode == 0, made.stderr
    live_rows = counts(live)

    done = run_cli(data_dir, "drill")

    assert done.returncode == 0, done.stdout + done.stderr
    [record] = drills(data_dir)
    assert record["ok"] is True and record["failed_step"] is None
    assert list(record["steps"]) == STEPS
    ttr = record["time_to_recovery_seconds"]
    assert 0 < ttr <= sum(record["steps"][s] for s in ("restore", "check", "start service", "smoke test")) + 0.5
    assert f"time to recovery {ttr:.1f} s (within the 5 min RTO target)" in done.stdout
    assert record["smoke"]["intake"] == 200 and record["smoke"]["campaign"] == 200
    assert record["smoke"]["campaign_id"].startswith("camp_")
    assert record["rows"] == sum(live_rows.values())
    assert not list(data_dir.glob("drill-*")), "the clone is removed"
    assert counts(live) == live_rows, "the drill never writes to the live database"
    print(f"SQLite drill: time to recovery {ttr:.2f} s, steps {record['steps']}")


@pytest.mark.slow
def test_the_drill_fails_at_start_service_when_the_clone_cannot_serve(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / "sixdegrees.sqlite3")  # a "users" table the migrations cannot create over
    conn.execute("CREATE TABLE users (x)")
    conn.commit()
    conn.close()
    assert run_cli(data_dir, "backup", "create").returncode == 0

    done = run_cli(data_dir, "drill", "--timeout", "30")

    assert done.returncode == 1
    assert "drill failed at step 'start service'" in done.stderr
    assert "server log:" in done.stderr
    [record] = drills(data_dir)
    assert record["failed_step"] == "start service" and record["ok"] is False
    assert record["time_to_recovery_seconds"] is None
    assert not list(data_dir.glob("drill-*"))


@pytest.fixture
def site(tmp_path, settings, monkeypatch, migrated_template):  # noqa: F811
    data_dir = new_data_dir(tmp_path, migrated_template)
    live = data_dir / "sixdegrees.sqlite3"
    settings.DATA_DIR = data_dir
    settings.BACKUP_DIR = data_dir / "backups"
    monkeypatch.setattr(Target, "from_settings", classmethod(lambda cls, alias="default": Target.sqlite(live)))
    return SimpleNamespace(data_dir=data_dir, backups=data_dir / "backups")


def test_without_a_backup_the_drill_fails_at_find_backup(site):
    result = CliRunner().invoke(cli, ["drill", "--json"])

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failed_step"] == "find backup"
    assert "there is no sqlite backup" in report["error"]
    assert "drill failed at step 'find backup'" in result.stderr
    assert drills(site.data_dir) == [report]


def test_a_corrupt_backup_fails_the_drill_at_restore(site):
    made = CliRunner().invoke(cli, ["backup", "create", "--json"])
    path = site.backups / json.loads(made.stdout)["manifest"]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    result = CliRunner().invoke(cli, ["drill"])

    assert result.exit_code == 1
    assert "drill failed at step 'restore'" in result.stderr
    assert "checksum does not match" in result.stderr
    assert drills(site.data_dir)[0]["failed_step"] == "restore"
    assert not list(site.data_dir.glob("drill-*"))


def test_latest_means_this_installations_latest(site):
    CliRunner().invoke(cli, ["backup", "create"])
    (site.data_dir / "installation_id").write_text("a-new-installation\n")

    result = CliRunner().invoke(cli, ["drill"])

    assert result.exit_code == 1
    assert "there is no sqlite backup of this installation" in result.stderr
