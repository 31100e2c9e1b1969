"""The outbox's per-status counts, kept by database triggers, match the rows whatever changed them:
the ORM, a bulk insert, a queryset update, a cascade, and after a migration dropped a trigger."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sixdegrees.outreach import outbox, tallies
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.servers import make_campaign, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


def counted() -> dict[str, int]:
    """What a full read of the table says."""
    return {status: n for status, n in Counter(EmailOutreach.objects.values_list("status", flat=True)).items()}


def test_tallies_follow_every_kind_of_change(alice, bob):
    alices, bobs = make_campaign(alice), make_campaign(bob)
    first = queue_email(alices)
    EmailOutreach.objects.bulk_create(
        [EmailOutreach(campaign=bobs, recipient_email=f"p{n}@example.org", status="draft") for n in range(4)]
    )
    assert tallies.by_status() == {"queued": 1, "draft": 4} == counted()

    now = timezone.now()
    claimed = outbox.claim_page(EmailOutreach.objects.filter(pk=first.pk), now, 10)
    assert claimed == [first.pk]
    assert tallies.by_status() == {"sending": 1, "draft": 4}
    first.refresh_from_db()
    assert outbox.mark_sent(first, "sent")
    EmailOutreach.objects.filter(campaign=bobs, recipient_email="p0@example.org").update(status="cancelled")
    # A change that leaves the status as it was counts nothing twice.
    EmailOutreach.objects.filter(campaign=bobs).update(subject="Hello")
    assert tallies.by_status() == {"sent": 1, "cancelled": 1, "draft": 3} == counted()

    bob.delete()  # the cascade takes bob's campaign and its emails
    assert tallies.by_status() == {"sent": 1} == counted()
    first.delete()
    assert tallies.by_status() == {} == counted()


def test_a_migration_that_dropped_a_trigger_is_repaired_and_recounted(alice):
    campaign = make_campaign(alice)
    queue_email(campaign)
    with connection.cursor() as cursor:  # what Django's SQLite rebuild of the table does to it
        cursor.execute(
            "DROP TRIGGER outbox_tally_insert" + (" ON email_outreach" if connection.vendor == "postgresql" else "")
        )
    queue_email(campaign, recipient_email="missed@example.org")
    assert tallies.by_status() == {"queued": 1}
    assert tallies.installed() == set(tallies.TRIGGERS) - {"outbox_tally_insert"}

    call_command("migrate", verbosity=0)

    assert tallies.installed() == set(tallies.TRIGGERS)
    assert tallies.by_status() == {"queued": 2} == counted()
    queue_email(campaign, recipient_email="after@example.org")
    assert tallies.by_status() == {"queued": 3}
