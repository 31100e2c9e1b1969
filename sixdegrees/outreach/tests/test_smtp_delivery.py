"""The sender against a real aiosmtpd server that requires STARTTLS and AUTH."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address

import pytest
import time_machine
from django.utils import timezone

from sixdegrees.outreach import sender
from sixdegrees.outreach.models import EmailOutreach, Mailbox
from sixdegrees.outreach.tests.servers import DROP, SMTP_PASSWORD, SMTP_USER, make_campaign, make_mailbox, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(alice):
    return make_campaign(alice)


@pytest.fixture
def mailbox(alice, smtp_server):
    return make_mailbox(alice, smtp_server, display_name="Alice")


def deliver(email: EmailOutreach) -> sender.BatchResult:
    result = sender.deliver(email.id)
    email.refresh_from_db()
    return result


def later(minutes: float):
    """Jump past any retry delay (the sender reads time from django.utils.timezone)."""
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=True)


def test_the_server_receives_exactly_the_approved_message(smtp_server, mailbox, campaign, settings):
    settings.SITE_URL = "https://sixdegrees.example"
    email = queue_email(campaign)
    assert deliver(email).sent == 1
    assert email.status == "sent" and email.sent_at and email.lease_until is None and email.attempts == 1
    assert email.mailbox_id == mailbox.id and "Accepted by 127.0.0.1: 250 2.0.0 OK queued" in email.delivery_note

    [received] = smtp_server.received
    assert received.mail_from == SMTP_USER and received.rcpt_tos == ["wang@example.org"]
    message = received.message
    assert message["Subject"] == "想请您帮忙引荐 — a quick intro?"
    assert message.get_content().replace("\r\n", "\n").rstrip("\n") == email.body
    assert message["Message-ID"] == email.message_id and email.message_id.startswith(f"<{email.id}.")
    sender_address = message["From"].addresses[0]
    assert (sender_address.display_name, sender_address.addr_spec) == ("陈爱丽 Alice Chen", SMTP_USER)
    assert message["To"].addresses[0] == Address("王小明", addr_spec="wang@example.org")
    reply_to = message["Reply-To"].addresses[0]  # replies come back to the sending mailbox itself
    assert (reply_to.display_name, reply_to.addr_spec) == ("陈爱丽 Alice Chen", SMTP_USER)
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://sixdegrees.example/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Date"] and message.get_content_charset() == "utf-8"
    assert b"\xe7" not in received.content  # 7-bit on the wire: any server takes it
    assert smtp_server.logins == [f"{SMTP_USER}:True"]
    assert list(campaign.events.values_list("kind", flat=True)) == ["email_sent"]


def test_a_follow_up_threads_under_its_parent_and_replies_go_to_reply_to(smtp_server, alice, campaign):
    make_mailbox(alice, smtp_server, reply_to="replies@example.test")
    first = queue_email(campaign)
    deliver(first)
    follow_up = queue_email(campaign, subject="Re: 想请您帮忙引荐", body="Just following up.", in_reply_to=first)
    deliver(follow_up)
    message = smtp_server.received[1].message
    assert message["In-Reply-To"] == first.message_id
    assert message["References"] == first.message_id
    assert message["Reply-To"].addresses[0].addr_spec == "replies@example.test"


def test_one_connection_carries_a_batch(smtp_server, mailbox, campaign):
    emails = [queue_email(campaign, recipient_email=f"p{i}@example.org") for i in range(5)]
    result = sender.deliver(emails[0].id)
    assert result.sent == 5
    assert len(smtp_server.logins) == 1
    assert sorted(smtp_server.handler.message_ids()) == sorted(
        EmailOutreach.objects.values_list("message_id", flat=True)
    )


@pytest.mark.parametrize("reply", ["421 4.3.0 Try again later", "451 4.7.1 Greylisted, please retry"])
def test_a_transient_reply_retries_with_backoff_then_sends_once(smtp_server, mailbox, campaign, reply, jitter_draw):
    smtp_server.handler.data_script.append(reply)
    email = queue_email(campaign)
    before = timezone.now()
    assert deliver(email).retrying == 1
    after = timezone.now()
    assert email.status == "queued" and email.attempts == 1 and email.lease_until is None
    assert reply in email.error_message and email.message_id
    low, high = (sender.retry_base_seconds(1) * j for j in sender.RETRY_JITTER)
    assert before + dt.timedelta(seconds=low) <= email.next_attempt_at <= after + dt.timedelta(seconds=high)
    assert smtp_server.received == []

    assert deliver(email).handled == 0  # not due yet: nothing happens
    with later(high / 60 + 1):
        assert deliver(email).sent == 1
    assert email.status == "sent" and email.attempts == 2 and email.error_message == ""
    assert smtp_server.handler.message_ids() == [email.message_id]  # the stored id, kept across tries


def test_a_permanent_refusal_fails_with_the_servers_words(smtp_server, mailbox, campaign):
    smtp_server.handler.rcpt_script.append("550 5.1.1 No such user")
    email = queue_email(campaign)
    assert deliver(email).failed == 1
    assert email.status == "failed" and email.lease_until is None
    assert "550 5.1.1 No such user" in email.error_message
    assert campaign.events.filter(kind="email_failed").count() == 1
    # The connection survives a refused recipient: the next email goes through on it.
    other = queue_email(campaign, recipient_email="ok@example.org")
    assert deliver(other).sent == 1


def test_a_connection_dropped_mid_data_is_delivered_once(smtp_server, mailbox, campaign):
    smtp_server.handler.data_script.append(DROP)
    email = queue_email(campaign)
    assert deliver(email).retrying == 1
    assert email.status == "queued" and email.needs_sent_check  # the server might have taken it
    assert "closed the connection" in email.error_message
    with later(2):
        assert deliver(email).sent == 1
    assert email.status == "sent" and email.attempts == 2
    assert smtp_server.handler.message_ids() == [email.message_id]


def test_too_many_transient_failures_fail_the_email(smtp_server, mailbox, campaign, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.handler.data_script.extend(["451 4.3.0 Busy"] * 3)
    email = queue_email(campaign)
    for minutes in (0, 30, 60):
        with later(minutes):
            deliver(email)
    assert email.status == "failed" and email.attempts == 3
    assert (
        email.error_message.startswith("Gave up after 3 attempts. Last error:")
        and "451 4.3.0 Busy" in email.error_message
    )


def test_a_quota_error_pauses_the_mailbox_until_the_next_utc_day(smtp_server, mailbox, campaign):
    start = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC)
    emails = [queue_email(campaign, recipient_email=f"p{i}@example.org", next_attempt_at=start) for i in range(3)]
    smtp_server.handler.data_script.append("550 5.4.5 Daily user sending quota exceeded.")
    with time_machine.travel(start, tick=True) as traveller:
        result = sender.deliver(emails[0].id)
        assert result.stopped == "paused" and result.handled == 0
        mailbox.refresh_from_db()
        assert mailbox.pause_reason == "quota" and mailbox.paused_until == dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
        assert "550 5.4.5 Daily user sending quota exceeded" in mailbox.last_error
        rows = list(EmailOutreach.objects.order_by("created_at"))
        assert {r.status for r in rows} == {"queued"} and {r.attempts for r in rows} == {0}
        assert "paused" in rows[0].error_message
        assert campaign.events.filter(kind="mailbox_paused_quota").count() == 1

        traveller.move_to(start + dt.timedelta(hours=2))
        assert sender.deliver(emails[0].id).handled == 0  # still paused: no SMTP at all
        assert len(smtp_server.logins) == 1

        traveller.move_to(dt.datetime(2026, 12, 2, 0, 1, tzinfo=dt.UTC))
        assert sender.deliver(emails[0].id).sent == 3
    assert set(EmailOutreach.objects.values_list("status", flat=True)) == {"sent"}
    assert len(smtp_server.received) == 3


def test_a_refused_password_pauses_until_the_password_changes(smtp_server, mailbox, campaign):
    smtp_server.credentials[SMTP_USER] = "the-new-password"  # changed at the provider
    email = queue_email(campaign)
    result = deliver(email)
    assert result.stopped == "paused"
    mailbox.refresh_from_db()
    assert mailbox.pause_reason == "auth" and mailbox.paused_until is None
    assert "535" in mailbox.last_error
    assert email.status == "queued" and email.attempts == 0
    assert campaign.events.filter(kind="mailbox_paused_auth").count() == 1
    tries = len(smtp_server.logins)  # smtplib tries PLAIN, then LOGIN

    with later(60 * 24 * 3):  # days later, still paused: nothing is tried, nothing is failed
        assert deliver(email).handled == 0
        assert len(smtp_server.logins) == tries and email.status == "queued"

    mailbox.set_password("the-new-password")
    mailbox.save()
    assert deliver(email).sent == 1
    assert email.status == "sent" and email.attempts == 1


def test_an_unreachable_server_retries_and_shows_on_the_mailbox(mailbox, campaign):
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=1)  # nothing listens there
    emails = [queue_email(campaign, recipient_email=f"p{i}@example.org") for i in range(3)]
    result = sender.deliver(emails[0].id)
    assert result.stopped == "connection" and result.retrying == 1  # one try spent, not three
    mailbox.refresh_from_db()
    assert "could not connect to 127.0.0.1:1: connection refused" in mailbox.last_error
    assert sorted(EmailOutreach.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_pacing_spaces_messages_from_one_mailbox(smtp_server, alice, campaign, jitter_draw):
    interval = 30
    make_mailbox(alice, smtp_server, min_interval_seconds=interval)
    first, second = (queue_email(campaign, recipient_email=f"p{i}@example.org") for i in range(2))
    before = timezone.now()
    result = sender.deliver(first.id)
    after = timezone.now()
    assert result.sent == 1 and result.stopped == "pacing" and result.next_email_id == second.id
    low, high = (interval * j for j in sender.PACING_JITTER)
    assert before + dt.timedelta(seconds=low) <= result.waiting_until <= after + dt.timedelta(seconds=high)
    assert sender.deliver(second.id).handled == 0  # still inside the interval: nothing is sent
    with later(high / 60 + 1):
        assert sender.deliver(second.id).sent == 1
    assert len(smtp_server.received) == 2


def test_the_sending_window_holds_emails_until_it_opens(smtp_server, alice, campaign):
    make_mailbox(alice, smtp_server, window_start=dt.time(9), window_end=dt.time(17), window_timezone="Asia/Shanghai")
    night = dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)  # 00:00 in Shanghai
    email = queue_email(campaign, next_attempt_at=night)
    with time_machine.travel(night, tick=True) as traveller:
        assert deliver(email).stopped == "window"
        assert email.status == "queued" and email.next_attempt_at == dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
        traveller.move_to(dt.datetime(2026, 12, 2, 1, 5, tzinfo=dt.UTC))
        assert deliver(email).sent == 1


def test_the_password_is_encrypted_at_rest(mailbox):
    raw = Mailbox.objects.values_list("password_encrypted", flat=True).get(pk=mailbox.pk)
    assert SMTP_PASSWORD not in raw and raw.startswith("gAAAA")
    assert Mailbox.objects.get(pk=mailbox.pk).password() == SMTP_PASSWORD
