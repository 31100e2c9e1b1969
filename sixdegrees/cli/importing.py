"""`sixdegrees import-d1`: bring the earlier deployment's data over (see ops/legacy_import.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sixdegrees.cli import cli
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import SHOWN, emit_json, json_option, print_list

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).


@cli.command("import-d1")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Do the whole import, then roll it back and only report.")
@json_option
@needs_database
def import_d1(dump: Path, dry_run: bool, as_json: bool) -> None:
    """Import an SQL export (`wrangler d1 export`) of the earlier deployment's database.

    The dump is parsed, never run against this database. Everything is written in one
    transaction, or nothing is: a malformed or truncated dump is refused with the line at
    fault. Rows whose id is already here are left alone, so running it twice is safe.
    Orphans, skipped rows and unreadable JSON are reported; the exit code is 0 unless the
    import was refused.

    Example: sixdegrees import-d1 d1-export.sql --dry-run
    """
    from sixdegrees.ops.legacy_import import LegacyImportError, import_dump

    try:
        report = import_dump(dump, dry_run=dry_run)
    except LegacyImportError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_report(report.to_dict())


def _print_report(data: dict[str, Any]) -> None:
    verb = "Would import" if data["dry_run"] else "Imported"
    click.echo(f"{verb} from {data['dump']}:")
    click.echo(f"  {'table':<22}{'imported':>10}{'already present':>17}{'skipped':>9}")
    for table, counts in data["tables"].items():
        click.echo(f"  {table:<22}{counts['imported']:>10}{counts['already_present']:>17}{counts['skipped']:>9}")
    adjustments = data["balance_adjustments"]
    if adjustments:
        shown = ", ".join(f"{a['user_id']} {a['amount']:+d}" for a in adjustments[:SHOWN])
        more = f" … and {len(adjustments) - SHOWN} more" if len(adjustments) > SHOWN else ""
        click.echo(f"Balance adjustments ({len(adjustments)}): {shown}{more}")
    if data["ignored_tables"]:
        ignored = ", ".join(
            f"{name} ({rows} row{'' if rows == 1 else 's'})" for name, rows in data["ignored_tables"].items()
        )
        click.echo(f"Ignored platform tables: {ignored}")
    print_list(
        "Orphans",
        [f"{o['table']} {o['id']}: {o['reason']} ({o['action']})" for o in data["orphans"]],
    )
    print_list("Skipped, not orphans", [f"{s['table']} {s['id']}: {s['reason']}" for s in data["skipped"]])
    print_list("Warnings", [f"{w['table']} {w['id']}: {w['message']}" for w in data["warnings"]])
    for note in data["notes"]:
        click.echo(f"Note: {note}")
    if data["nothing_new"]:
        click.echo("Nothing new to import: every row is already present or was skipped.")
    if data["dry_run"]:
        click.echo("Dry run: rolled back, nothing was written.")
    elif not data["nothing_new"]:
        click.echo("Done: everything above was written in one transaction.")


__all__ = ["import_d1"]
