"""The mailbox scan stored: against a real Dovecot holding the realistic mailbox of test_mailscan,
who becomes a person with what strength, what is never a tie, and that scans repeat safely."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from sixdegrees.network.models import (
    MailboxScan,
    MailObservation,
    Person,
    PersonEmail,
    PersonSource,
    ScanCursor,
    SourceKind,
)
from sixdegrees.network.scan_tasks import start_scan
from sixdegrees.network.scanning import NO_MAILBOX, ScanRefused, scan_mailbox
from sixdegrees.network.strength import ADDRESS_BOOK_PRIOR
from sixdegrees.network.tests.test_mailscan import NOW, OWNER, fill
from sixdegrees.outreach.models import Mailbox

pytestmark = pytest.mark.django_db

MARIA = "maria@acme.example"
NOT_TIES = {
    "digest@news.example",  # a newsletter the owner once wrote to
    "no-reply@billing.example",  # receipts, answered once
    "jane@vc.example",  # cold email, never answered
    *(f"p{n}@team.example" for n in range(30)),  # an announcement (one of them answered)
}


@pytest.fixture(autouse=True)
def _fixed_now():
    # The formula ages mail against "now": a fixed one just after the newest message.
    with time_machine.travel(NOW, tick=False):
        yield


def connect(owner, dovecot, **fields) -> Mailbox:
    """The owner's mailbox in Settings, pointed at the test Dovecot (no SMTP is used here)."""
    password = fields.pop("password", dovecot.password)
    values = {
        "owner": owner,
        "address": OWNER,
        "smtp_host": "127.0.0.1",
        "imap_host": dovecot.host,
        "imap_port": dovecot.port,
        "imap_security": "none",
        **fields,
    }
    box = Mailbox(**values)
    box.set_password(password)
    box.save()
    return box


def address_book_person(owner, address: str, name: str, **fields) -> Person:
    person = Person.objects.create(owner=owner, name=name, strength=ADDRESS_BOOK_PRIOR, **fields)
    PersonEmail.objects.create(person=person, owner=owner, address=address, key=address)
    PersonSource.objects.create(person=person, owner=owner, kind=SourceKind.GOOGLE, fingerprint=f"g-{address}")
    return person


def addresses(owner) -> set[str]:
    return set(PersonEmail.objects.filter(owner=owner).values_list("key", flat=True))


def test_the_colleague_becomes_the_strongest_person_and_bulk_mail_nobody(alice, mailbox, dovecot):
    fill(mailbox)
    before = mailbox.flags()
    connect(alice, dovecot)
    seen: list[tuple[int, int]] = []

    scan = scan_mailbox(alice, progress=lambda done, total: seen.append((done, total)))

    assert (scan.status, scan.error, scan.messages_done, scan.messages_total) == ("done", "", 25, 25)
    assert seen[0] == (0, 25) and seen[-1] == (25, 25)
    maria = Person.objects.get(owner=alice, emails__key=MARIA)
    assert Person.objects.filter(owner=alice).first() == maria  # strongest first
    assert maria.name == "Maria Souza"
    assert maria.organisation_key == "acme"
    assert maria.strength == maria.measured_strength > 0.5
    assert maria.strength_evidence == "12 emails, both ways, last on 17 Nov 2026"
    assert (maria.emails_sent, maria.emails_received) == (6, 6)
    assert maria.last_emailed_at is not None and maria.last_emailed_at.isoformat() == "2026-11-17T09:00:00+00:00"
    assert set(maria.sources.values_list("kind", flat=True)) == {SourceKind.MAILBOX}
    # The newsletter, the no-reply sender, the cold address and the thirty are nobody.
    assert addresses(alice) == {MARIA}
    assert scan.people_updated == 1
    stored = MailObservation.objects.filter(owner=alice)
    assert scan.observations == stored.count() == 12 + 5 + 4 + 2 + 31
    assert stored.filter(address__in=NOT_TIES).exists()  # kept as evidence, just not as people
    assert mailbox.flags() == before  # nothing marked read, flagged or moved


def test_a_second_scan_stores_nothing_new(alice, mailbox, dovecot):
    fill(mailbox)
    box = connect(alice, dovecot)
    first = scan_mailbox(alice)
    counts = (MailObservation.objects.count(), Person.objects.count(), PersonSource.objects.count())
    cursors = set(ScanCursor.objects.filter(mailbox=box).values_list("folder", "last_uid"))
    strength = Person.objects.get(emails__key=MARIA).strength

    again = scan_mailbox(alice)

    assert first.messages_done == 25
    assert (again.status, again.messages_done, again.messages_total, again.observations) == ("done", 0, 0, 0)
    assert (MailObservation.objects.count(), Person.objects.count(), PersonSource.objects.count()) == counts
    assert set(ScanCursor.objects.filter(mailbox=box).values_list("folder", "last_uid")) == cursors
    assert Person.objects.get(emails__key=MARIA).strength == strength


