"""`sixdegrees db stats|archive|prune-orphans` (see ops/dbmaint.py)."""

from __future__ import annotations

from typing import Any

import click

from sixdegrees.cli import cli
from sixdegrees.cli.backup import human_size
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

STATUSES = ("processing", "ready", "in_progress", "connected", "completed", "failed")


@cli.group()
def db() -> None:
    """Look at the database and keep it lean, without raw SQL.

    Example: sixdegrees db stats
    """


@db.command("stats")
@json_option
@needs_database
def db_stats(as_json: bool) -> None:
    """Rows per table, database size, and rows added in the last 7 and 30 days.

    Example: sixdegrees db stats --json
    """
    from sixdegrees.ops.dbmaint import database_stats

    stats = database_stats()
    if as_json:
        emit_json(stats)
        return
    click.echo(f"{stats['engine']} database {stats['database']}: {human_size(stats['size_bytes'])}")
    click.echo(f"  {'table':<32}{'rows':>12}{'size':>11}{'+7 days':>10}{'+30 days':>10}")
    for row in stats["tables"]:
        click.echo(
            f"  {row['table']:<32}{row['rows']:>12,}{human_size(row['bytes']) if row['bytes'] is not None else '':>11}"
            f"{_growth(row['added_7d']):>10}{_growth(row['added_30d']):>10}"
        )
    click.echo(
        f"  {'total':<32}{stats['total_rows']:>12,}{'':>11}{_growth(stats['added_7d']):>10}{_growth(stats['added_30d']):>10}"
    )


def _growth(value: int | None) -> str:
    return "" if value is None else f"+{value:,}"


@db.command("archive")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    required=True,
    help="Campaigns whose last change is older than this many days.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only campaigns in this status (repeatable). Default: completed, connected and failed.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be archived; write and delete nothing.")
@json_option
@needs_database
def db_archive(older_than_days: int, statuses: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Move old campaigns, with their emails, steps and timeline, into an archive file.

    The rows are written to a compressed JSON file in DATA_DIR/archives (fsynced) and then
    deleted, in one transaction. The file is a Django fixture: `sixdegrees manage loaddata FILE`
    brings the rows back. Credit ledger rows stay; their link to the campaign is cleared in
    the database and kept in the archive.

    Example: sixdegrees db archive --older-than-days 90 --status completed --dry-run
    """
    from sixdegrees.ops.dbmaint import MaintenanceError, archive_campaigns

    try:
        report = archive_campaigns(older_than_days, statuses or None, dry_run=dry_run)
    except MaintenanceError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"the archive could not be written ({exc}); nothing was deleted") from None
    if as_json:
        emit_json(report)
        return
    criteria = report["criteria"]
    click.echo(
        f"Campaigns in status {', '.join(criteria['statuses'])} unchanged since {criteria['updated_before'][:10]}:"
    )
    _print_rows(report)


@db.command("prune-orphans")
@click.option("--dry-run", is_flag=True, help="Count the orphans; write and delete nothing.")
@json_option
@needs_database
def db_prune_orphans(dry_run: bool, as_json: bool) -> None:
    """Delete emails and AI steps whose campaign no longer exists.

    They are written to an archive file in DATA_DIR/archives first, like `db archive`.

    Example: sixdegrees db prune-orphans --dry-run
    """
    from sixdegrees.ops.dbmaint import prune_orphans

    try:
        report = prune_orphans(dry_run=dry_run)
    except OSError as exc:
        raise click.ClickException(f"the archive could not be written ({exc}); nothing was deleted") from None
    if as_json:
        emit_json(report)
        return
    click.echo("Emails and steps whose campaign is gone:")
    _print_rows(report)


def _print_rows(report: dict[str, Any]) -> None:
    verb = "would be deleted" if report["dry_run"] else "deleted"
    for table, rows in report["deleted"].items():
        click.echo(f"  {table:<24}{rows:>10,} {verb}")
    for table, rows in report["kept_unlinked"].items():
        click.echo(f"  {table:<24}{rows:>10,} kept, link cleared")
    if report["file"]:
        click.echo(f"Archived to {report['file']} ({human_size(report['bytes'])}).")
    elif report["dry_run"]:
        click.echo("Dry run: nothing was written or deleted.")
    else:
        click.echo("Nothing to do.")
