"""The mailbox scan, stored: read the owner's own mailbox (mailscan.py), keep what it saw, and give
each address the strength that mail shows (strength.py).

One run is a `MailboxScan` row. It resumes from the stored `ScanCursor`s (one per mailbox and
folder), so a second scan reads only what arrived since. Its progress is written as every batch
of headers arrives, outside any transaction, so the page polling from another connection sees it.

What is stored is one `MailObservation` per message and counterpart (headers only, never
content). The unique constraint on (owner, Message-ID, direction, address) makes reading a
renumbered folder again harmless; a message without a Message-ID is matched on its time instead.

Strength goes to people only from evidence: an address whose mail goes both ways (strength.py's
rule) becomes a Person when the owner has none for it; one-way, bulk and no-reply addresses create
nobody, and an existing person they match is given measured strength 0. The owner's correction
(`strength_override`) always wins: `people.refresh_strength` applies the one rule.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.network import people
from sixdegrees.network.keys import email_key
from sixdegrees.network.mailscan import FolderCursor, ScanResult, scan
from sixdegrees.network.models import (
    MailboxScan,
    MailObservation,
    Person,
    PersonEmail,
    PersonSource,
    ScanCursor,
    SourceKind,
)
from sixdegrees.network.observed import Observed
from sixdegrees.network.organisations import domain_organisation_key
from sixdegrees.network.strength import Tie, strength
from sixdegrees.outreach.crypto import CredentialError
from sixdegrees.outreach.imap import ImapError
from sixdegrees.outreach.mailboxes import imap_settings
from sixdegrees.outreach.models import Mailbox

__all__ = ["ScanRefused", "ScanSummary", "run_scan", "scan_mailbox", "scannable_mailbox", "summary"]

NO_MAILBOX = "Connect your mailbox in Settings first"
STORE_BATCH = 1000  # rows per INSERT: well under SQLite's variable limit


class ScanRefused(ValueError):
    """The scan cannot start (no connected mailbox, or not the owner's); the words are for the person."""


def scannable_mailbox(owner: User, mailbox: Mailbox | None = None) -> Mailbox:
    """The owner's own active mailbox with IMAP settings (the given one, if it is theirs)."""
    if mailbox is not None:
        if mailbox.owner_id != owner.pk or not mailbox.imap_host:
            raise ScanRefused(NO_MAILBOX)
        return mailbox
    found = Mailbox.objects.filter(owner=owner, is_active=True).exclude(imap_host="").order_by("-created_at").first()
    if found is None:
        raise ScanRefused(NO_MAILBOX)
    return found


def scan_mailbox(
    owner: User, *, mailbox: Mailbox | None = None, progress: Callable[[int, int], None] | None = None
) -> MailboxScan:
    """Scan the owner's mailbox now (the CLI, or the worker); raises ScanRefused without one.

    A server that refuses the login, or a password that cannot be read back, ends the scan as
    "failed" with the words in `error`; nothing is raised for those.
    """
    chosen = scannable_mailbox(owner, mailbox)
    record = MailboxScan.objects.create(owner=owner, mailbox=chosen, status=MailboxScan.Status.RUNNING)
    return run_scan(record, progress=progress)


def run_scan(record: MailboxScan, *, progress: Callable[[int, int], None] | None = None) -> MailboxScan:
    """Do the scan a MailboxScan row stands for; the row ends "done" or "failed"."""
    owner, mailbox = record.owner, record.mailbox
    MailboxScan.objects.filter(pk=record.pk).update(status=MailboxScan.Status.RUNNING)
    record.status = MailboxScan.Status.RUNNING

    def on_batch(done: int, total: int) -> None:
        # An UPDATE in autocommit: another connection (the page) sees it at once.
        MailboxScan.objects.filter(pk=record.pk).update(messages_done=done, messages_total=total)
        record.messages_done, record.messages_total = done, total
        if progress is not None:
            progress(done, total)

    try:
        config = imap_settings(mailbox)
        if config is None:
            raise ScanRefused(NO_MAILBOX)
        result = scan(config, _owner_addresses(owner, mailbox), _cursors(mailbox), progress=on_batch)
    except (ImapError, CredentialError, ScanRefused) as exc:
        return _finish(record, error=str(exc))
    with transaction.atomic():
        stored, touched = _store(owner, result.observations)
        _save_cursors(mailbox, result)
        updated = give_strength(owner, touched)
    record.observations, record.people_updated = stored, updated
    record.notes = list(result.notes)
    if result.skipped:
        record.notes.append(f"{result.skipped:,} messages named nobody to count (no address or date).")
    if result.error:
        record.notes.append("What was read before the connection dropped is kept; the next scan continues from there.")
    return _finish(record, error=result.error)


_FINISHED_FIELDS = ["status", "error", "finished_at", "observations", "people_updated", "notes"]
_FINISHED_FIELDS += ["messages_done", "messages_total"]


def _finish(record: MailboxScan, *, error: str) -> MailboxScan:
    record.error = error[:2000]
    record.status = MailboxScan.Status.FAILED if error else MailboxScan.Status.DONE
    record.finished_at = timezone.now()
    record.save(update_fields=_FINISHED_FIELDS)
    return record


def _owner_addresses(owner: User, mailbox: Mailbox) -> set[str]:
    found = {mailbox.address, owner.email, mailbox.login}
    return {address.strip().lower() for address in found if address and "@" in address}


def _cursors(mailbox: Mailbox) -> dict[str, FolderCursor]:
    return {
        row.folder: FolderCursor(row.folder, row.uidvalidity, row.last_uid)
        for row in ScanCursor.objects.filter(mailbox=mailbox, uidvalidity__isnull=False)
        if row.uidvalidity is not None
    }


def _save_cursors(mailbox: Mailbox, result: ScanResult) -> None:
    now = timezone.now()
    for cursor in result.cursors.values():
        ScanCursor.objects.update_or_create(
            mailbox=mailbox,
            folder=cursor.folder,
            defaults={"uidvalidity": cursor.uidvalidity, "last_uid": cursor.last_uid, "scanned_at": now},
        )


# --- Storing what was seen ------------------------------------------------------------------------


def _store(owner: User, observations: Iterable[Observed]) -> tuple[int, set[str]]:
    """Insert the observations not already stored; returns (rows added, addresses they name)."""
    rows: list[MailObservation] = []
    for item in observations:
        key = email_key(item.address)
        if key is None:
            continue  # mailscan's looser check let it through; nobody could be written to there
        rows.append(
            MailObservation(
                owner=owner,
                address=key,
                name=item.name[:200],
                direction=item.direction,
                at=item.at,
                recipients=item.recipients,
                bulk=item.bulk,
                message_id=item.message_id[:500],
            )
        )
    rows = _without_known_unidentified(owner, rows)
    before = MailObservation.objects.filter(owner=owner).count()
    MailObservation.objects.bulk_create(rows, batch_size=STORE_BATCH, ignore_conflicts=True)
    added = MailObservation.objects.filter(owner=owner).count() - before
    return added, {row.address for row in rows}


def _without_known_unidentified(owner: User, rows: list[MailObservation]) -> list[MailObservation]:
    """Drop messages without a Message-ID already stored (no constraint can catch those)."""
    bare = [row for row in rows if not row.message_id]
    if not bare:
        return rows
    known = set(
        MailObservation.objects.filter(
            owner=owner, message_id="", address__in={row.address for row in bare}
        ).values_list("address", "direction", "at")
    )
    kept, seen = [], set(known)
    for row in rows:
        if not row.message_id:
            fact = (row.address, row.direction, row.at)
            if fact in seen:
                continue
            seen.add(fact)
        kept.append(row)
    return kept


# --- Strength for people ----------------------------------------------------------------------------


def give_strength(owner: User, addresses: set[str]) -> int:
    """Measure the tie to each address from all its stored mail and give it to the owner's person.

    Returns how many people were created or changed.
    """
    if not addresses:
        return 0
    now = timezone.now()
    by_address: dict[str, list[MailObservation]] = defaultdict(list)
    for row in MailObservation.objects.filter(owner=owner, address__in=addresses).order_by("at", "id"):
        by_address[row.address].append(row)
    emails = {
        row.key: row for row in PersonEmail.objects.filter(owner=owner, key__in=addresses).select_related("person")
    }
    changed = 0
    for address, rows in sorted(by_address.items()):
        tie = strength((_observed(row) for row in rows), now)
        match = emails.get(address)
        person = match.person if match is not None else None
        if person is None:
            if tie.score <= 0:
                continue  # one-way or bulk: nobody the owner knows
            person = _create_person(owner, address, rows)
        changed += _apply(person, tie)
        if tie.score > 0:
            _note_source(owner, person, address, rows)
    return changed


def _observed(row: MailObservation) -> Observed:
    direction: Literal["out", "in"] = "out" if row.direction == "out" else "in"
    return Observed(
        direction, row.address, row.name, row.at, row.recipients, row.bulk, "bulk" if row.bulk else "", row.message_id
    )


def _display_name(rows: list[MailObservation]) -> str:
    """The newest name the headers gave (people fix how their name shows; the latest is right)."""
    for row in reversed(rows):
        if row.name and "@" not in row.name:
            return row.name
    return ""


def _create_person(owner: User, address: str, rows: list[MailObservation]) -> Person:
    person = Person.objects.create(
        owner=owner, name=_display_name(rows), organisation_key=domain_organisation_key(address) or ""
    )
    written = next((row.address for row in rows if row.address), address)
    try:
        with transaction.atomic():
            PersonEmail.objects.create(person=person, owner=owner, address=written, key=address)
    except IntegrityError:  # an import added this address meanwhile: its person gets the strength
        person.delete()
        return PersonEmail.objects.select_related("person").get(owner=owner, key=address).person
    return person


def _apply(person: Person, tie: Tie) -> int:
    values = {
        "measured_strength": tie.score,
        "strength_evidence": tie.evidence[:300],
        "emails_sent": tie.sent,
        "emails_received": tie.received,
        "last_emailed_at": tie.last_at,
    }
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    if changed:
        for name in changed:
            setattr(person, name, values[name])
        person.save(update_fields=[*changed, "updated_at"])
    before = person.strength
    people.refresh_strength(person)
    return 1 if changed or person.strength != before else 0


def _note_source(owner: User, person: Person, address: str, rows: list[MailObservation]) -> None:
    """The mailbox as one of the person's sources, first and last seen as the mail shows."""
    fingerprint = hashlib.sha256(f"mailbox:{address}".encode()).hexdigest()
    first, last = rows[0].at, rows[-1].at
    source, created = PersonSource.objects.get_or_create(
        owner=owner,
        kind=SourceKind.MAILBOX,
        fingerprint=fingerprint,
        defaults={"person": person, "first_seen_at": first, "last_seen_at": last},
    )
    if not created and source.last_seen_at != last:
        source.last_seen_at = last
        source.save(update_fields=["last_seen_at"])


# --- What the CLI prints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanSummary:
    messages: int
    ties: int  # the owner's people with a measured tie above 0
    strongest: list[tuple[str, float, str]]  # (name, strength, evidence), strongest first


def summary(record: MailboxScan, *, shown: int = 5) -> ScanSummary:
    """The scan's figures and the owner's strongest measured ties (names only, never addresses)."""
    measured = Person.objects.filter(owner=record.owner, measured_strength__gt=0)
    strongest = [
        (person.name or "(no name)", person.strength, person.strength_evidence)
        for person in measured.order_by("-strength", "name")[:shown]
    ]
    return ScanSummary(record.messages_done, measured.count(), strongest)
