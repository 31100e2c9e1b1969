"""A three-hop campaign through real SMTP (aiosmtpd, STARTTLS + AUTH) and IMAP (Dovecot).

Every email goes out through the sender, every reply is APPENDed to the Dovecot inbox with
In-Reply-To set to the Message-ID the SMTP server received, and the reply watcher reads it.
"""

from __future__ import annotations

import pytest

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach import sender, watcher
from sixdegrees.outreach.approval import approve, edit_draft
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.chains import hop, planned_campaign
from sixdegrees.outreach.tests.servers import make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailbox(alice, smtp_server, dovecot):
    return make_mailbox(alice, smtp_server, imap=dovecot)


def send(email, alice):
    approve(email, alice)
    result = sender.deliver(email.id)
    assert result.sent == 1, result
    email.refresh_from_db()
    assert email.status == "sent"
    return email


def answer(inbox, smtp_server, index, *, name, address, text, subject="Re: hello"):
    """A reply to the index-th message the SMTP server received, as its recipient's client writes it."""
    received = smtp_server.received[index]
    assert received.rcpt_tos == [address]
    inbox.append(
        mail.reply(in_reply_to=received.message_id, from_name=name, from_address=address, text=text, subject=subject)
    )


def watch(mailbox):
    result = watcher.watch_mailbox(mailbox)
    assert result.errors == []
    return result


def test_three_hops_end_connected_with_every_step_on_the_timeline(
    alice, mailbox, smtp_server, inbox, mailoutbox, settings
):
    settings.SITE_URL = "https://sixdegrees.example"
    campaign = planned_campaign(alice)
    first = hop(campaign, 1)
    assert (first.recipient_name, first.recipient_email) == ("Bob Smith", "bob@example.org")

    send(first, alice)
    assert len(smtp_server.received) == 1

    # Double opt-in: hop 2 cannot be queued before hop 1 said yes.
    second = edit_draft(hop(campaign, 2), {"recipient_email": "carol@example.org"})
    with pytest.raises(BadRequest) as refused:
        approve(second, alice)
    assert refused.value.status == 409 and "Bob Smith has not agreed to introduce you yet" in refused.value.error

    answer(inbox, smtp_server, 0, name="Robert Smith", address="bob@example.org", text="Happy to help! Go ahead.")
    assert watch(mailbox).replies == 1
    first.refresh_from_db()
    assert first.status == "replied" and first.reply_intent == "yes"
    second.refresh_from_db()
    assert second.status == "draft" and "Robert Smith suggested I get in touch" in second.body  # their From name

    send(second, alice)
    assert len(smtp_server.received) == 2

    # Auto-pilot on: after hop 2's yes, the target's email goes out without another approval.
    campaign.refresh_from_db()
    Campaign.objects.filter(pk=campaign.pk).update(autopilot=True)
    third = edit_draft(hop(campaign, 3), {"recipient_email": "jane@example.com"})
    answer(inbox, smtp_server, 1, name="Carol Lee", address="carol@example.org", text="Sure, I'll introduce you.")
    watch(mailbox)
    third.refresh_from_db()
    assert third.status == "queued"
    assert third.subject == "Introduced by Carol Lee: Alice Chen" and "Carol Lee" in third.body
    assert sender.deliver(third.id).sent == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["bob@example.org"],
        ["carol@example.org"],
        ["jane@example.com"],
    ]

    answer(
        inbox,
        smtp_server,
        2,
        name="Jane Doe",
        address="jane@example.com",
        text="Thanks for reaching out, happy to chat next week.",
    )
    watch(mailbox)
    campaign.refresh_from_db()
    assert campaign.status == "connected"
    kinds = list(campaign.events.values_list("kind", flat=True))
    expected = [
        "plan_ready",
        "email_queued",
        "email_sent",
        "reply_yes",
        "next_draft_ready",
        "email_queued",
        "email_sent",
        "reply_yes",
        "next_draft_ready",
        "email_queued",
        "email_sent",
        "connected",
    ]
    assert [k for k in kinds if k in set(expected)] == expected, kinds
    notices = [m for m in mailoutbox if m.to == [alice.email]]
    connected = [m for m in notices if "you're connected" in m.subject]
    assert len(connected) == 1 and "happy to chat next week" in connected[0].body
    assert f"https://sixdegrees.example/dashboard?campaign={campaign.pk}" in connected[0].body
    assert watch(mailbox).examined == 0  # nothing new; nothing changes on a second look


def test_a_no_at_hop_one_contacts_nobody_further(alice, mailbox, smtp_server, inbox):
    campaign = planned_campaign(alice)
    Campaign.objects.filter(pk=campaign.pk).update(autopilot=True)  # even on auto-pilot
    first = send(hop(campaign, 1), alice)
    EmailQueue = type(first).objects
    EmailQueue.filter(campaign=campaign, hop=2).update(recipient_email="carol@example.org")

    answer(inbox, smtp_server, 0, name="Bob Smith", address="bob@example.org", text="Sorry, I can't help with this.")
    watch(mailbox)
    first.refresh_from_db()
    assert first.reply_intent == "no"

    campaign.refresh_from_db()
    assert campaign.selected_path == 1  # the next best path is offered, as drafts
    offered = list(EmailQueue.filter(campaign=campaign, status="draft").order_by("hop"))
    assert [e.hop for e in offered] == [1, 2] and offered[0].recipient_name != "Bob Smith"
    assert not EmailQueue.filter(status__in=["queued", "sending"]).exists()
    for draft in offered[1:]:
        draft.recipient_email = "someone@example.org"
        with pytest.raises(BadRequest) as refused:
            approve(draft, alice)
        assert refused.value.status == 409
    assert len(smtp_server.received) == 1  # nobody beyond Bob heard from us
    kinds = list(campaign.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["reply_no", "next_path_offered"]
