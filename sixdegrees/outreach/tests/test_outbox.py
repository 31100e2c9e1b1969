"""The outbox's transitions (outreach/outbox.py): a page claimed in one statement, "sent" and its
timeline event together or not at all, and a send path whose cost per message stays flat."""

from __future__ import annotations

import pytest
from django.db import DataError, OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sixdegrees.campaigns.models import TimelineEvent
from sixdegrees.outreach import outbox, runner, sender
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox, queue_email

pytestmark = pytest.mark.django_db(transaction=True)

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def campaign(alice):
    return make_campaign(alice)


def test_a_page_is_claimed_in_one_statement_and_never_more_than_asked(campaign):
    rows = [queue_email(campaign, recipient_email=f"p{i}@example.org") for i in range(5)]
    due = sender.due_rows(None, timezone.now())
    with CaptureQueriesContext(connection) as captured:
        first = outbox.claim_page(due, timezone.now(), 3)
    [statement] = statements(captured)
    assert statement.lstrip().upper().startswith("WITH") and "UPDATE" in statement.upper()
    assert first == [r.id for r in rows[:3]]  # oldest first, exactly the page asked for
    assert outbox.claim_page(due, timezone.now(), 50) == [r.id for r in rows[3:]]  # a claimed row is not claimed again
    assert outbox.claim_page(due, timezone.now(), 50) == []
    claimed = EmailOutreach.objects.filter(status="sending", attempts=1, lease_until__gt=timezone.now())
    assert claimed.count() == 5


def test_sent_and_its_timeline_event_are_written_together_or_not_at_all(campaign, monkeypatch):
    row = queue_email(campaign)
    assert outbox.claim(row, timezone.now(), None, campaign.email)

    if connection.vendor == "postgresql":
        # One statement writes both: an event the table refuses (kind is varchar(40)) fails it whole.
        with pytest.raises(DataError):
            outbox.mark_sent(row, "Accepted by the server", kind="k" * 41)
    else:
        # The second statement fails after the first changed the row.
        monkeypatch.setattr(outbox, "SENT_EVENT", outbox.SENT_EVENT.replace("kind", "no_such_column"))
        with pytest.raises(OperationalError):
            outbox.mark_sent(row, "Accepted by the server")
        monkeypatch.undo()
    row.refresh_from_db()
    assert row.status == "sending" and row.sent_at is None  # rolled back with the event

    assert outbox.mark_sent(row, "Accepted by the server") is True
    assert outbox.mark_sent(row, "Accepted by the server") is False  # a second worker finishing: told once
    row.refresh_from_db()
    assert row.status == "sent"
    assert list(campaign.events.values_list("kind", flat=True)) == ["email_sent"]


def _drain_queries(campaign, count: int) -> int:
    for i in range(count):
        queue_email(campaign, recipient_email=f"p{campaign.emails.count()}-{i}@example.org")
    with CaptureQueriesContext(connection) as captured:
        result = runner.drain()
    assert result.sent == count
    return len(statements(captured))


@pytest.mark.parametrize("route", ["local outbox", "smtp"])
def test_queries_per_message_stay_flat(alice, campaign, smtp_server, settings, tmp_path, route):
    """Regression: 5.15 queries per message before the page claim (one claim, refresh, suppression
    check and parent refresh per email); now a message costs its `sent` and its event."""
    settings.OUTBOX_DIR = tmp_path / "outbox"
    if route == "smtp":
        make_mailbox(alice, smtp_server, daily_cap=10000)
    few, many = _drain_queries(campaign, 10), _drain_queries(campaign, 60)
    per_message = (many - few) / 50
    assert per_message <= 2.2, (few, many)
    assert few <= 2.2 * 10 + 25  # what a drain costs on top of its messages: routes, the lease, a page


def test_send_to_records_an_outbox_row_with_a_timeline(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    result = runner.send_one_off(to="jane@example.org", subject="Hello", body="Hi Jane", name="Jane")
    assert result.ok and "not sent" in result.words
    email = EmailOutreach.objects.select_related("campaign").get(id=result.email_id)
    assert email.status == "sent" and email.message_id == result.message_id and email.attempts == 1
    assert (settings.OUTBOX_DIR / f"{email.id}.eml").exists()
    kinds = TimelineEvent.objects.filter(campaign=email.campaign).order_by("id").values_list("kind", flat=True)
    assert list(kinds) == ["email_queued", "email_sent_locally"]
    assert email.campaign.owner.email == settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
