"""Backups: create, list, verify, restore and prune, for SQLite and PostgreSQL.

Each backup is two files in BACKUP_DIR: the data (`<id>.sqlite3.gz` or `<id>.pgdump`) and its
manifest (`<id>.json`: when, engine, size, sha256, rows per table, schema version, and which
installation it came from). The manifest is written last, so a backup without one is unfinished
and ignored. Restoring checks the file against the manifest before anything touches the live
database, and takes a safety backup of the live database first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from sixdegrees import __version__
from sixdegrees.ops import backup_engines as engines
from sixdegrees.ops.backup_engines import BackupError, Target
from sixdegrees.ops.durable import fsync_dir, fsync_file, publish, write_json

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
SUFFIX = {"sqlite": ".sqlite3.gz", "postgresql": ".pgdump"}
KINDS = ("manual", "scheduled", "pre-migrate", "safety")
STALE_PARTIAL = dt.timedelta(days=1)

Echo = Callable[[str], Any]


def _quiet(_message: str) -> None:
    return None


# --- Where backups live and which installation they belong to --------------------------------------


def backup_dir() -> Path:
    folder = Path(settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def installation_id() -> str:
    """This installation's id, kept in the data dir; backups carry it so a foreign one is recognised."""
    path = Path(settings.DATA_DIR) / "installation_id"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    new = uuid.uuid4().hex
    partial = path.with_name(f".installation_id.{secrets.token_hex(4)}")
    partial.write_text(new + "\n", encoding="utf-8")
    try:
        # link() fails if another process got there first, so every process agrees on one id.
        path.hardlink_to(partial)
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return path.read_text(encoding="utf-8").strip()


def adopt_installation_id(value: str) -> None:
    path = Path(settings.DATA_DIR) / "installation_id"
    partial = path.with_name(".installation_id.adopt")
    partial.write_text(value + "\n", encoding="utf-8")
    publish(partial, path)


def fingerprint(installation: str, target: Target) -> str:
    return hashlib.sha256(f"{installation}|{target.engine}|{target.location()}".encode()).hexdigest()[:16]


@dataclass
class Backup:
    """A manifest read from disk, with where its data file is."""

    manifest: dict[str, Any]
    directory: Path

    @property
    def id(self) -> str:
        return self.manifest["id"]

    @property
    def engine(self) -> str:
        return self.manifest["engine"]

    @property
    def path(self) -> Path:
        return self.directory / self.manifest["file"]

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["created_at"])

    @property
    def foreign(self) -> bool:
        return self.manifest.get("installation_id") != installation_id()

    def summary(self) -> dict[str, Any]:
        tables = self.manifest.get("tables", {})
        return {
            "id": self.id,
            "created_at": self.manifest["created_at"],
            "kind": self.manifest.get("kind", "manual"),
            "engine": self.engine,
            "size": self.manifest.get("size"),
            "database_size": self.manifest.get("database_size"),
            "rows": sum(tables.values()),
            "emails": tables.get("email_outreach"),
            "duration_seconds": self.manifest.get("duration_seconds"),
            "foreign": self.foreign,
            "present": self.path.is_file(),
            "file": str(self.path),
            "note": self.manifest.get("note", ""),
        }


def _new_id(now: dt.datetime) -> str:
    return f"bk-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def list_backups(directory: Path | None = None) -> list[Backup]:
    """Every finished backup, oldest first (unreadable manifests are logged and skipped)."""
    import json

    folder = directory or backup_dir()
    found = []
    for path in folder.glob("bk-*.json"):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if manifest.get("format") != MANIFEST_FORMAT or manifest.get("id") != path.stem:
                raise ValueError("not a SixDegrees backup manifest")
        except (OSError, ValueError) as exc:
            logger.warning(
                "unreadable backup manifest",
                extra={"event": "backup_manifest_bad", "file": str(path), "error": str(exc)},
            )
            continue
        found.append(Backup(manifest, folder))
    return sorted(found, key=lambda b: (b.manifest["created_at"], b.id))


def find_backup(ref: str = "latest", *, engine: str | None = None, directory: Path | None = None) -> Backup:
    """A backup by id, by a unique start of its id, or `latest` (of `engine`, when given)."""
    backups = [b for b in list_backups(directory) if engine is None or b.engine == engine]
    if not backups:
        where = directory or backup_dir()
        kind = f"{engine} " if engine else ""
        raise BackupError(f"there is no {kind}backup in {where}; take one with `sixdegrees backup create`")
    if ref == "latest":
        return backups[-1]
    matches = [b for b in backups if b.id == ref] or [b for b in backups if b.id.startswith(ref)]
    if not matches:
        raise BackupError(f"no backup {ref!r}; `sixdegrees backup list` shows them")
    if len(matches) > 1:
        raise BackupError(f"{ref!r} matches {len(matches)} backups; give more of the id")
    return matches[0]


