"""Migrations: every one can be undone, and the models have none missing."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from sixdegrees.ops.tests.helpers import ROOT, subprocess_env

# Runs on a scratch SQLite file: up, all the way down, and up again.
ROUND_TRIP = """
import json

import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' AND name != 'django_migrations' ORDER BY type, name"
        )
        return [list(row) for row in cursor.fetchall()]


call_command("migrate", interactive=False, verbosity=0)
migrated = schema()
apps = sorted(MigrationLoader(connection).migrated_apps)
for app in apps:
    call_command("migrate", app, "zero", interactive=False, verbosity=0)
emptied = schema()
call_command("migrate", interactive=False, verbosity=0)
print(json.dumps({"apps": apps, "migrated": migrated, "emptied": emptied, "again": schema()}))
"""


@pytest.mark.slow
def test_every_migration_can_be_reversed(tmp_path):
    env = subprocess_env(tmp_path, SIXDEGREES_ENV="development", DJANGO_SETTINGS_MODULE="sixdegrees.settings")
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr  # IrreversibleError names the migration
    report = json.loads(result.stdout.splitlines()[-1])
    assert {"accounts", "campaigns", "outreach", "billing", "ops"} <= set(report["apps"])
    assert any(name == "users" for _, name, _ in report["migrated"])
    assert report["emptied"] == [], "tables left after migrating every app to zero"
    assert report["again"] == report["migrated"], "the schema differs after going down and up again"


@pytest.mark.django_db
def test_no_migrations_are_missing():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a model change has no migration
        pytest.fail(f"makemigrations --check exited {exc.code}:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
