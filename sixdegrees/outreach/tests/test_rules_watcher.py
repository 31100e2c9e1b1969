"""Rules of the reply watcher that a person would notice broken, each against a real Dovecot.

- It reads a person's inbox read-only (EXAMINE): another mail client still sees new mail as new
  (\\Recent), unread mail as unread, and every flag as it was.
- A message in Alice's mailbox only ever changes Alice's emails, even when Bob wrote to the same
  person with the same subject a little later.
- Only their answer counts as a reply: not a copy of our own follow-up in the inbox, not another
  email from the same person about something else.
- One reader per folder: while another worker reads it, a second one reads nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from imapclient import IMAPClient

from sixdegrees.outreach import watcher
from sixdegrees.outreach.models import MailboxCursor
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox
from sixdegrees.outreach.tests.test_watcher import sent_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_mailbox(alice, smtp_server, dovecot):
    return make_mailbox(alice, smtp_server, imap=dovecot)


@pytest.fixture
def bob_mailbox(bob, smtp_server):
    # Bob sends through his own mailbox; its inbox is elsewhere (no IMAP here).
    return make_mailbox(bob, smtp_server, address="bob.sender@example.test")


def folder_status(dovecot) -> dict[bytes, int]:
    """What any mail client's folder list shows: STATUS changes nothing it reports on."""
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        client.login(dovecot.user, dovecot.password)
        return client.folder_status("INBOX", [b"MESSAGES", b"RECENT", b"UNSEEN"])
    finally:
        client.logout()


def test_the_watcher_leaves_new_mail_new_and_unread_mail_unread(inbox, alice_mailbox, alice, dovecot):
    campaign = make_campaign(alice)
    email = sent_email(campaign, alice_mailbox, "bob@example.org", "Bob Smith")
    inbox.append(
        mail.reply(in_reply_to=email.message_id, from_name="Bob Smith", from_address="bob@example.org", text="Yes!")
    )
    inbox.append(mail.unrelated("Lunch on Friday?"))
    inbox.append(mail.unrelated("Read already"), seen=True)
    before = folder_status(dovecot)
    flags = inbox.flags()
    # Nothing has opened the folder read-write yet, so all three are still new to every client.
    assert before == {b"MESSAGES": 3, b"RECENT": 3, b"UNSEEN": 2}

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.errors == [] and result.replies == 1  # it did read the folder, and the reply
    email.refresh_from_db()
    assert email.status == "replied"
    # A read-write SELECT would have taken \Recent for itself: the person's own client would no
    # longer show these as new mail. EXAMINE leaves that, \Seen and every other flag alone.
    assert folder_status(dovecot) == before
    assert inbox.flags() == flags


def test_a_bounce_in_alices_mailbox_never_marks_bobs_email(inbox, alice_mailbox, bob_mailbox, alice, bob):
    """Both wrote to the same address; Bob's email is the newer one, and it is in another mailbox."""
    now = timezone.now()
    alices = sent_email(make_campaign(alice), alice_mailbox, "gone@example.org", "Gone")
    bobs = sent_email(make_campaign(bob), bob_mailbox, "gone@example.org", "Gone")
    type(alices).objects.filter(pk=alices.pk).update(sent_at=now - dt.timedelta(hours=2))
    type(bobs).objects.filter(pk=bobs.pk).update(sent_at=now - dt.timedelta(minutes=30))
    # The relay rewrote the Message-ID, so only the failed recipient says which email bounced.
    inbox.append(mail.dsn_bounce(original_message_id="<rewritten@relay.example.test>", recipient="gone@example.org"))

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.errors == [] and result.bounces == 1
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert alices.status == "bounced" and "User unknown" in alices.error_message
    assert bobs.status == "sent" and bobs.error_message == ""
    assert not bobs.campaign.events.filter(kind="email_bounced").exists()


def test_a_reply_in_alices_mailbox_never_answers_bobs_email(inbox, alice_mailbox, bob_mailbox, alice, bob):
    """Carol answers Alice without threading headers; Bob asked Carol the same a little later."""
    now = timezone.now()
    alices = sent_email(make_campaign(alice), alice_mailbox, "carol@example.org", "Carol", subject="Coffee?")
    bobs = sent_email(make_campaign(bob), bob_mailbox, "carol@example.org", "Carol", subject="Coffee?")
    type(alices).objects.filter(pk=alices.pk).update(sent_at=now - dt.timedelta(hours=2))
    type(bobs).objects.filter(pk=bobs.pk).update(sent_at=now - dt.timedelta(minutes=30))
    inbox.append(
        mail.reply(
            in_reply_to=None,
            from_name="Carol",
            from_address="carol@example.org",
            subject="Re: Coffee?",
            text="Happy to introduce you to Jane!",
        )
    )

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.errors == [] and result.replies == 1
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert alices.status == "replied" and alices.reply_intent == "yes"
    assert bobs.status == "sent" and bobs.reply_text == "" and bobs.replied_at is None


def test_a_copy_of_our_own_follow_up_in_the_inbox_is_not_their_reply(inbox, alice_mailbox, alice):
    email = sent_email(make_campaign(alice), alice_mailbox, "bob@example.org", "Bob Smith")
    # Sent to Bob with a Bcc to ourselves (or a server that files sent mail in the inbox too).
    inbox.append(
        mail.reply(
            in_reply_to=email.message_id,
            from_name="Alice Chen",
            from_address=alice_mailbox.address,
            text="Happy to follow up: I wanted to gently follow up on my note below.",
        )
    )

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.errors == [] and result.replies == 0
    email.refresh_from_db()
    assert email.status == "sent" and email.replied_at is None and email.reply_text == ""


def test_another_email_from_the_same_person_is_not_a_reply(inbox, alice_mailbox, alice):
    email = sent_email(make_campaign(alice), alice_mailbox, "bob@example.org", "Bob Smith", subject="Coffee?")
    inbox.append(
        mail.reply(
            in_reply_to=None,
            from_name="Bob Smith",
            from_address="bob@example.org",
            subject="Lunch on Friday?",
            text="Yes, are you free for lunch on Friday?",
        )
    )

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.errors == [] and result.replies == 0
    email.refresh_from_db()
    assert email.status == "sent" and email.reply_intent == ""


def test_a_folder_another_worker_is_reading_is_left_to_it(inbox, alice_mailbox, alice):
    email = sent_email(make_campaign(alice), alice_mailbox, "bob@example.org", "Bob Smith")
    inbox.append(
        mail.reply(in_reply_to=email.message_id, from_name="Bob Smith", from_address="bob@example.org", text="Yes!")
    )
    cursor, _ = MailboxCursor.objects.get_or_create(mailbox=alice_mailbox, folder="INBOX")
    held_until = timezone.now() + dt.timedelta(minutes=5)
    MailboxCursor.objects.filter(pk=cursor.pk).update(lease_until=held_until)

    result = watcher.watch_mailbox(alice_mailbox)

    assert result.busy and result.examined == 0
    email.refresh_from_db()
    assert email.status == "sent"
    cursor.refresh_from_db()
    assert cursor.lease_until == held_until  # the other worker's lease is not cut short either