# --- Create -----------------------------------------------------------------------------------------


def create_backup(
    kind: str = "manual",
    *,
    note: str = "",
    target: Target | None = None,
    directory: Path | None = None,
    echo: Echo = _quiet,
) -> Backup:
    """Back up the database (the configured one unless `target` says otherwise)."""
    assert kind in KINDS, kind
    target = target or Target.from_settings()
    folder = directory or backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    started, clock = timezone.now(), time.monotonic()
    backup_id = _new_id(started)
    final = folder / f"{backup_id}{SUFFIX[target.engine]}"
    partial = final.with_name(final.name + ".partial")
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "id": backup_id,
        "created_at": started.isoformat(),
        "kind": kind,
        "note": note,
        "engine": target.engine,
        "installation_id": installation_id(),
        "source": {"location": target.location()},
        "file": final.name,
        "sixdegrees_version": _version(),
    }
    manifest["source"]["fingerprint"] = fingerprint(manifest["installation_id"], target)
    echo(f"Backing up {target.location()} ({target.engine})…")
    try:
        if target.engine == "sqlite":
            manifest.update(_create_sqlite(target, folder, backup_id, partial))
        else:
            manifest.update(_create_postgres(target, partial))
        publish(partial, final)
        manifest["duration_seconds"] = round(time.monotonic() - clock, 3)
        manifest["finished_at"] = timezone.now().isoformat()
        write_json(folder / f"{backup_id}.json", manifest)  # last: a backup without a manifest is unfinished
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    backup = Backup(manifest, folder)
    logger.info(
        "backup created",
        extra={
            "event": "backup_created",
            "backup_id": backup_id,
            "kind": kind,
            "size": manifest["size"],
            "duration_s": manifest["duration_seconds"],
        },
    )
    return backup


def _create_sqlite(target: Target, folder: Path, backup_id: str, partial: Path) -> dict[str, Any]:
    assert target.path is not None
    copy = folder / f".{backup_id}.sqlite3.tmp"
    try:
        engines.sqlite_snapshot(target.path, copy)
        counts, schema = engines.sqlite_describe(copy)
        raw_sha, gz_sha, size = engines.gzip_file(copy, partial)
        return {
            "engine_version": _sqlite_version(),
            "compression": "gzip",
            "size": size,
            "sha256": gz_sha,
            "database_size": copy.stat().st_size,
            "database_sha256": raw_sha,
            "tables": counts,
            "schema": schema,
        }
    finally:
        copy.unlink(missing_ok=True)


def _create_postgres(target: Target, partial: Path) -> dict[str, Any]:
    counts, schema, version = engines.pg_dump_snapshot(target, partial)
    with partial.open("rb") as handle:
        fsync_file(handle)
    return {
        "engine_version": version,
        "compression": "pg_dump custom format",
        "size": partial.stat().st_size,
        "sha256": engines.sha256_file(partial),
        "tables": counts,
        "schema": schema,
    }


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _version() -> str:
    return __version__


# --- Verify -----------------------------------------------------------------------------------------


def check_file(backup: Backup) -> None:
    """The data file is there, whole, and exactly what the manifest describes."""
    path, manifest = backup.path, backup.manifest
    if not path.is_file():
        raise BackupError(f"backup {backup.id} is missing its data file {path}")
    size = path.stat().st_size
    if size != manifest["size"]:
        shape = "truncated" if size < manifest["size"] else "altered"
        raise BackupError(
            f"backup {backup.id} is {shape}: its file has {size} bytes, the manifest says {manifest['size']}"
        )
    actual = engines.sha256_file(path)
    if actual != manifest["sha256"]:
        raise BackupError(
            f"backup {backup.id} is corrupt: its checksum does not match the manifest "
            f"(sha256 {actual[:12]}… instead of {manifest['sha256'][:12]}…)"
        )


def extract_sqlite(backup: Backup, dest: Path) -> None:
    """Decompress a (checked) SQLite backup into `dest`, verifying the database's own checksum."""
    raw_sha = engines.gunzip_file(backup.path, dest, f"backup {backup.id}")
    if raw_sha != backup.manifest["database_sha256"]:
        raise BackupError(f"backup {backup.id} is corrupt: the decompressed database does not match its checksum")


def compare_counts(backup: Backup, counts: dict[str, int]) -> None:
    expected = backup.manifest["tables"]
    wrong = [
        f"{table}: {counts.get(table, 'missing')} instead of {rows}"
        for table, rows in expected.items()
        if counts.get(table) != rows
    ]
    if wrong:
        raise BackupError(f"backup {backup.id} restored with different row counts: " + "; ".join(wrong[:5]))


