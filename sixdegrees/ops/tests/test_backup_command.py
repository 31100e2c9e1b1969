"""`sixdegrees backup create` on a busy 100k-email database, and restores that refuse bad backups.

The backup runs while another connection keeps inserting; the restored copy must pass
PRAGMA integrity_check and hold exactly the rows its manifest counted. A backup with flipped
bytes or cut short is refused, and the live database stays byte-for-byte what it was.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from sixdegrees.bench.fill import fill, sqlite_time
from sixdegrees.ops.tests.backup_support import (  # noqa: F401  (fixture)
    counts,
    manifests,
    migrated_template,
    new_data_dir,
    run_cli,
    sha256,
)

EMAILS = 100_000


class Writer(threading.Thread):
    """Inserts emails in small transactions, as the sender and the web would, until stopped."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db, self.stop, self.written, self.error = db, threading.Event(), 0, None

    def run(self):
        conn = sqlite3.connect(self.db, timeout=30)
        try:
            columns = conn.execute("SELECT * FROM email_outreach LIMIT 1").description
            names = [c[0] for c in columns]
            template = list(conn.execute("SELECT * FROM email_outreach LIMIT 1").fetchone())
            insert = f"INSERT INTO email_outreach ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            while not self.stop.is_set():
                with conn:
                    for _ in range(20):
                        row = dict(zip(names, template, strict=True))
                        row.update(id=f"email_live_{self.written:08d}", message_id=None, created_at=sqlite_time_now())
                        conn.execute(insert, [row[n] for n in names])
                        self.written += 1
                time.sleep(0.002)
        except Exception as exc:  # reported by the test
            self.error = exc
        finally:
            conn.close()


def sqlite_time_now() -> str:
    import datetime as dt

    return sqlite_time(dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def busy_backup(migrated_template, tmp_path_factory):  # noqa: F811
    """A 100k-email database, backed up by the CLI while a writer keeps inserting."""
    root = tmp_path_factory.mktemp("busy")
    data_dir = new_data_dir(root, migrated_template)
    live = data_dir / "sixdegrees.sqlite3"
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA journal_mode=WAL")  # as the service runs it
    conn.close()
    fill(live, campaigns=2_000, emails_per_campaign=EMAILS // 2_000)

    writer = Writer(live)
    writer.start()
    try:
        while writer.written < 200 and writer.error is None:
            time.sleep(0.01)
        before = writer.written
        started = time.monotonic()
        done = run_cli(data_dir, "backup", "create", "--json")
        took = time.monotonic() - started
        during = writer.written - before
        time.sleep(0.1)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert writer.error is None, writer.error
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    print(f"backup of {EMAILS:,} emails while writing: {made['duration_seconds']:.2f} s in-process, {took:.2f} s CLI")
    return {"data_dir": data_dir, "live": live, "backup": made, "written_during": during, "root": root}


@pytest.mark.slow
def test_backup_taken_during_writes_restores_to_exactly_its_manifest(busy_backup):
    data_dir, made = busy_backup["data_dir"], busy_backup["backup"]
    manifest = made["manifest"]
    assert busy_backup["written_during"] > 0, "the writer did not write while the backup ran"
    emails_in_backup = manifest["tables"]["email_outreach"]
    assert EMAILS < emails_in_backup < counts(busy_backup["live"])["email_outreach"]
    assert manifest["engine"] == "sqlite"
    assert manifest["schema"]["ops"].startswith("0001")
    assert len(manifest["sha256"]) == 64 and manifest["installation_id"]
    assert (data_dir / "installation_id").read_text().strip() == manifest["installation_id"]

    restored = busy_backup["root"] / "restored.sqlite3"
    done = run_cli(data_dir, "backup", "restore", made["id"], "--to", str(restored))

    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(restored)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert counts(restored) == manifest["tables"]
    verify = run_cli(data_dir, "backup", "verify", made["id"])
    assert verify.returncode == 0, verify.stderr
    assert "integrity_check: ok" in verify.stdout


def flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def truncate_and_fix_manifest(path):
    """Cut short, and a manifest that agrees: only the gzip stream itself can tell."""
    truncate(path)
    manifest_path = path.with_name(path.name.removesuffix(".sqlite3.gz") + ".json")
    manifest = json.loads(manifest_path.read_text())
    manifest.update(size=path.stat().st_size, sha256=sha256(path))
    manifest_path.write_text(json.dumps(manifest))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(flip_bytes, "is corrupt: its checksum does not match the manifest", id="flipped-bytes"),
        pytest.param(truncate, "is truncated: its file has", id="truncated"),
        pytest.param(truncate_and_fix_manifest, "is truncated: the compressed data ends before", id="truncated-gzip"),
    ],
)
def test_a_damaged_backup_is_refused_and_the_live_database_untouched(busy_backup, damage, message):
    data_dir, live, made = busy_backup["data_dir"], busy_backup["live"], busy_backup["backup"]
    path = data_dir / "backups" / made["manifest"]["file"]
    manifest_path = data_dir / "backups" / f"{made['id']}.json"
    original, original_manifest = path.read_bytes(), manifest_path.read_text()
    rows_before, checksum_before = counts(live), sha256(live)
    backups_before = len(manifests(data_dir))
    try:
        damage(path)
        done = run_cli(data_dir, "backup", "restore", made["id"], "--yes")
    finally:
        path.write_bytes(original)
        manifest_path.write_text(original_manifest)

    assert done.returncode == 1
    assert message in done.stderr
    assert "The live database was not touched." in done.stderr
    assert "Traceback" not in done.stderr
    assert sha256(live) == checksum_before
    assert counts(live) == rows_before
    assert len(manifests(data_dir)) == backups_before, "no safety backup: nothing was about to change"
    assert not list((data_dir).glob(".*restoring")), "the scratch copy is cleaned up"
