"""`sixdegrees contacts import|list|scan-mailbox`: one person's network from the command line.

The same rules as the page and the API: importing goes through network.importing (the file is
read whole before anything is written), listing through network.people (one owner's rows only).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sixdegrees.cli import cli
from sixdegrees.cli.contacts_scan import scan_mailbox_command
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option, print_list
from sixdegrees.cli.owners import owner_by_email
from sixdegrees.network.formats import FORMATS  # pure parsing, no models: safe before Django is set up

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

FORMAT_CHOICES = ("auto", *FORMATS)
FORMAT_NAMES = {"linkedin": "LinkedIn", "google": "Google Contacts", "outlook": "Outlook", "vcard": "vCard"}
PROGRESS_FROM_ROWS = 2_000  # smaller files take well under a second: no bar


@cli.group()
def contacts() -> None:
    """The people someone knows: import their exports, list them, measure ties from their mailbox.

    Example: sixdegrees contacts import Connections.csv --owner alice@example.com
    """


contacts.add_command(scan_mailbox_command)


class _ImportProgress:
    """A bar on stderr for a large file, moved after every chunk the import commits."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.done = 0

    def __call__(self, contact_import: Any) -> None:
        total = contact_import.rows_total
        if self.quiet or total < PROGRESS_FROM_ROWS:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Importing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(contact_import.rows_done - self.done)
        self.done = contact_import.rows_done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--owner", "email", required=True, help="The account whose network the contacts join.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMAT_CHOICES),
    default="auto",
    show_default=True,
    help="The export's kind; auto reads it from the file's header and refuses a file it cannot tell.",
)
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
@json_option
@needs_database
def import_command(file: Path, email: str, file_format: str, quiet: bool, as_json: bool) -> None:
    """Import a contacts export (LinkedIn Connections.csv, Google or Outlook CSV, vCard) into a network.

    The whole file is read before anything is written: a malformed or truncated file is refused
    with the line at fault and changes nothing. The same person is merged across sources only on
    an exact key (email, LinkedIn profile, phone); look-alikes are left for review. Importing the
    same file again changes nothing. Large files show their progress on stderr. The exit code is
    0 unless the file was refused.

    Example: sixdegrees contacts import Connections.csv --owner alice@example.com --format linkedin
    """
    from sixdegrees.network.importing import ImportRefused, prepare_import, run_import
    from sixdegrees.network.models import ContactImport

    owner = owner_by_email(email)
    try:
        # Not start_import: that hands a large file to the worker, and this command does the work itself.
        queued = prepare_import(owner, filename=file.name, data=file.read_bytes(), format=file_format)
    except ImportRefused as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    progress = _ImportProgress(quiet or as_json)
    try:
        done = run_import(queued.pk, progress=progress)
    finally:
        progress.close()
    if done.status == ContactImport.Status.FAILED:
        raise click.ClickException(f"{file.name}: {done.error} Nothing was imported.")
    data = _import_data(done, owner.email)
    if as_json:
        emit_json(data)
    else:
        _print_import(data)


def _import_data(done: Any, owner_email: str) -> dict[str, Any]:
    return {
        "import": done.pk,
        "owner": owner_email,
        "file": done.filename,
        "format": done.format,
        "encoding": done.encoding,
        "status": done.status,
        "rows": done.rows_total,
        **done.counts(),
        # The import keeps the first SKIPPED_KEPT of them; `skipped` counts them all.
        "skipped_lines": [{"line": line, "reason": reason} for line, reason in done.skipped_lines],
    }


def _print_import(data: dict[str, Any]) -> None:
    kind = FORMAT_NAMES.get(data["format"], data["format"])
    rows = f"{data['rows']:,} record{'' if data['rows'] == 1 else 's'}"
    click.echo(f"Imported {data['file']} ({kind}, {rows}) into the network of {data['owner']}:")
    click.echo(
        f"  added {data['added']:,}, merged {data['merged']:,}, unchanged {data['unchanged']:,}, "
        f"needs review {data['needs_review']:,}, skipped {data['skipped']:,}"
    )
    print_list(
        "Skipped",
        [f"line {item['line']}: {item['reason']}" for item in data["skipped_lines"]],
        total=data["skipped"],
    )
    if data["needs_review"]:
        click.echo("Look-alikes were kept apart: review them on the network page.")
    if data["rows"] and data["unchanged"] == data["rows"] - data["skipped"]:
        click.echo("Nothing new: every record was already in the network.")


@contacts.command("list")
@click.option("--owner", "email", required=True, help="The account whose network is listed.")
@click.option("--org", default=None, help="Only people at this organisation (a name, or a work address or domain).")
@json_option
@needs_database
def list_command(email: str, org: str | None, as_json: bool) -> None:
    """List the people in one person's network, strongest tie first.

    Organisations match however they are written: "Stripe, Inc.", "stripe" and "stripe.com"
    are one. Hidden people are listed too, marked as hidden.

    Example: sixdegrees contacts list --owner alice@example.com --org "Stripe, Inc." --json
    """
    from sixdegrees.network.organisations import organisation_key_for
    from sixdegrees.network.people import people_of

    owner = owner_by_email(email)
    people = people_of(owner).prefetch_related("emails", "phones", "sources")
    if org is not None:
        key = organisation_key_for(org.strip())
        if not key:
            raise click.ClickException(f"--org '{org}' names no organisation (free-mail domains name none).")
        people = people.filter(organisation_key=key)
    rows = [_person_data(person) for person in people]
    if as_json:
        emit_json({"owner": owner.email, "organisation": org, "count": len(rows), "people": rows})
        return
    _print_people(rows, owner.email, org)


def _person_data(person: Any) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "organisation": person.organisation,
        "title": person.title,
        "emails": [email.address for email in person.emails.all()],
        "phones": [phone.number for phone in person.phones.all()],
        "profile_url": person.profile_url,
        "strength": round(person.strength, 2),
        "corrected": person.strength_override is not None,
        "evidence": person.strength_evidence,
        "sources": sorted({source.kind for source in person.sources.all()}),
        "hidden": person.hidden,
    }


def _print_people(rows: list[dict[str, Any]], owner_email: str, org: str | None) -> None:
    where = f" at {org}" if org else ""
    if not rows:
        click.echo(f"Nobody{where} in the network of {owner_email} yet.")
        return
    click.echo(f"{len(rows):,} {'person' if len(rows) == 1 else 'people'}{where} in the network of {owner_email}:")
    click.echo(f"  {'strength':<10}{'name':<28}{'organisation':<28}{'email':<34}sources")
    for row in rows:
        strength = f"{row['strength']:.2f}{'*' if row['corrected'] else ''}"
        name = (row["name"] or (row["phones"] or ["(no name)"])[0]) + (" (hidden)" if row["hidden"] else "")
        email = row["emails"][0] if row["emails"] else ""
        click.echo(
            f"  {strength:<10}{_cut(name, 27):<28}{_cut(row['organisation'], 27):<28}{_cut(email, 33):<34}"
            f"{', '.join(row['sources'])}"
        )
    if any(row["corrected"] for row in rows):
        click.echo("* corrected by hand")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = ["contacts", "import_command", "list_command"]