def check_sqlite(backup: Backup, path: Path) -> dict[str, int]:
    """Integrity check and row counts of a restored SQLite file against the manifest."""
    problems = engines.sqlite_integrity(path)
    if problems:
        raise BackupError(f"backup {backup.id} fails the integrity check: " + "; ".join(problems[:3]))
    counts, _schema = engines.sqlite_describe(path)
    compare_counts(backup, counts)
    return counts


def verify_backup(backup: Backup) -> list[str]:
    """Every check a restore would make, without restoring; returns what was checked."""
    check_file(backup)
    checked = [f"file present, {backup.manifest['size']} bytes, sha256 matches the manifest"]
    if backup.engine == "sqlite":
        scratch = backup.directory / f".{backup.id}.verify.tmp"
        try:
            extract_sqlite(backup, scratch)
            checked.append("decompresses completely; the database matches its own checksum")
            counts = check_sqlite(backup, scratch)
            checked.append(f"PRAGMA integrity_check: ok; row counts of {len(counts)} tables match the manifest")
        finally:
            scratch.unlink(missing_ok=True)
    else:
        engines.pg_list(backup.path, f"backup {backup.id}")
        checked.append("pg_restore can read its table of contents")
    return checked


# --- Restore ----------------------------------------------------------------------------------------


