"""The reply watcher against a real Dovecot: the right rows, the right intents, and no flag touched."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from sixdegrees.campaigns.models import TimelineEvent
from sixdegrees.outreach import watcher
from sixdegrees.outreach.models import EmailOutreach, MailboxCursor, Reply, Suppression
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.inbox import Inbox  # noqa: F401  (other test modules import it from here)
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLES_DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def mailbox(alice, smtp_server, dovecot):
    return make_mailbox(alice, smtp_server, imap=dovecot)


def sent_email(campaign, mailbox, address, name, *, hop=1, subject="A small favour", **fields):
    email = EmailOutreach.objects.create(
        campaign=campaign,
        hop=hop,
        recipient_email=address,
        recipient_name=name,
        subject=subject,
        body="Hi, could you introduce me?",
        status="sent",
        mailbox=mailbox,
        sent_at=timezone.now() - dt.timedelta(hours=1),
        **fields,
    )
    email.message_id = f"<{email.id}.abc123@example.test>"
    email.save(update_fields=["message_id"])
    return email


def snapshot():
    return (
        sorted(
            EmailOutreach.objects.values_list(
                "id", "status", "reply_intent", "reply_text", "replied_at", "follow_up_after", "error_message"
            )
        ),
        Reply.objects.count(),
        sorted(Suppression.objects.values_list("email", "reason")),
        TimelineEvent.objects.count(),
    )


# The samples are dated 2026-12-01 10:00 UTC ("back on December 3"); the emails go out an hour before.
@time_machine.travel(SAMPLES_DAY, tick=True)
def test_the_watcher_marks_the_right_rows_and_changes_no_flag(inbox, mailbox, alice):
    campaign = make_campaign(alice)
    yes = sent_email(campaign, mailbox, "bob@example.org", "Bob Smith")
    zh = sent_email(campaign, mailbox, "wang@example.org", "王小明", subject="想请您帮忙引荐")
    stop = sent_email(campaign, mailbox, "dave@example.org", "Dave")
    dsn = sent_email(campaign, mailbox, "gone@example.org", "Gone")
    gmail = sent_email(campaign, mailbox, "nobody@example.org", "Nobody")
    away = sent_email(campaign, mailbox, "carol@example.org", "Carol")
    by_subject = sent_email(campaign, mailbox, "frank@example.org", "Frank", subject="Coffee with Jane?")
    quiet = sent_email(campaign, mailbox, "erin@example.org", "Erin")
    EmailOutreach.objects.create(campaign=campaign, hop=2, recipient_name="Jane Doe", subject="Hello", body="Hi")

    inbox.append(
        mail.reply(
            in_reply_to=yes.message_id,
            from_name="Bob Smith",
            from_address="bob@example.org",
            text="Happy to introduce you to Jane! I'll email her today.\n\nBest,\nBob",
        ),
        seen=True,
    )
    inbox.append(
        mail.reply(
            in_reply_to=zh.message_id,
            from_name="王小明",
            from_address="wang@example.org",
            subject="回复：想请您帮忙引荐",
            text="好的，我来介绍。\n\n祝好，\n王小明",
            chinese_client=True,
        )
    )
    inbox.append(
        mail.reply(
            in_reply_to=stop.message_id,
            from_name="Dave",
            from_address="dave@example.org",
            text="Please stop emailing me.",
        ),
        seen=True,
    )
    inbox.append(mail.dsn_bounce(original_message_id=dsn.message_id, recipient="gone@example.org"))
    inbox.append(mail.gmail_bounce(original_message_id=gmail.message_id, recipient="nobody@example.org"), seen=True)
    inbox.append(mail.out_of_office(in_reply_to=away.message_id, from_name="Carol", from_address="carol@example.org"))
    inbox.append(
        mail.reply(
            in_reply_to=None,  # a client that dropped the threading headers: matched by sender + subject
            from_name="Frank",
            from_address="frank@example.org",
            subject="RE: Coffee with Jane?",
            text="Not right now, I'm swamped. Maybe next quarter.",
        )
    )
    inbox.append(mail.unrelated(), seen=True)
    inbox.append(
        mail.reply(
            in_reply_to="<somebody-else@example.net>",
            from_name="Stranger",
            from_address="stranger@example.net",
            text="Yes, happy to!",
        )
    )
    flags_before = inbox.flags()
    assert len(flags_before) == 9 and sum(rb"\Seen" in f for f in flags_before.values()) == 4

    started = time.monotonic()
    result = watcher.watch_mailbox(mailbox)
    assert time.monotonic() - started < 10
    assert result.errors == [] and result.examined == 9
    assert (result.replies, result.bounces, result.auto_replies) == (4, 2, 1)
    assert inbox.flags() == flags_before  # nothing marked read, flagged, moved or deleted

    def row(email):
        email.refresh_from_db()
        return email

    assert row(yes).status == "replied" and yes.reply_intent == "yes" and yes.replied_at
    assert yes.reply_text == "Happy to introduce you to Jane! I'll email her today."  # no quote, no signature
    assert row(zh).status == "replied" and zh.reply_intent == "yes" and zh.reply_text == "好的，我来介绍。"
    assert row(stop).status == "replied" and stop.reply_intent == "stop"
    assert row(by_subject).status == "replied" and by_subject.reply_intent == "not_now"
    assert row(dsn).status == "bounced" and "User unknown" in dsn.error_message and dsn.replied_at is None
    assert row(gmail).status == "bounced" and "does not exist" in gmail.error_message
    assert row(away).status == "sent" and away.replied_at is None  # an automatic reply is not a reply
    assert away.follow_up_after == dt.datetime(2026, 12, 4, tzinfo=dt.UTC)  # the day after "back on December 3"
    assert row(quiet).status == "sent" and quiet.reply_text == ""
    assert set(Suppression.objects.values_list("email", "reason")) == {
        ("dave@example.org", "asked_to_stop"),
        ("gone@example.org", "bounced"),
        ("nobody@example.org", "bounced"),
    }
    replies = {r.email_id: r for r in Reply.objects.all()}
    assert replies[by_subject.id].matched_by == "subject" and replies[yes.id].matched_by == "thread"
    assert replies[gmail.id].bounce_status == "5.1.1" and replies[gmail.id].hard_bounce
    assert replies[away.id].kind == "auto_reply" and replies[away.id].return_date == dt.date(2026, 12, 3)
    assert not Reply.objects.filter(from_address__in=["news@example.net", "stranger@example.net"]).exists()
    kinds = list(campaign.events.values_list("kind", flat=True))
    for kind in ("reply_yes", "reply_stop", "reply_not_now", "email_bounced", "auto_reply_until"):
        assert kind in kinds, kind

    # A second run reads nothing new and changes nothing.
    before = snapshot()
    again = watcher.watch_mailbox(mailbox)
    assert again.examined == 0 and again.errors == []
    assert snapshot() == before and inbox.flags() == flags_before

    # A new UIDVALIDITY (the server rebuilt the folder): everything is read again, nothing applied twice.
    MailboxCursor.objects.filter(mailbox=mailbox).update(uidvalidity=1)
    rescan = watcher.watch_mailbox(mailbox)
    assert rescan.examined == 9 and rescan.replies == rescan.bounces == 0 and rescan.already_seen >= 7
    assert snapshot() == before and inbox.flags() == flags_before


def test_a_mailbox_that_sent_nothing_starts_after_what_is_already_there(inbox, mailbox, alice):
    inbox.append(mail.unrelated("old mail 1"))
    inbox.append(mail.unrelated("old mail 2"))
    result = watcher.watch_mailbox(mailbox)
    assert result.examined == 0
    cursor = MailboxCursor.objects.get(mailbox=mailbox, folder="INBOX")
    assert cursor.last_uid >= 2 and cursor.uidvalidity and cursor.last_checked_at


def test_an_unreachable_imap_server_is_reported_not_raised(mailbox):
    from sixdegrees.conftest import free_port

    type(mailbox).objects.filter(pk=mailbox.pk).update(imap_port=free_port())
    mailbox.refresh_from_db()
    result = watcher.watch_mailbox(mailbox)
    assert result.errors and "connection refused" in result.errors[0]
    mailbox.refresh_from_db()
    assert "reply watcher" in mailbox.last_error


def test_the_periodic_task_watches_every_mailbox(inbox, mailbox, alice):
    from sixdegrees.outreach import tasks

    email = sent_email(make_campaign(alice), mailbox, "bob@example.org", "Bob Smith")
    inbox.append(
        mail.reply(in_reply_to=email.message_id, from_name="Bob Smith", from_address="bob@example.org", text="Sure!")
    )
    assert tasks.watch_replies.call_local() == {"mailboxes": 1}  # the per-mailbox task runs inline in tests
    email.refresh_from_db()
    assert email.status == "replied" and email.reply_intent == "yes"
