"""Rules of the sender's row transitions (claim, lease, mark sent) that a person would notice broken.

- A row being sent is held by its worker for the whole lease: the minute sweep does not take it
  back from a worker on a slow server, so no second worker sends a second copy.
- A row whose lease ran out while the server was accepting it is still recorded as sent when the
  server says yes, and is not sent again.
- One sender per mailbox: while another worker holds the mailbox, a second one sends nothing
  (two at once would break the pause between messages and the daily cap).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from sixdegrees.outreach import outbox, sender, tasks
from sixdegrees.outreach.models import EmailOutreach, Mailbox
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox, queue_email

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def campaign(alice, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"  # no mailbox: the local outbox is the "server"
    return make_campaign(alice)


def written(settings) -> list[str]:
    return sorted(p.name for p in settings.OUTBOX_DIR.glob("*.eml")) if settings.OUTBOX_DIR.exists() else []


def test_the_sweep_leaves_a_row_alone_while_its_worker_holds_the_lease(campaign, settings):
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with time_machine.travel(START, tick=False):
        row = queue_email(campaign)
        dead = queue_email(campaign, recipient_email="second@example.org")
        assert outbox.claim(row, timezone.now(), None, campaign.email)  # a worker on a slow server
        assert outbox.claim(dead, timezone.now(), None, campaign.email)  # a worker that will die

    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert tasks.sweep_outbox.call_local() == {"reclaimed": 0, "woken": 0}
    assert set(EmailOutreach.objects.values_list("status", flat=True)) == {"sending"}
    assert written(settings) == []  # nobody else sent either of them

    with time_machine.travel(START + lease - dt.timedelta(seconds=1), tick=False):
        outbox.mark_sent(row, "Accepted by the slow server")  # the first worker finishes in time
    with time_machine.travel(START + lease + dt.timedelta(seconds=1), tick=False):
        assert tasks.sweep_outbox.call_local()["reclaimed"] == 1  # only the dead worker's row comes back
    row.refresh_from_db()
    dead.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1 and written(settings) == [f"{dead.id}.eml"]
    assert dead.status == "sent" and dead.attempts == 2


def test_a_row_taken_back_mid_send_is_recorded_as_sent_once_the_server_accepts_it(campaign, settings):
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with time_machine.travel(START, tick=False):
        row = queue_email(campaign)
        assert outbox.claim(row, timezone.now(), None, campaign.email)
    with time_machine.travel(START + lease + dt.timedelta(seconds=1), tick=False):
        assert outbox.reclaim_expired() == 1  # the lease ran out while the server was still busy
        row.refresh_from_db()
        assert row.status == "queued" and row.needs_sent_check

        outbox.mark_sent(row, "Accepted by the slow server")  # …and then the server said yes

        row.refresh_from_db()
        assert row.status == "sent" and row.sent_at == timezone.now() and not row.needs_sent_check
        assert sender.deliver(row.id).handled == 0  # so nobody sends it a second time
    assert written(settings) == []
    assert list(campaign.events.values_list("kind", flat=True)) == ["email_sent"]


def test_a_second_sender_leaves_a_mailbox_another_worker_holds(alice, smtp_server, settings):
    mailbox = make_mailbox(alice, smtp_server)
    row = queue_email(make_campaign(alice))
    held_until = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_lease_until=held_until)  # another worker's batch

    result = sender.deliver(row.id)

    assert result.stopped == "busy" and result.handled == 0
    assert smtp_server.received == []
    row.refresh_from_db()
    assert row.status == "queued" and row.attempts == 0
    # Once that worker lets go, the email goes, once.
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_lease_until=None)
    assert sender.deliver(row.id).sent == 1 and len(smtp_server.received) == 1