def known_migrations() -> dict[str, set[str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: dict[str, set[str]] = {}
    for app, name in loader.disk_migrations:
        known.setdefault(app, set()).add(name)
    return known


def check_restorable(backup: Backup, engine: str, *, accept_foreign: bool) -> None:
    """Refuse a backup from another installation, another engine or a newer version of the code."""
    manifest = backup.manifest
    if backup.engine != engine:
        raise BackupError(f"backup {backup.id} is a {backup.engine} backup; this database is {engine}")
    if backup.foreign and not accept_foreign:
        raise BackupError(
            f"backup {backup.id} comes from another installation (id {str(manifest.get('installation_id'))[:8]}…, "
            f"this one is {installation_id()[:8]}…; taken from {manifest['source']['location']}). Restoring it "
            "would replace this installation's data with another's. If this machine replaces that one, "
            "run the restore again with --accept-foreign"
        )
    known = known_migrations()
    newer = [
        f"{app}.{name}" for app, name in manifest.get("schema", {}).items() if app in known and name not in known[app]
    ]
    if newer:
        raise BackupError(
            f"backup {backup.id} was taken by a newer version of SixDegrees (it has migration "
            f"{', '.join(newer[:3])}, which this version does not know); upgrade SixDegrees, then restore"
        )


def sqlite_live_path() -> Path:
    target = Target.from_settings()
    if target.engine != "sqlite":
        raise BackupError("this installation uses PostgreSQL")
    assert target.path is not None
    return target.path


def restore_backup(
    ref: str,
    *,
    to: str | None = None,
    accept_foreign: bool = False,
    echo: Echo = _quiet,
) -> dict[str, Any]:
    """Restore a backup over the live database (after a safety backup) or into a new one (`to`).

    Every check runs before the live database is touched: a refused backup changes nothing.
    """
    live = Target.from_settings()
    untouched = f"Nothing was written to {to}." if to else "The live database was not touched."
    clock = time.monotonic()
    scratch: Path | None = None
    try:
        try:
            backup = find_backup(ref)
            check_restorable(backup, live.engine, accept_foreign=accept_foreign)
            check_file(backup)
            echo(f"Backup {backup.id} ({backup.manifest['created_at']}) matches its manifest.")
            if live.engine == "sqlite":
                scratch = _prepare_sqlite(backup, live, to, echo)
            else:
                engines.pg_list(backup.path, f"backup {backup.id}")
        except BackupError as exc:
            raise BackupError(f"Refused: {exc}. {untouched}") from None
        if scratch is not None:
            report = _place_sqlite(backup, live, scratch, to, echo)
        else:
            report = _restore_postgres(backup, live, to, echo)
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
    if to is None and backup.foreign:
        adopt_installation_id(backup.manifest["installation_id"])
        report["adopted_installation_id"] = backup.manifest["installation_id"]
    report.update(backup=backup.id, seconds=round(time.monotonic() - clock, 3), tables=backup.manifest["tables"])
    logger.info(
        "backup restored",
        extra={
            "event": "backup_restored",
            "backup_id": backup.id,
            "into": report["into"],
            "duration_s": report["seconds"],
        },
    )
    return report


def _sqlite_destination(live: Target, to: str | None) -> Path:
    assert live.path is not None
    if not to:
        return live.path
    dest = Path(to).expanduser().resolve()
    if dest == live.path:
        raise BackupError(f"{dest} is the live database; leave out --to to restore over it")
    if dest.exists() and (dest.is_dir() or dest.stat().st_size > 0):
        raise BackupError(f"{dest} already exists; --to restores into a new file only")
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist")
    return dest


def _prepare_sqlite(backup: Backup, live: Target, to: str | None, echo: Echo) -> Path:
    """Decompress and check next to the destination; the destination itself is not touched yet."""
    dest = _sqlite_destination(live, to)
    scratch = dest.with_name(f".{dest.name}.{backup.id}.restoring")
    try:
        echo("Decompressing and checking…")
        extract_sqlite(backup, scratch)
        check_sqlite(backup, scratch)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    echo("PRAGMA integrity_check: ok; row counts match the manifest.")
    return scratch


def _place_sqlite(backup: Backup, live: Target, scratch: Path, to: str | None, echo: Echo) -> dict[str, Any]:
    assert live.path is not None
    dest = _sqlite_destination(live, to)
    report: dict[str, Any] = {"into": str(dest), "safety_backup": None}
    if to:
        publish(scratch, dest)
        return report
    if live.path.is_file() and live.path.stat().st_size > 0:
        try:
            safety = create_backup("safety", note=f"before restoring {backup.id}", target=live)
        except BackupError as exc:
            raise BackupError(
                f"Refused: no safety backup of the current database could be taken ({exc}), so it was left "
                f"as it is. If it is damaged beyond reading, stop the service, move {live.path} aside and "
                "restore again"
            ) from None
        echo(f"Safety backup of the current database: {safety.id}")
        report["safety_backup"] = safety.id
        engines.sqlite_copy_into(scratch, live.path)
    else:
        for leftover in (live.path.with_name(live.path.name + s) for s in ("-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        publish(scratch, live.path)
    return report


def _restore_postgres(backup: Backup, live: Target, to: str | None, echo: Echo) -> dict[str, Any]:
    if to:
        dbname = to
        if "://" in to or "/" in to:
            raise BackupError(f"Refused: give --to a database name; it is created on {live.location()}'s server")
        if dbname == live.dbname:
            raise BackupError(f"Refused: {dbname} is the live database; leave out --to to restore over it")
        clone = live.with_database(dbname)
        engines.pg_create_database(live, dbname)
        try:
            engines.pg_restore_new(clone, backup.path)
            compare_counts(backup, engines.pg_describe(clone)[0])
        except BaseException:
            engines.pg_drop_database(live, dbname)
            raise
        echo(f"Restored into the new database {dbname}; row counts match the manifest.")
        return {"into": clone.location(), "safety_backup": None}
    safety = create_backup("safety", note=f"before restoring {backup.id}", target=live)
    echo(f"Safety backup of the current database: {safety.id}")
    engines.pg_restore_replace(live, backup.path)
    compare_counts(backup, engines.pg_describe(live)[0])
    echo("Row counts match the manifest.")
    return {"into": live.location(), "safety_backup": safety.id}


# --- Prune ------------------------------------------------------------------------------------------


def prune_backups(keep_days: int, *, dry_run: bool = False, directory: Path | None = None) -> dict[str, Any]:
    """Delete backups older than `keep_days`, always keeping the newest one, and stale partial files."""
    folder = directory or backup_dir()
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    backups = list_backups(folder)
    doomed = [b for b in backups[:-1] if b.created_at < cutoff]
    freed = 0
    for backup in doomed:
        freed += backup.path.stat().st_size if backup.path.is_file() else 0
        if not dry_run:
            # Manifest first: a data file without one is ignored, never mistaken for a backup.
            (folder / f"{backup.id}.json").unlink(missing_ok=True)
            backup.path.unlink(missing_ok=True)
    stale = []
    old = time.time() - STALE_PARTIAL.total_seconds()
    for pattern in ("bk-*.partial", ".bk-*.tmp"):
        for path in folder.glob(pattern):
            if path.stat().st_mtime < old:
                stale.append(path.name)
                if not dry_run:
                    path.unlink(missing_ok=True)
    if doomed and not dry_run:
        fsync_dir(folder)
    result = {
        "keep_days": keep_days,
        "dry_run": dry_run,
        "deleted": [b.id for b in doomed],
        "freed_bytes": freed,
        "kept": len(backups) - len(doomed),
        "stale_files": stale,
    }
    if not dry_run:
        logger.info("backups pruned", extra={"event": "backups_pruned", "deleted": len(doomed), "kept": result["kept"]})
    return result


# --- Before migrations ------------------------------------------------------------------------------


def backup_before_migrations(echo: Echo = _quiet) -> Backup | None:
    """A backup when migrations are about to change a database that already holds data."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if not connection.introspection.table_names():
        return None  # a new database: nothing to lose
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return None
    echo(f"Backing up the database before {len(plan)} migration{'' if len(plan) == 1 else 's'}…")
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
    backup = create_backup("pre-migrate", note=f"before {names}{' …' if len(plan) > 5 else ''}")
    echo(f"Backup {backup.id} written to {backup.path}")
    return backup
