"""`sixdegrees backup list|verify|restore|prune`, foreign and newer backups, and the hourly task.

These run the commands in-process against a scratch SQLite file (the live database of a
pretend installation whose data dir is tmp_path), so they work the same in the SQLite and the
PostgreSQL runs of the suite.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import time
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from sixdegrees.bench.fill import fill
from sixdegrees.cli import backup as _backup_commands  # noqa: F401  (registers the commands)
from sixdegrees.cli import cli
from sixdegrees.ops.backups import Target
from sixdegrees.ops.tests.backup_support import counts, manifests, migrated_template, new_data_dir  # noqa: F401


@pytest.fixture
def site(tmp_path, settings, monkeypatch, migrated_template):  # noqa: F811
    data_dir = new_data_dir(tmp_path, migrated_template)
    live = data_dir / "sixdegrees.sqlite3"
    settings.DATA_DIR = data_dir
    settings.BACKUP_DIR = data_dir / "backups"
    monkeypatch.setattr(Target, "from_settings", classmethod(lambda cls, alias="default": Target.sqlite(live)))
    fill(live, campaigns=10, emails_per_campaign=3, prefix="before")
    return SimpleNamespace(data_dir=data_dir, live=live, backups=data_dir / "backups", tmp=tmp_path)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def create(note: str = "") -> dict:
    result = invoke("backup", "create", "--json", *(["--note", note] if note else []))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def age(site, backup_id: str, days: float) -> None:
    path = site.backups / f"{backup_id}.json"
    manifest = json.loads(path.read_text())
    manifest["created_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat()
    path.write_text(json.dumps(manifest))


def test_create_list_and_verify(site):
    made = create("before the import")

    listed = invoke("backup", "list")
    assert made["id"] in listed.stdout and "before the import" in listed.stdout
    as_json = json.loads(invoke("backup", "list", "--json").stdout)
    assert [b["id"] for b in as_json] == [made["id"]]
    assert as_json[0]["rows"] == sum(counts(site.live).values())
    assert as_json[0]["emails"] == 30
    verified = invoke("backup", "verify", made["id"][:12])
    assert verified.exit_code == 0
    assert "PRAGMA integrity_check: ok" in verified.stdout


def test_restore_over_live_takes_a_safety_backup_first(site):
    made = create()
    fill(site.live, campaigns=5, emails_per_campaign=2, prefix="after")
    after = counts(site.live)

    result = invoke("backup", "restore", made["id"], "--yes")

    assert result.exit_code == 0, result.output
    assert counts(site.live) == made["manifest"]["tables"]
    safety = [m for m in manifests(site.data_dir) if m["kind"] == "safety"]
    assert len(safety) == 1
    assert safety[0]["tables"] == after
    assert f"before restoring {made['id']}" == safety[0]["note"]
    assert safety[0]["id"] in result.stdout

    undo = invoke("backup", "restore", safety[0]["id"], "--yes")
    assert undo.exit_code == 0, undo.output
    assert counts(site.live) == after


def test_restore_when_the_database_is_gone(site):
    made = create()
    site.live.unlink()

    result = invoke("backup", "restore", "latest", "--yes")

    assert result.exit_code == 0, result.output
    assert counts(site.live) == made["manifest"]["tables"]
    assert [m["kind"] for m in manifests(site.data_dir)] == ["manual"]  # nothing to keep a safety copy of


def test_restore_to_a_new_path_only(site):
    made = create()
    existing = site.tmp / "existing.sqlite3"
    existing.write_text("something")

    taken = invoke("backup", "restore", made["id"], "--to", str(existing))
    live = invoke("backup", "restore", made["id"], "--to", str(site.live))
    fresh = invoke("backup", "restore", made["id"], "--to", str(site.tmp / "fresh.sqlite3"))

    assert taken.exit_code == 1 and "already exists" in taken.stderr
    assert "Nothing was written to" in taken.stderr
    assert live.exit_code == 1 and "is the live database" in live.stderr
    assert fresh.exit_code == 0, fresh.output
    assert counts(site.tmp / "fresh.sqlite3") == made["manifest"]["tables"]
    assert existing.read_text() == "something"


def test_a_foreign_backup_is_refused_unless_accepted(site):
    made = create()
    theirs = made["manifest"]["installation_id"]
    (site.data_dir / "installation_id").write_text("another-installation\n")
    fill(site.live, campaigns=1, emails_per_campaign=1, prefix="ours")
    ours = counts(site.live)

    refused = invoke("backup", "restore", made["id"], "--yes")
    listed = invoke("backup", "list")
    accepted = invoke("backup", "restore", made["id"], "--yes", "--accept-foreign")

    assert refused.exit_code == 1
    assert "comes from another installation" in refused.stderr
    assert "--accept-foreign" in refused.stderr
    assert "The live database was not touched." in refused.stderr
    assert "FOREIGN" in listed.stdout
    assert accepted.exit_code == 0, accepted.output
    assert counts(site.live) == made["manifest"]["tables"] != ours
    assert (site.data_dir / "installation_id").read_text().strip() == theirs


def test_a_backup_from_a_newer_version_is_refused(site):
    made = create()
    path = site.backups / f"{made['id']}.json"
    manifest = json.loads(path.read_text())
    manifest["schema"]["campaigns"] = "0999_from_the_future"
    path.write_text(json.dumps(manifest))

    result = invoke("backup", "restore", made["id"], "--to", str(site.tmp / "new.sqlite3"))

    assert result.exit_code == 1
    assert "newer version of SixDegrees" in result.stderr
    assert "campaigns.0999_from_the_future" in result.stderr
    assert not (site.tmp / "new.sqlite3").exists()


def test_verify_reports_damage(site):
    made = create()
    path = site.backups / made["manifest"]["file"]
    path.write_bytes(path.read_bytes()[:-100])

    result = invoke("backup", "verify", made["id"])
    as_json = invoke("backup", "verify", made["id"], "--json")

    assert result.exit_code == 1
    assert "verification failed" in result.stderr and "truncated" in result.stderr
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["ok"] is False


def test_there_must_be_a_database_to_back_up(site):
    site.live.unlink()

    result = invoke("backup", "create")

    assert result.exit_code == 1
    assert "there is no database at" in result.stderr


def test_prune_deletes_old_backups_but_always_keeps_the_newest(site):
    old, older, recent = create(), create(), create()
    age(site, old["id"], 31)
    age(site, older["id"], 45)
    stale = site.backups / "bk-20200101-000000-dead.sqlite3.gz.partial"
    stale.write_bytes(b"half a backup")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)

    dry = json.loads(invoke("backup", "prune", "--keep-days", "30", "--dry-run", "--json").stdout)
    assert sorted(dry["deleted"]) == sorted([old["id"], older["id"]])
    assert len(manifests(site.data_dir)) == 3

    result = invoke("backup", "prune", "--keep-days", "30")
    assert result.exit_code == 0
    assert [m["id"] for m in manifests(site.data_dir)] == [recent["id"]]
    assert not (site.backups / old["manifest"]["file"]).exists()
    assert not stale.exists()

    age(site, recent["id"], 400)
    invoke("backup", "prune", "--keep-days", "30")
    assert [m["id"] for m in manifests(site.data_dir)] == [recent["id"]], "the newest backup always stays"


def test_the_hourly_task_backs_up_and_prunes(site, settings):
    from sixdegrees.ops.tasks import hourly_backup

    old = create()
    age(site, old["id"], settings.BACKUP_KEEP_DAYS + 1)

    backup_id = hourly_backup.call_local()

    kept = manifests(site.data_dir)
    assert [m["id"] for m in kept] == [backup_id]
    assert kept[0]["kind"] == "scheduled"


def test_the_hourly_task_runs_every_hour():
    from sixdegrees.ops.tasks import hourly_backup

    day = dt.datetime(2026, 11, 28)
    runs = [
        day + dt.timedelta(minutes=m)
        for m in range(24 * 60)
        if hourly_backup.task_class().validate_datetime(day + dt.timedelta(minutes=m))
    ]
    assert len(runs) == 24
    assert all((b - a) == dt.timedelta(hours=1) for a, b in itertools.pairwise(runs))


def test_the_hourly_task_can_be_turned_off(site, settings):
    from sixdegrees.ops.tasks import hourly_backup

    settings.BACKUP_HOURLY = False

    assert hourly_backup.call_local() is None
    assert manifests(site.data_dir) == []
