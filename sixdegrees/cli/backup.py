"""`sixdegrees backup create|list|verify|restore|prune` and `sixdegrees drill` (see ops/backups.py, ops/drill.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from django.conf import settings

from sixdegrees.cli import cli
from sixdegrees.cli.output import emit_json, json_option
from sixdegrees.ops.backups import (
    BackupError,
    backup_dir,
    create_backup,
    find_backup,
    list_backups,
    prune_backups,
    restore_backup,
    verify_backup,
)
from sixdegrees.ops.drill import drills_log, run_drill

F = TypeVar("F", bound=Callable[..., Any])


def human_size(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@cli.group()
def backup() -> None:
    """Back up the database, check backups, restore one, delete old ones.

    SQLite is copied with its online backup API (safe while the service runs) and gzipped;
    PostgreSQL with pg_dump. Each backup has a manifest: time, size, sha256, rows per table,
    schema version and the installation it came from. The worker takes one every hour.

    Example: sixdegrees backup create
    """


@backup.command("create")
@click.option("--note", default="", help="A few words stored in the manifest (why this backup).")
@json_option
def backup_create(note: str, as_json: bool) -> None:
    """Take a backup now, while the service keeps running.

    Example: sixdegrees backup create --note "before the import"
    """
    try:
        made = create_backup("manual", note=note, echo=(lambda _m: None) if as_json else click.echo)
    except BackupError as exc:
        raise _fail(exc) from None
    if as_json:
        emit_json({**made.summary(), "manifest": made.manifest})
        return
    m = made.manifest
    click.echo(
        f"Backup {made.id} written in {m['duration_seconds']:.1f} s: {human_size(m['size'])} "
        f"({m['engine']}{', database ' + human_size(m['database_size']) if m.get('database_size') else ''}), "
        f"{sum(m['tables'].values()):,} rows in {len(m['tables'])} tables."
    )
    click.echo(f"  {made.path}")


@backup.command("list")
@json_option
def backup_list(as_json: bool) -> None:
    """List backups, oldest first, with their size and row count.

    A backup marked "foreign" was taken by another installation and will not be restored here.

    Example: sixdegrees backup list --json
    """
    rows = [b.summary() for b in list_backups()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"No backups in {backup_dir()} yet; take one with `sixdegrees backup create`.")
        return
    click.echo(f"{'id':<27}{'taken (UTC)':<21}{'kind':<13}{'engine':<12}{'size':>10}{'rows':>12}  notes")
    for row in rows:
        notes = [row["note"]] if row["note"] else []
        if row["foreign"]:
            notes.append("FOREIGN: from another installation")
        if not row["present"]:
            notes.append("DATA FILE MISSING")
        click.echo(
            f"{row['id']:<27}{row['created_at'][:19].replace('T', ' '):<21}{row['kind']:<13}{row['engine']:<12}"
            f"{human_size(row['size']):>10}{row['rows']:>12,}  {'; '.join(notes)}"
        )
    click.echo(f"{len(rows)} backup{'' if len(rows) == 1 else 's'} in {backup_dir()}.")


@backup.command("verify")
@click.argument("backup_id", default="latest")
@json_option
def backup_verify(backup_id: str, as_json: bool) -> None:
    """Check a backup without restoring it over anything.

    Size and sha256 against the manifest; for SQLite also a full decompression,
    PRAGMA integrity_check and the row counts. BACKUP_ID may be the start of an id, or `latest`.

    Example: sixdegrees backup verify latest
    """
    try:
        found = find_backup(backup_id)
        checked = verify_backup(found)
    except BackupError as exc:
        if as_json:
            emit_json({"id": backup_id, "ok": False, "error": str(exc)})
            sys.exit(1)
        raise click.ClickException(f"verification failed: {exc}") from None
    if as_json:
        emit_json({"id": found.id, "ok": True, "checked": checked})
        return
    click.echo(f"Backup {found.id} is sound:")
    for line in checked:
        click.echo(f"  ✓ {line}")


@backup.command("restore")
@click.argument("backup_id")
@click.option(
    "--to",
    "to",
    default=None,
    help="Restore into this new SQLite file (or new PostgreSQL database name) and leave the live one alone.",
)
@click.option(
    "--accept-foreign", is_flag=True, help="Allow a backup taken by another installation (a replaced machine)."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before replacing the live database.")
@json_option
def backup_restore(backup_id: str, to: str | None, accept_foreign: bool, yes: bool, as_json: bool) -> None:
    """Restore a backup over the live database, or into a new one with --to.

    The backup is checked first (checksum, decompression, integrity, row counts): a corrupt,
    truncated or foreign backup is refused and the live database is left untouched. Before
    replacing the live database a safety backup of it is taken. Stop the service first: what
    it writes during the restore is lost. BACKUP_ID may be the start of an id, or `latest`.

    Example: sixdegrees backup restore latest --to /tmp/inspect.sqlite3
    """
    if to is None and not yes and sys.stdin.isatty():
        click.confirm("Replace the live database with this backup (a safety backup is taken first)?", abort=True)
    try:
        report = restore_backup(
            backup_id, to=to, accept_foreign=accept_foreign, echo=(lambda _m: None) if as_json else click.echo
        )
    except BackupError as exc:
        raise _fail(exc) from None
    if as_json:
        emit_json(report)
        return
    click.echo(f"Restored {report['backup']} into {report['into']} in {report['seconds']:.1f} s.")
    if report.get("safety_backup"):
        click.echo(f"The database as it was before is in backup {report['safety_backup']}.")
    if report.get("adopted_installation_id"):
        click.echo("This installation now carries the backup's installation id.")
    if to is None:
        click.echo("Start the service with `sixdegrees up`; it applies any migrations the backup predates.")


@backup.command("prune")
@click.option(
    "--keep-days",
    type=click.IntRange(min=1),
    default=None,
    help="Delete backups older than this many days (default SIXDEGREES_BACKUP_KEEP_DAYS, 30).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@json_option
def backup_prune(keep_days: int | None, dry_run: bool, as_json: bool) -> None:
    """Delete old backups; the newest backup is always kept, however old.

    Example: sixdegrees backup prune --keep-days 30
    """
    result = prune_backups(keep_days or settings.BACKUP_KEEP_DAYS, dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {len(result['deleted'])} backup{'' if len(result['deleted']) == 1 else 's'} older than "
        f"{result['keep_days']} days ({human_size(result['freed_bytes'])}); {result['kept']} kept."
    )
    for backup_id in result["deleted"]:
        click.echo(f"  {backup_id}")
    if result["stale_files"]:
        click.echo(f"{verb} {len(result['stale_files'])} unfinished file(s) left by interrupted backups.")


@cli.command()
@click.option("--backup", "backup_id", default="latest", show_default=True, help="Which backup to drill with.")
@click.option(
    "--timeout",
    default=120,
    show_default=True,
    type=click.IntRange(5, 3600),
    help="Seconds the clone may take to serve.",
)
@click.option("--keep", is_flag=True, help="Leave the clone (data dir or scratch database) for inspection.")
@json_option
def drill(backup_id: str, timeout: int, keep: bool, as_json: bool) -> None:
    """The monthly disaster-recovery drill, as one command.

    Restores the latest backup into a clone (a temporary data dir for SQLite, a scratch database
    on the same server for PostgreSQL), checks its integrity and row counts against the
    manifest, serves the clone on a spare port, runs a smoke test (health, intake, campaign
    page), stops it and removes the clone. Prints and records in DATA_DIR/drills.jsonl the
    time to recovery: from the start of the restore to the smoke test passing. The live
    database, mail and queue are never touched. Exits non-zero naming the step that failed.

    Example: sixdegrees drill --json
    """
    report = run_drill(backup_id, timeout=timeout, keep=keep, echo=(lambda _m: None) if as_json else click.echo)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_drill(report.to_dict(), str(drills_log()))
    if not report.ok:
        if as_json:
            click.echo(f"Error: drill failed at step '{report.failed_step}': {report.error}", err=True)
            sys.exit(1)
        raise click.ClickException(f"drill failed at step '{report.failed_step}': {report.error}")


def _print_drill(data: dict[str, Any], log: str) -> None:
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in data["steps"].items())
    if data["ok"]:
        ttr = data["time_to_recovery_seconds"]
        verdict = "within" if ttr <= data["rto_target_seconds"] else "OVER"
        click.echo(
            f"Drill passed with backup {data['backup_id']}: time to recovery {ttr:.1f} s "
            f"({verdict} the {data['rto_target_seconds'] // 60} min RTO target)."
        )
    click.echo(f"Steps: {steps}.")
    if data["kept"] and data["clone"]:
        click.echo(f"The clone was kept: {data['clone']}")
    click.echo(f"Recorded in {log}.")