def test_a_renumbered_folder_read_again_counts_nothing_twice(alice, mailbox, dovecot):
    fill(mailbox)
    box = connect(alice, dovecot)
    scan_mailbox(alice)
    stored = MailObservation.objects.count()
    evidence = Person.objects.get(emails__key=MARIA).strength_evidence
    ScanCursor.objects.filter(mailbox=box).update(uidvalidity=1)  # as if the server renumbered both

    again = scan_mailbox(alice)

    assert again.messages_done == 25
    assert any("renumbered" in note for note in again.notes)
    assert (again.observations, MailObservation.objects.count()) == (0, stored)  # with or without Message-ID
    assert Person.objects.get(emails__key=MARIA).strength_evidence == evidence


def test_a_correction_set_before_the_scan_still_wins(alice, mailbox, dovecot):
    fill(mailbox)
    connect(alice, dovecot)
    maria = address_book_person(alice, MARIA, "Maria S.", strength_override=0.2)
    maria.strength = 0.2
    maria.save()

    scan_mailbox(alice)

    maria.refresh_from_db()
    assert maria.measured_strength is not None and maria.measured_strength > 0.5
    assert maria.strength == 0.2
    assert maria.name == "Maria S."  # the owner's own record is not renamed by a header


def test_an_address_book_person_gets_measured_strength_and_no_twin(alice, mailbox, dovecot):
    fill(mailbox)
    connect(alice, dovecot)
    maria = address_book_person(alice, MARIA, "Maria Souza")
    digest = address_book_person(alice, "digest@news.example", "The Weekly")

    scan_mailbox(alice)

    maria.refresh_from_db()
    digest.refresh_from_db()
    assert maria.measured_strength is not None and maria.strength == maria.measured_strength > ADDRESS_BOOK_PRIOR
    assert set(maria.sources.values_list("kind", flat=True)) == {SourceKind.GOOGLE, SourceKind.MAILBOX}
    assert Person.objects.filter(owner=alice).count() == 2  # nobody added beside them
    # Bulk mail measures no tie; the address book's prior is all that is left (the one rule).
    assert digest.measured_strength == 0
    assert digest.strength == ADDRESS_BOOK_PRIOR
    assert digest.strength_evidence == "1 email you sent, never answered, last on 1 Sep 2026"  # its issues: bulk
    assert set(digest.sources.values_list("kind", flat=True)) == {SourceKind.GOOGLE}


def test_another_owners_scan_never_touches_this_owners_people(alice, bob, mailbox, dovecot):
    fill(mailbox)
    bobs_maria = address_book_person(bob, MARIA, "Maria")
    connect(alice, dovecot)

    scan_mailbox(alice)

    bobs_maria.refresh_from_db()
    assert (bobs_maria.measured_strength, bobs_maria.strength, bobs_maria.strength_evidence) == (
        None,
        ADDRESS_BOOK_PRIOR,
        "",
    )
    assert set(bobs_maria.sources.values_list("kind", flat=True)) == {SourceKind.GOOGLE}
    assert MailObservation.objects.filter(owner=bob).count() == 0
    assert addresses(bob) == {MARIA} and Person.objects.filter(owner=bob).count() == 1
    with pytest.raises(ScanRefused, match=NO_MAILBOX):
        scan_mailbox(bob)  # alice's mailbox is never bob's to read
    with pytest.raises(ScanRefused, match=NO_MAILBOX):
        scan_mailbox(bob, mailbox=Mailbox.objects.get(owner=alice))


def test_without_a_connected_mailbox_the_scan_is_refused_in_words(alice, dovecot):
    connect(alice, dovecot, imap_host="")  # sending only: nothing to read
    with pytest.raises(ScanRefused, match="Connect your mailbox in Settings first"):
        scan_mailbox(alice)
    with pytest.raises(ScanRefused):
        start_scan(alice)
    assert MailboxScan.objects.count() == 0


def test_a_refused_login_ends_the_scan_failed_with_the_reason(alice, mailbox, dovecot):
    fill(mailbox)
    connect(alice, dovecot, password="wrong")

    scan = scan_mailbox(alice)

    assert scan.status == "failed"
    assert scan.error and "Traceback" not in scan.error
    assert MailObservation.objects.count() == 0 and ScanCursor.objects.count() == 0
    assert MailboxScan.objects.get(pk=scan.pk).status == "failed"


def test_the_page_queues_a_scan_and_the_worker_runs_it(alice, mailbox, dovecot, django_capture_on_commit_callbacks):
    fill(mailbox)
    connect(alice, dovecot)

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs at commit (huey immediate)
        queued = start_scan(alice)
        assert queued.status == "queued"

    queued.refresh_from_db()
    assert (queued.status, queued.messages_done, queued.messages_total) == ("done", 25, 25)
    assert queued.finished_at is not None
    assert Person.objects.get(owner=alice).strength_evidence.startswith("12 emails, both ways")


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_another_connection_while_the_scan_runs(alice, mailbox, dovecot):
    from django.db import connections

    fill(mailbox)
    connect(alice, dovecot)
    watched: list[tuple[int, int]] = []

    def look(done: int, total: int) -> None:
        # What the page would read on its own connection, mid-scan.
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT messages_done, messages_total FROM network_scans WHERE status = 'running'")
                watched.extend(cursor.fetchall())
        finally:
            other.close()

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memory", ":memory:")):
        pytest.skip("an in-memory SQLite database has no second connection")
    scan_mailbox(alice, progress=look)
    assert watched[-1] == (25, 25)
