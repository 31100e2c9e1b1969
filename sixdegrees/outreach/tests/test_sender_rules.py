"""What the sender decides without a server: local outbox, suppression, stale follow-ups, tasks."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
import time_machine
from django.utils import timezone

from sixdegrees.outreach import mailboxes, outbox, sender, tasks
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach, Suppression
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(alice):
    return make_campaign(alice)


def test_without_a_mailbox_emails_land_in_the_local_outbox_folder(campaign, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    row = queue_email(campaign)
    assert sender.deliver(row.id).sent == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.mailbox is None
    path = settings.OUTBOX_DIR / f"{row.id}.eml"
    assert row.delivery_note == (
        f"Delivered locally: no mailbox is configured, so the email was written to {path} and not sent."
    )
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Message-ID"] == row.message_id and message["Subject"] == row.subject
    assert message["From"].addresses[0].addr_spec == campaign.email  # the person, not a made-up sender
    assert message.get_content().replace("\r\n", "\n").rstrip("\n") == row.body
    assert list(campaign.events.values_list("kind", flat=True)) == ["email_sent_locally"]


def test_routing_prefers_the_owners_mailbox_then_the_operators(alice, bob, smtp_server, settings):
    assert mailboxes.route_for_owner(alice.pk) is None
    settings.GMAIL_ADDRESS, settings.GMAIL_APP_PASSWORD = "Ops@Example.test", "app-password"
    operator = mailboxes.route_for_owner(alice.pk)
    assert operator.owner is None and operator.address == "ops@example.test" and operator.from_env
    assert operator.password() == "app-password" and operator.password_encrypted == ""
    own = make_mailbox(alice, smtp_server)
    assert mailboxes.route_for_owner(alice.pk) == own
    assert mailboxes.route_for_owner(bob.pk) == operator
    settings.SMTP_PORT = 2525  # the environment changed: the operator's row follows it
    assert mailboxes.operator_mailbox().smtp_port == 2525 and mailboxes.operator_mailbox().pk == operator.pk


def test_a_suppressed_recipient_is_refused_at_send_time(campaign, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    row = queue_email(campaign, recipient_email="stop@example.org")
    Suppression.objects.create(email="STOP@example.org", reason="unsubscribed")  # after approval
    assert sender.deliver(row.id).failed == 1
    row.refresh_from_db()
    assert row.status == "failed" and "asked not to be contacted" in row.error_message
    assert not list(tmp_path.glob("*.eml"))


def test_a_follow_up_whose_parent_replied_goes_back_to_draft(campaign, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    parent = queue_email(campaign, status="replied", replied_at=timezone.now(), message_id="<p@example.test>")
    follow_up = queue_email(campaign, in_reply_to=parent, subject="Re: hello")
    assert sender.deliver(follow_up.id).skipped == 1
    follow_up.refresh_from_db()
    assert follow_up.status == "draft" and follow_up.attempts == 0
    assert follow_up.error_message.startswith("Not sent: 王小明 replied before this follow-up went out.")
    assert not list(tmp_path.glob("*.eml"))
    assert campaign.events.filter(kind="followup_skipped").count() == 1


def test_a_claimed_row_is_not_sent_by_a_second_worker(campaign):
    row = queue_email(campaign)
    now = timezone.now()
    assert outbox.claim(row, now, None, "alice@example.com") is True
    assert row.status == "sending" and row.message_id.endswith("@example.com>")  # stored by the claim itself
    assert outbox.claim(EmailOutreach.objects.get(id=row.id), now, None, "alice@example.com") is False
    assert sender.deliver(row.id).handled == 0  # `sending`: nobody else touches it
    assert EmailOutreach.objects.get(id=row.id).attempts == 1


def test_the_sweeper_reclaims_expired_leases_and_wakes_each_route(campaign, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    stuck = queue_email(campaign, status="sending", lease_until=timezone.now() - dt.timedelta(seconds=1))
    due = queue_email(campaign, recipient_email="second@example.org")
    later = queue_email(campaign, next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    summary = tasks.sweep_outbox.call_local()
    assert summary == {"reclaimed": 1, "woken": 1}
    statuses = dict(EmailOutreach.objects.values_list("id", "status"))
    assert statuses == {stuck.id: "sent", due.id: "sent", later.id: "queued"}
    stuck.refresh_from_db()
    assert stuck.needs_sent_check is False and stuck.attempts == 1


def test_approval_hands_the_email_to_the_sender_when_configured(alice, campaign, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    settings.OUTBOX_SEND_ON_APPROVE = True
    draft = queue_email(campaign, status="draft", queued_at=None, next_attempt_at=None)
    approve(draft, alice)
    draft.refresh_from_db()
    assert draft.status == "sent" and (tmp_path / f"{draft.id}.eml").exists()


def test_approval_only_queues_when_sending_on_approve_is_off(alice, campaign, settings):
    settings.OUTBOX_SEND_ON_APPROVE = False
    draft = queue_email(campaign, status="draft", queued_at=None, next_attempt_at=None)
    approve(draft, alice)
    draft.refresh_from_db()
    assert draft.status == "queued"


def test_backoff_grows_and_is_capped_at_an_hour(jitter_draw):
    low, high = sender.RETRY_JITTER
    for attempts, base in [(1, 60), (2, 120), (3, 240), (7, 3600), (12, 3600)]:
        seconds = sender.backoff(attempts).total_seconds()
        assert low * base <= seconds <= high * base


def test_a_mailbox_window_can_wrap_past_midnight(alice, smtp_server):
    mailbox = make_mailbox(alice, smtp_server, window_start=dt.time(22), window_end=dt.time(6))
    assert mailboxes.in_window(mailbox, dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)) is None
    assert mailboxes.in_window(mailbox, dt.datetime(2026, 12, 1, 5, 59, tzinfo=dt.UTC)) is None
    assert mailboxes.in_window(mailbox, dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 1, 22, 0, tzinfo=dt.UTC
    )


def test_a_quota_pause_ends_at_the_next_utc_midnight(alice, smtp_server):
    mailbox = make_mailbox(alice, smtp_server)
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC), tick=False):
        mailboxes.pause(mailbox, "quota", "550 5.4.5 Daily user sending quota exceeded")
        assert mailbox.pause_words().startswith("paused until 2026-12-02 00:00 UTC")
    assert mailbox.pause_words(dt.datetime(2026, 12, 2, 0, 0, 1, tzinfo=dt.UTC)) == ""
