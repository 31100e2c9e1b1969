"""`sixdegrees up` backs the database up before it applies migrations to a database with data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sixdegrees.bench.fill import fill
from sixdegrees.ops.tests.backup_support import manifests, migrated_template, new_data_dir, run_cli  # noqa: F401
from sixdegrees.ops.tests.helpers import ROOT, subprocess_env
from sixdegrees.ops.tests.test_up_command import Up

CALL = """
import django
django.setup()
from sixdegrees.ops.backups import backup_before_migrations
print(backup_before_migrations())
"""


@pytest.mark.slow
def test_up_backs_up_before_migrating(tmp_path, migrated_template):  # noqa: F811
    data_dir = new_data_dir(tmp_path, migrated_template)
    fill(data_dir / "sixdegrees.sqlite3", campaigns=3, emails_per_campaign=2)
    rolled_back = run_cli(data_dir, "manage", "migrate", "ops", "zero", "-v", "0")
    assert rolled_back.returncode == 0, rolled_back.stderr

    service = Up(tmp_path)
    try:
        service.wait_healthy()
    finally:
        service.stop_everything()

    assert "Backing up the database before 1 migration…" in service.output()
    # Only the one before migrating (at minute 7 the worker's hourly backup may have run too).
    [made] = [m for m in manifests(data_dir) if m["kind"] == "pre-migrate"]
    assert made["note"] == "before ops.0001_initial"
    assert "ops" not in made["schema"] and "ops_worker_heartbeats" not in made["tables"]
    assert made["tables"]["email_outreach"] == 6


def test_a_new_database_is_not_backed_up(tmp_path):
    env = subprocess_env(tmp_path / "data", SIXDEGREES_ENV="development", DJANGO_SETTINGS_MODULE="sixdegrees.settings")
    done = subprocess.run([sys.executable, "-c", CALL], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"
    assert list((tmp_path / "data" / "backups").iterdir()) == []


@pytest.mark.django_db
def test_an_up_to_date_database_is_not_backed_up(settings, tmp_path):
    from sixdegrees.ops.backups import backup_before_migrations

    settings.BACKUP_DIR = tmp_path / "backups"

    assert backup_before_migrations() is None
    assert not (tmp_path / "backups").exists()
