"""What each kind of reply does to the chain, and the person's controls (intent override, auto-pilot)."""

from __future__ import annotations

import pytest
from django.test import Client

from sixdegrees.conftest import post_json
from sixdegrees.outreach import sender, watcher
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach, Reply, Suppression
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.chains import hop, planned_campaign
from sixdegrees.outreach.tests.servers import make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailbox(alice, smtp_server):
    return make_mailbox(alice, smtp_server)


@pytest.fixture
def campaign(alice):
    return planned_campaign(alice)


def sent_first(campaign, alice):
    first = hop(campaign, 1)
    approve(first, alice)
    assert sender.deliver(first.id).sent == 1
    first.refresh_from_db()
    return first


def reply_to(mailbox, email, text, *, name="Bob Smith", address="bob@example.org"):
    raw = mail.reply(in_reply_to=email.message_id, from_name=name, from_address=address, text=text)
    return watcher.apply_message(mailbox, raw)


def test_the_send_api_refuses_hop_two_before_hop_one_said_yes(signed_in, campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    second = hop(campaign, 2)
    payload = {"campaign_id": campaign.id, "email_id": second.id, "to": "carol@example.org"}
    response = post_json(signed_in, "/api/send", payload)
    assert response.status_code == 409
    assert response.json()["error"] == (
        "Bob Smith has not agreed to introduce you yet, so the email to A founder backed by Sequoia waits. "
        "SixDegrees only contacts the next person once the previous one says yes."
    )
    second.refresh_from_db()
    assert second.status == "draft"
    reply_to(mailbox, first, "Yes, happy to.")
    assert post_json(signed_in, "/api/send", payload).status_code == 200


def test_a_blurb_request_offers_a_reply_in_the_thread_and_it_is_sent(campaign, mailbox, alice, smtp_server):
    first = sent_first(campaign, alice)
    assert reply_to(mailbox, first, "Happy to help - send me a short blurb I can forward?") == "reply"
    first.refresh_from_db()
    assert first.reply_intent == "blurb"
    blurb = EmailOutreach.objects.get(kind="blurb")
    assert blurb.status == "draft" and blurb.in_reply_to_id == first.id and blurb.recipient_email == "bob@example.org"
    assert blurb.subject == f"Re: {first.subject}" and blurb.body.startswith("Hi Bob,")
    assert "a short note you can forward as is" in blurb.body and "alice@example.com" in blurb.body
    approve(blurb, alice)
    assert sender.deliver(blurb.id).sent == 1  # a blurb answers their reply: the sender does not hold it back
    assert smtp_server.received[1].message["In-Reply-To"] == first.message_id
    second = hop(campaign, 2)
    second.recipient_email = "carol@example.org"
    approve(second, alice)  # "send me a blurb" is a yes for the double opt-in


def test_ask_someone_else_drafts_to_them_at_the_same_hop(campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "I'm not close to her, but you should ask Carol Lee (carol@example.org) instead.")
    suggested = hop(campaign, 1)
    assert (suggested.recipient_name, suggested.recipient_email, suggested.status) == (
        "Carol Lee",
        "carol@example.org",
        "draft",
    )
    assert "Bob Smith suggested I get in touch with you" in suggested.body
    assert "other_person_ready" in list(campaign.events.values_list("kind", flat=True))
    # Hop 2 now waits for Carol, not Bob.
    second = hop(campaign, 2)
    second.recipient_email = "dan@example.org"
    with pytest.raises(Exception, match="Carol Lee has not agreed"):
        approve(second, alice)


def test_stop_puts_the_sender_on_the_suppression_list_for_every_campaign(campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Please stop emailing me.")
    assert Suppression.objects.get(email="bob@example.org").reason == "asked_to_stop"
    other = planned_campaign(alice, target_name="John Roe")
    with pytest.raises(Exception, match="asked not to be contacted"):
        approve(hop(other, 1), alice)


def test_the_person_can_override_an_unclear_intent(signed_in, campaign, mailbox, alice, bob):
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Let me think about who would be best.")
    first.refresh_from_db()
    assert first.reply_intent == "unclear"

    url = f"/api/email/{first.id}/intent"
    stranger = Client()
    stranger.force_login(bob)
    assert post_json(stranger, url, {"intent": "yes"}).status_code == 404
    assert post_json(signed_in, url, {"intent": "maybe"}).status_code == 400
    response = post_json(signed_in, url, {"intent": "yes"})
    assert response.status_code == 200, response.content
    assert response.json()["email"]["reply_intent"] == "yes"
    assert Reply.objects.get(email=first).intent_source == "person"
    kinds = list(campaign.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["intent_changed", "reply_yes", "next_draft_ready"]
    no_reply = hop(campaign, 2)
    assert post_json(signed_in, f"/api/email/{no_reply.id}/intent", {"intent": "yes"}).status_code == 409


def test_auto_pilot_is_switched_by_the_signed_in_owner_only(signed_in, campaign, bob):
    url = f"/api/campaign/{campaign.id}/autopilot"
    stranger = Client()
    stranger.force_login(bob)
    assert post_json(stranger, url, {"autopilot": True}).status_code == 404
    assert post_json(signed_in, url, {"autopilot": "yes"}).status_code == 400
    assert post_json(signed_in, url, {"autopilot": True}).json() == {
        "success": True,
        "campaign_id": campaign.id,
        "autopilot": True,
    }
    campaign.refresh_from_db()
    assert campaign.autopilot and campaign.events.filter(kind="autopilot_on").count() == 1


def test_a_hard_bounce_suppresses_the_address(campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    raw = mail.gmail_bounce(original_message_id=first.message_id, recipient="bob@example.org")
    assert watcher.apply_message(mailbox, raw) == "bounce"
    first.refresh_from_db()
    assert first.status == "bounced" and "does not exist" in first.error_message
    assert Suppression.objects.get(email="bob@example.org").reason == "bounced"


def test_the_target_declining_completes_the_campaign(alice, mailbox):
    campaign = planned_campaign(alice, contacts=[])  # two hops: a role, then the target
    first = hop(campaign, 1)
    first.recipient_email = "intro@example.org"
    first.save()
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Sure, happy to introduce you.", name="Ivy Intro", address="intro@example.org")
    target = hop(campaign, 2)
    assert "Ivy Intro" in target.body
    target.recipient_email = "jane@example.com"
    target.save()
    approve(target, alice)
    sender.deliver(target.id)
    target.refresh_from_db()
    reply_to(mailbox, target, "No, thanks.", name="Jane Doe", address="jane@example.com")
    campaign.refresh_from_db()
    assert campaign.status == "completed"
    assert list(campaign.events.values_list("kind", flat=True))[-1] == "target_declined"


def test_the_person_is_told_in_their_language(alice, mailbox, mailoutbox):
    alice.language = "zh-hans"
    alice.save()
    campaign = planned_campaign(alice, contacts=[])
    Campaign = type(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(autopilot=True)
    first = hop(campaign, 1)
    first.recipient_email = "intro@example.org"
    first.save()
    first = sent_first(campaign, alice)
    EmailOutreach.objects.filter(campaign=campaign, hop=2).update(recipient_email="jane@example.com")
    reply_to(mailbox, first, "好的，我来介绍。", name="Ivy Intro", address="intro@example.org")
    target = hop(campaign, 2)
    assert target.status == "queued"  # auto-pilot
    sender.deliver(target.id)
    target.refresh_from_db()
    reply_to(mailbox, target, "Happy to talk.", name="Jane Doe", address="jane@example.com")
    [notice] = [m for m in mailoutbox if "已建立联系" in m.subject]
    assert notice.subject == "Jane Doe 已回复：您已建立联系" and notice.to == ["alice@example.com"]
    assert "Happy to talk." in notice.body and "打开您的活动" in notice.body


def test_no_notice_when_reminder_emails_are_off(alice, mailbox, mailoutbox):
    alice.reminder_emails = False
    alice.save()
    campaign = planned_campaign(alice)
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Sure, happy to.")
    assert mailoutbox == []
