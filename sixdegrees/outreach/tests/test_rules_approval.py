"""Rules of approval that a person would notice broken: who may send, and when the next hop may go.

- Double opt-in: hop 2 can be approved only after hop 1 said yes. "Not now" or an unclear answer
  is a reply, but not a yes, so hop 2 stays a draft; a later yes opens the gate.
- Only the owner whose address is confirmed may send: signed in is not enough once the operator
  withdrew the confirmation, and auto-pilot obeys the same rule. Another confirmed person who
  typed the owner's address into the intake may read the drafts but never send them.
"""

from __future__ import annotations

import pytest
from django.test import Client

from sixdegrees.accounts.models import User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.chains import hop, planned_campaign
from sixdegrees.outreach.tests.servers import make_mailbox
from sixdegrees.outreach.tests.test_chain import reply_to, sent_first

pytestmark = pytest.mark.django_db(transaction=True)

NOT_A_YES = {
    "not_now": "Not right now, I'm swamped. Maybe next quarter.",
    "unclear": "Let me think about who would be best.",
}


@pytest.fixture
def mailbox(alice, smtp_server):
    return make_mailbox(alice, smtp_server)


# --- The hop gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("intent", sorted(NOT_A_YES))
def test_hop_two_waits_after_a_reply_that_is_not_a_yes(intent, signed_in, mailbox, alice):
    campaign = planned_campaign(alice)
    first = sent_first(campaign, alice)
    assert reply_to(mailbox, first, NOT_A_YES[intent]) == "reply"
    first.refresh_from_db()
    assert first.status == "replied" and first.reply_intent == intent
    second = hop(campaign, 2)
    payload = {"campaign_id": campaign.id, "email_id": second.id, "to": "carol@example.org"}

    refused = post_json(signed_in, "/api/send", payload)

    assert refused.status_code == 409, refused.content
    assert refused.json()["success"] is False
    assert refused.json()["error"].startswith("Bob Smith has not agreed to introduce you yet")
    second.refresh_from_db()
    assert second.status == "draft" and second.queued_at is None

    # Bob writes again, this time a yes: now hop 2 may go.
    assert reply_to(mailbox, first, "Actually yes, happy to introduce you to her.") == "reply"
    accepted = post_json(signed_in, "/api/send", payload)
    assert accepted.status_code == 200, accepted.content
    second.refresh_from_db()
    assert second.status == "queued" and second.recipient_email == "carol@example.org"


# --- A confirmed address ------------------------------------------------------------------------------


def withdraw_confirmation(user: User) -> None:
    """What an operator does in the admin (email_verified off); the person's session stays open."""
    User.objects.filter(pk=user.pk).update(email_verified=False)
    user.refresh_from_db()


def test_a_signed_in_owner_whose_address_is_not_confirmed_cannot_send(signed_in, alice):
    campaign_id = post_json(signed_in, "/api/intake", INTAKE).json()["campaign_id"]
    draft = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    withdraw_confirmation(alice)
    balance = alice.credits_balance

    response = post_json(
        signed_in, "/api/send", {"campaign_id": campaign_id, "email_id": draft.id, "to": "a@example.org"}
    )

    assert response.status_code == 403, response.content
    assert response.json()["error"] == (
        "Please confirm your email address first: use the sign-in code we sent to alice@example.com, "
        "then approve the email again."
    )
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.queued_at is None
    assert Campaign.objects.get(pk=campaign_id).status == "ready"
    alice.refresh_from_db()
    assert alice.credits_balance == balance  # and no credit spent
    assert not CreditTransaction.objects.filter(transaction_type="usage").exists()


def test_approve_refuses_the_owner_until_the_address_is_confirmed(alice):
    campaign = planned_campaign(alice)
    first = hop(campaign, 1)
    withdraw_confirmation(alice)

    with pytest.raises(BadRequest) as refused:
        approve(first, alice)

    assert refused.value.status == 403
    first.refresh_from_db()
    assert first.status == "draft"
    # Confirmed again (a sign-in code), the same owner may send.
    User.objects.filter(pk=alice.pk).update(email_verified=True)
    alice.refresh_from_db()
    assert approve(first, alice)[1] is True


def test_auto_pilot_does_not_send_for_an_owner_whose_address_is_not_confirmed(mailbox, alice):
    campaign = planned_campaign(alice)
    first = sent_first(campaign, alice)
    Campaign.objects.filter(pk=campaign.pk).update(autopilot=True)
    hop_two = hop(campaign, 2)
    EmailOutreach.objects.filter(pk=hop_two.pk).update(recipient_email="carol@example.org")
    withdraw_confirmation(alice)

    reply_to(mailbox, first, "Yes, happy to.")

    hop_two.refresh_from_db()
    assert hop_two.status == "draft"  # the yes opened the gate, but nobody confirmed may send
    assert campaign.events.filter(kind="autopilot_waiting").exists()


def test_a_confirmed_stranger_who_typed_alices_address_cannot_send_for_her(bob, alice):
    bob_browser = Client()
    bob_browser.force_login(bob)  # Bob is signed in and confirmed, as himself
    campaign_id = post_json(bob_browser, "/api/intake", INTAKE).json()["campaign_id"]  # …with alice's address
    assert Campaign.objects.get(pk=campaign_id).owner_id == alice.pk
    draft = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    payload = {"campaign_id": campaign_id, "email_id": draft.id, "to": "a@example.org"}

    response = post_json(bob_browser, "/api/send", payload)

    assert response.status_code == 403, response.content
    assert "alice@example.com" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not CreditTransaction.objects.filter(transaction_type="usage").exists()


def test_approve_refuses_anyone_but_the_owner_even_a_confirmed_person(alice, bob):
    first = hop(planned_campaign(alice), 1)  # in alice's account, so nothing else holds it back

    with pytest.raises(BadRequest) as refused:
        approve(first, bob)

    assert refused.value.status == 403
    first.refresh_from_db()
    assert first.status == "draft"
    assert approve(first, alice)[1] is True
