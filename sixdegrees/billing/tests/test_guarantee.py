"""No reply within 48 hours of a campaign's first email: its credit comes back, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from sixdegrees.billing import tasks
from sixdegrees.billing.guarantee import refund_unanswered_campaigns
from sixdegrees.billing.ledger import charge_campaign_start, check_balances
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.billing.tests.conftest import make_campaign, make_draft
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db

SENT_AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def started(alice) -> Campaign:
    """A campaign that spent alice's credit; its first email went out at SENT_AT."""
    campaign = make_campaign(alice)
    email = make_draft(campaign)
    with time_machine.travel(SENT_AT - dt.timedelta(minutes=5), tick=False):
        charge_campaign_start(campaign, alice)
    EmailOutreach.objects.filter(pk=email.pk).update(status="sent", sent_at=SENT_AT)
    alice.refresh_from_db()
    assert alice.credits_balance == 0
    return campaign


def balance(user) -> int:
    user.refresh_from_db()
    return user.credits_balance


def run_at(when: dt.datetime) -> list[str]:
    with time_machine.travel(when, tick=False):
        return refund_unanswered_campaigns()


def test_not_refunded_at_47_hours(started, alice):
    assert run_at(SENT_AT + dt.timedelta(hours=47, minutes=59)) == []
    assert balance(alice) == 0


def test_refunded_once_at_48_hours(started, alice):
    assert run_at(SENT_AT + dt.timedelta(hours=48)) == [started.pk]
    assert run_at(SENT_AT + dt.timedelta(hours=49)) == []  # the next hourly run
    assert tasks.refund_unanswered_campaigns.call_local() == 0  # and the task itself, much later

    assert balance(alice) == 1
    refund = CreditTransaction.objects.get(transaction_type="refund")
    assert (refund.amount, refund.campaign_id, refund.external_event_id) == (1, started.pk, f"guarantee:{started.pk}")
    assert refund.created_at == SENT_AT + dt.timedelta(hours=48)
    started.refresh_from_db()
    assert started.credits_used == 0
    assert check_balances() == []


def test_the_refund_is_on_the_timeline(started):
    run_at(SENT_AT + dt.timedelta(hours=48))
    event = started.events.get(kind="credit_refunded")
    assert timeline.describe(event) == "No reply within 48 hours, so your credit was refunded."


def test_the_refund_is_in_the_payment_history(started, alice):
    run_at(SENT_AT + dt.timedelta(hours=48))
    client = Client()
    client.force_login(alice)
    history = client.get("/api/billing").json()["history"]
    refunds = [entry for entry in history if entry["status"] == "credit_refunded"]
    assert len(refunds) == 1
    assert refunds[0]["credits"] == 1 and refunds[0]["campaign_id"] == started.pk
    assert refunds[0]["description"] == "No reply within 48 hours, so your credit was refunded."


def test_a_reply_within_the_window_keeps_the_credit_spent(started, alice):
    EmailOutreach.objects.filter(campaign=started).update(status="replied", replied_at=SENT_AT + dt.timedelta(hours=47))
    assert run_at(SENT_AT + dt.timedelta(hours=48)) == []
    assert run_at(SENT_AT + dt.timedelta(days=10)) == []
    assert balance(alice) == 0


def test_a_reply_to_a_later_hop_counts_too(started, alice):
    make_draft(started, hop=2, to="target@example.org")
    EmailOutreach.objects.filter(campaign=started, hop=2).update(
        status="replied", sent_at=SENT_AT + dt.timedelta(hours=20), replied_at=SENT_AT + dt.timedelta(hours=30)
    )
    assert run_at(SENT_AT + dt.timedelta(hours=49)) == []
    assert balance(alice) == 0


def test_a_reply_after_the_refund_does_not_charge_again(started, alice):
    run_at(SENT_AT + dt.timedelta(hours=48))
    EmailOutreach.objects.filter(campaign=started).update(status="replied", replied_at=SENT_AT + dt.timedelta(hours=60))
    # The next hop is approved: the campaign already counted as started.
    assert charge_campaign_start(started, alice).reason == "already_charged"
    assert run_at(SENT_AT + dt.timedelta(hours=72)) == []
    assert balance(alice) == 1
    assert CreditTransaction.objects.filter(transaction_type="usage").count() == 1


def test_uncharged_campaigns_are_not_refunded(alice):
    campaign = make_campaign(alice)  # e.g. started on an unlimited plan, or never charged
    make_draft(campaign)
    EmailOutreach.objects.filter(campaign=campaign).update(status="sent", sent_at=SENT_AT)
    assert run_at(SENT_AT + dt.timedelta(hours=48)) == []
    assert balance(alice) == 1


def test_a_campaign_whose_email_never_went_out_waits(alice):
    campaign = make_campaign(alice)
    make_draft(campaign)
    charge_campaign_start(campaign, alice)
    assert run_at(SENT_AT + dt.timedelta(days=30)) == []
