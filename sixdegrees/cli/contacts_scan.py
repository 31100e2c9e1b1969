"""`sixdegrees contacts scan-mailbox`: read a person's mailbox headers and measure their ties.

cli/contacts.py attaches `scan_mailbox_command` to the `contacts` group.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option
from sixdegrees.cli.owners import owner_by_email

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).


class _Progress:
    """A progress bar on stderr, started once the scan knows how many messages are new."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total == 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Reading headers", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("scan-mailbox")
@click.option("--owner", "email", required=True, help="The account whose own connected mailbox is read.")
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
@json_option
@needs_database
def scan_mailbox_command(email: str, quiet: bool, as_json: bool) -> None:
    """Read the headers of a person's Sent and INBOX mail and measure how well they know whom.

    Only header fields are read, read-only: no message is marked read, moved or changed. Each
    run continues where the last stopped. Addresses with mail both ways become people (or give
    their person a measured strength); newsletters, no-reply senders and one-way mail do not.
    A strength the person corrected by hand stays as they set it.

    Example: sixdegrees contacts scan-mailbox --owner alice@example.com
    """
    from sixdegrees.network.models import MailboxScan
    from sixdegrees.network.scanning import ScanRefused, scan_mailbox, summary

    owner = owner_by_email(email)
    progress = _Progress(quiet or as_json)
    try:
        record = scan_mailbox(owner, progress=progress)
    except ScanRefused as exc:
        raise click.ClickException(f"{exc} (the mailbox needs IMAP settings).") from None
    finally:
        progress.close()
    if record.status == MailboxScan.Status.FAILED and not record.messages_done:
        raise click.ClickException(f"The scan could not read the mailbox: {record.error}")
    found = summary(record)
    if as_json:
        emit_json(
            {
                "scan": record.pk,
                "status": record.status,
                "messages": record.messages_done,
                "observations": record.observations,
                "people_updated": record.people_updated,
                "ties": found.ties,
                "strongest": [{"name": n, "strength": s, "evidence": e} for n, s, e in found.strongest],
                "notes": record.notes,
                "error": record.error,
            }
        )
        return
    line = (
        f"Read {found.messages:,} messages; {found.ties:,} {'person has' if found.ties == 1 else 'people have'} a tie"
    )
    if found.strongest:
        name, score, evidence = found.strongest[0]
        line += f"; strongest: {name} ({score:.2f}, {evidence})"
    click.echo(line + ".")
    for note in record.notes:
        click.echo(note)
    if record.error:
        click.echo(f"Stopped early: {record.error}", err=True)
        raise SystemExit(1)
