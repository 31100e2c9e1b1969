"""Starting a campaign (its first approved send) spends one credit, once; no credit, no send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sixdegrees.billing.ledger import NoCredits, charge_campaign_start, check_balances
from sixdegrees.billing.models import CreditTransaction, Subscription
from sixdegrees.billing.tests.conftest import make_campaign, make_draft, set_balance
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import post_json
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def send(client, email):
    return post_json(client, "/api/send", {"campaign_id": email.campaign_id, "email_id": email.id})


def test_the_first_approved_send_uses_one_credit(signed_in, alice):
    email = make_draft(make_campaign(alice))

    response = send(signed_in, email)

    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert alice.credits_balance == 0
    usage = CreditTransaction.objects.get(transaction_type="usage")
    assert (usage.amount, usage.campaign_id, usage.external_event_id) == (
        -1,
        email.campaign_id,
        f"usage:{email.campaign_id}",
    )
    assert usage.actor == f"user:{alice.pk}" and usage.reason
    campaign = Campaign.objects.get(pk=email.campaign_id)
    assert campaign.credits_used == 1 and campaign.status == "in_progress"
    assert "credit_used" in campaign.events.values_list("kind", flat=True)


def test_a_second_email_in_the_same_campaign_is_not_charged_again(signed_in, alice):
    campaign = make_campaign(alice)
    first, second = make_draft(campaign, hop=1), make_draft(campaign, hop=2, to="target@example.org")
    assert send(signed_in, first).status_code == 200
    assert send(signed_in, second).status_code == 200  # balance is 0 now, and that is fine

    alice.refresh_from_db()
    assert alice.credits_balance == 0
    assert CreditTransaction.objects.filter(transaction_type="usage").count() == 1
    assert EmailOutreach.objects.filter(status="queued").count() == 2


def test_without_credits_nothing_is_queued_and_the_way_to_upgrade_is_given(signed_in, alice):
    set_balance(alice, 0)
    email = make_draft(make_campaign(alice))

    response = send(signed_in, email)

    assert response.status_code == 402
    assert response.json() == {
        "success": False,
        "error": "You have no credits left. Choose a plan on the Credits tab to continue.",
        "fields": {},
        "upgrade_url": "/dashboard?tab=credits",
    }
    email.refresh_from_db()
    assert email.status == "draft"  # nothing lost
    campaign = Campaign.objects.get(pk=email.campaign_id)
    assert campaign.status == "ready" and campaign.credits_used == 0
    assert not campaign.events.exists()
    assert not CreditTransaction.objects.filter(transaction_type="usage").exists()
    # Once a credit arrives, the same draft goes.
    set_balance(alice, 1)
    assert send(signed_in, email).status_code == 200


def test_approve_raises_no_credits_and_rolls_back(alice):
    set_balance(alice, 0)
    email = make_draft(make_campaign(alice))
    with pytest.raises(NoCredits) as refused:
        approve(email, alice)
    assert refused.value.status == 402
    email.refresh_from_db()
    assert email.status == "draft" and email.queued_at is None


def test_an_active_pro_plan_starts_campaigns_without_credits(alice):
    set_balance(alice, 0)
    Subscription.objects.create(
        stripe_subscription_id="sub_pro", user=alice, plan="pro", active_until=timezone.now() + dt.timedelta(days=3)
    )
    campaign = make_campaign(alice)

    assert charge_campaign_start(campaign, alice).reason == "unlimited"
    assert charge_campaign_start(campaign, alice).reason == "already_charged"

    alice.refresh_from_db()
    assert alice.credits_balance == 0
    assert CreditTransaction.objects.get(transaction_type="usage").amount == 0
    assert check_balances() == []


def test_a_lapsed_pro_plan_needs_a_credit_again(alice):
    set_balance(alice, 0)
    Subscription.objects.create(
        stripe_subscription_id="sub_pro", user=alice, plan="pro", active_until=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(NoCredits):
        charge_campaign_start(make_campaign(alice), alice)


def test_campaigns_imported_as_already_paid_are_not_charged(alice):
    campaign = make_campaign(alice)
    Campaign.objects.filter(pk=campaign.pk).update(credits_used=1)
    assert charge_campaign_start(campaign, alice).reason == "already_charged"
    alice.refresh_from_db()
    assert alice.credits_balance == 1
