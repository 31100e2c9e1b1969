"""`sixdegrees drill` on PostgreSQL: the clone is a scratch database on the same server, dropped after."""

from __future__ import annotations

import json

import pytest

from sixdegrees.ops.tests.backup_support import (  # noqa: F401  (fixtures)
    pg_counts,
    pg_database,
    pg_databases,
    pg_fill,
    pg_template,
    pg_url,
    run_cli,
    run_json,
)

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_the_drill_passes_on_postgresql(tmp_path, pg_database):  # noqa: F811
    data_dir = tmp_path / "data"
    env = {"DATABASE_URL": pg_url(pg_database)}
    pg_fill(pg_database, campaigns=30, emails_per_campaign=4)
    made = run_json(data_dir, "backup", "create", **env)
    live_rows = pg_counts(pg_database)

    done = run_cli(data_dir, "drill", "--json", **env)

    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["engine"] == "postgresql"
    assert report["backup_id"] == made["id"]
    assert report["clone"].startswith("sixdegrees_drill_")
    assert report["smoke"]["intake"] == 200 and report["smoke"]["campaign"] == 200
    assert report["time_to_recovery_seconds"] > 0
    assert pg_databases(report["clone"]) == [], "the scratch database is dropped"
    assert pg_counts(pg_database) == live_rows, "the drill never writes to the live database"
    recorded = [json.loads(line) for line in (data_dir / "drills.jsonl").read_text().splitlines()]
    assert recorded == [report]
    print(f"PostgreSQL drill: time to recovery {report['time_to_recovery_seconds']:.2f} s, steps {report['steps']}")
