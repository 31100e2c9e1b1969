"""The dashboard page: who sees what, and what each state of a campaign shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def campaign_id(alice_client) -> str:
    return post_json(alice_client, "/api/intake", INTAKE).json()["campaign_id"]


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_it_checks_ownership(who, campaign_id, bob):
    stranger = Client()
    if who == "bob":
        stranger.force_login(bob)
    for url in (f"/dashboard?campaign={campaign_id}", f"/dashboard/live?campaign={campaign_id}"):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert "Jane Doe" not in response.content.decode()
    assert campaign_id not in stranger.get("/dashboard").content.decode()


def test_a_made_up_campaign_gets_a_friendly_page(alice_client):
    response = alice_client.get("/dashboard?campaign=camp_nope")
    assert response.status_code == 404
    assert "We could not find that campaign" in response.content.decode()


def test_the_list_shows_my_campaigns(alice_client, campaign_id):
    html = alice_client.get("/dashboard").content.decode()
    assert f'href="/dashboard?campaign={campaign_id}"' in html and "Ready to launch" in html


def test_a_ready_campaign_shows_plan_chain_paths_and_drafts(alice_client, campaign_id):
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    for text in (
        "Ready to launch",
        "Strategy",
        "Your path",
        "Ranked paths",
        "Why this path",
        "Use this path",
        "The email for each step",
        "Send as-is",
        "happening now",
        "AI work log",
        "Next: approve the email to",
    ):
        assert text in html, text
    assert html.count('class="chain chain--h"') == 1 and html.count('class="chain chain--v"') == 1
    assert 'data-poll="30"' in html and f'data-api-url="/api/campaign/{campaign_id}"' in html
    assert 'id="campaign-data" type="application/json"' in html
    assert "Confirm it is you to send emails" not in html  # alice is signed in


def test_a_campaign_being_planned_polls_fast_and_shows_progress(alice_client, campaign_id):
    Campaign.objects.filter(id=campaign_id).update(status=Campaign.Status.PROCESSING)
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert 'data-poll="2"' in html and "Making your plan" in html
    assert "Still analyzing connections… usually takes a minute." in html


def test_a_failed_plan_says_what_to_do(alice_client, campaign_id):
    Campaign.objects.filter(id=campaign_id).update(status=Campaign.Status.FAILED, error_message="")
    EmailOutreach.objects.filter(campaign_id=campaign_id).delete()
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert "Needs attention" in html and "Make a new plan" in html and "database" not in html.lower()


def test_a_sent_email_shows_the_48_hour_window(alice_client, campaign_id):
    first = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    EmailOutreach.objects.filter(pk=first.pk).update(
        status="sent", recipient_email="a@example.org", sent_at=timezone.now() - dt.timedelta(hours=5, minutes=3)
    )
    Campaign.objects.filter(id=campaign_id).update(status=Campaign.Status.IN_PROGRESS)
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert f"Waiting for {first.recipient_name} to reply" in html
    assert "5 h 3 min of 48 hours" in html and 'max="2880" value="303"' in html
    assert "chain__node--sent" in html


def test_the_creator_who_has_not_signed_in_is_asked_for_the_code(client):
    campaign_id = post_json(client, "/api/intake", {**INTAKE, "user_email": "new@example.com"}).json()["campaign_id"]
    html = client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert "Confirm it is you to send emails" in html and "new@example.com" in html
    assert 'name="step" value="verify"' in html


def test_connections_lists_every_email_with_its_filters(alice_client, campaign_id):
    first = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    EmailOutreach.objects.filter(pk=first.pk).update(
        status="replied",
        sent_at=timezone.now(),
        replied_at=timezone.now(),
        reply_text="Happy to help — introducing you now.",
        reply_intent="intro",
    )
    html = alice_client.get(f"/dashboard?campaign={campaign_id}&tab=connections").content.decode()
    assert html.count('class="connection"') == EmailOutreach.objects.filter(campaign_id=campaign_id).count()
    for label in ("All", "Sent", "Replied", "No reply", "Their reply", "Made the introduction", "Follow-up"):
        assert label in html, label
    assert "Happy to help — introducing you now." in html
    assert 'id="panel-connections" role="tabpanel" aria-labelledby="tab-connections" tabindex="0">' in html


def test_tabs_are_aria_tabs_and_links_without_javascript(alice_client, campaign_id):
    html = alice_client.get(f"/dashboard?campaign={campaign_id}&tab=credits").content.decode()
    assert 'role="tablist"' in html and html.count('role="tab"') == 4 and html.count('role="tabpanel"') == 4
    assert 'id="tab-credits" href="/dashboard?campaign=' in html
    assert 'aria-controls="panel-credits" aria-selected="true" tabindex="0"' in html
    assert 'id="panel-campaign" role="tabpanel" aria-labelledby="tab-campaign" tabindex="0" hidden' in html


def test_credits_and_settings_need_a_signed_in_person(client):
    html = client.get("/dashboard?tab=credits").content.decode()
    assert "Sign in to see your credits" in html and "Sign in to change your settings" in html


def test_credits_show_balance_plans_and_history(alice_client, alice):
    from sixdegrees.billing import ledger

    ledger.grant(alice, 3, reason="Thanks for testing", actor="operator")
    html = alice_client.get("/dashboard?tab=credits").content.decode()
    alice.refresh_from_db()
    assert "Credits available" in html and f"data-balance>{alice.credits_balance}<" in html
    assert "Starter" in html and "Pro" in html and "Payment history" in html
    assert "+3" in html


def test_the_live_panels_are_the_same_markup(alice_client, campaign_id):
    live = alice_client.get(f"/dashboard/live?campaign={campaign_id}")
    html = live.content.decode()
    assert live["Cache-Control"] == "no-store"
    assert html.count('data-live="campaign"') == 1 and html.count('data-live="connections"') == 1
    assert "<html" not in html


def test_the_dashboard_needs_few_queries(alice_client, campaign_id, django_assert_max_num_queries):
    drafts = list(EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop"))
    with django_assert_max_num_queries(40):
        response = alice_client.get(f"/dashboard?campaign={campaign_id}")
    # Few queries, and still the whole page: the campaign, its chain and every draft.
    assert response.status_code == 200
    html = response.content.decode()
    assert INTAKE["target_name"] in html and "Ready to launch" in html and "Your path" in html
    assert html.count('class="chain chain--h"') == 1
    assert "The email for each step" in html and len(drafts) >= 2
    for draft in drafts:
        assert draft.recipient_name in html, draft.recipient_name
        assert escape(draft.subject) in html, draft.subject
    assert f'data-campaign="{campaign_id}"' in html and 'data-status="ready"' in html
