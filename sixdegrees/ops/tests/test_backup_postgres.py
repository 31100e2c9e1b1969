"""Backups of a PostgreSQL database: pg_dump on one snapshot, restore over it or into a new database."""

from __future__ import annotations

import pytest

from sixdegrees.ops.tests.backup_support import (  # noqa: F401  (fixture)
    manifests,
    pg_connect,
    pg_counts,
    pg_database,
    pg_databases,
    pg_drop,
    pg_fill,
    pg_template,
    pg_url,
    run_cli,
    run_json,
)

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def pg_site(tmp_path, pg_database):  # noqa: F811
    data_dir = tmp_path / "data"
    pg_fill(pg_database, campaigns=20, emails_per_campaign=5)
    return data_dir, pg_database, {"DATABASE_URL": pg_url(pg_database)}


def test_backup_verify_and_restore_into_a_new_database(pg_site):
    data_dir, dbname, env = pg_site
    made = run_json(data_dir, "backup", "create", **env)
    manifest = made["manifest"]
    assert manifest["engine"] == "postgresql"
    assert manifest["file"].endswith(".pgdump")
    assert manifest["tables"] == pg_counts(dbname)
    assert manifest["tables"]["email_outreach"] == 100
    assert "password" not in manifest["source"]["location"]

    verified = run_cli(data_dir, "backup", "verify", made["id"], **env)
    assert verified.returncode == 0, verified.stderr

    copy = f"{dbname}_copy"
    try:
        restored = run_cli(data_dir, "backup", "restore", made["id"], "--to", copy, **env)
        assert restored.returncode == 0, restored.stderr
        assert pg_counts(copy) == manifest["tables"]
    finally:
        pg_drop(copy)


def test_restore_over_live_replaces_everything_after_a_safety_backup(pg_site):
    data_dir, dbname, env = pg_site
    made = run_json(data_dir, "backup", "create", **env)
    with pg_connect(dbname) as conn:  # what happened after the backup: more rows, a new table
        conn.execute("DELETE FROM email_outreach WHERE hop = 0")
        conn.execute("CREATE TABLE added_later (id int primary key)")
    after = pg_counts(dbname)

    restored = run_cli(data_dir, "backup", "restore", made["id"], "--yes", **env)

    assert restored.returncode == 0, restored.stderr
    assert pg_counts(dbname) == made["manifest"]["tables"]
    safety = [m for m in manifests(data_dir) if m["kind"] == "safety"]
    assert len(safety) == 1 and safety[0]["tables"] == after


def test_a_damaged_dump_is_refused_and_live_untouched(pg_site):
    data_dir, dbname, env = pg_site
    made = run_json(data_dir, "backup", "create", **env)
    path = data_dir / "backups" / made["manifest"]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pg_connect(dbname) as conn:
        conn.execute("DELETE FROM email_outreach WHERE hop = 0")
    before = pg_counts(dbname)

    refused = run_cli(data_dir, "backup", "restore", made["id"], "--yes", **env)

    assert refused.returncode == 1
    assert "is corrupt: its checksum does not match" in refused.stderr
    assert "The live database was not touched." in refused.stderr
    assert pg_counts(dbname) == before
    assert [m["kind"] for m in manifests(data_dir)] == ["manual"]
    assert pg_databases(f"{dbname}_") == []
