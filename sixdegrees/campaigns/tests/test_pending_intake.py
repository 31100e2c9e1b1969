"""An intake with someone's address proves nothing: the campaign waits for that browser to sign in.

alice is signed in on her own browser; a stranger's browser types alice@example.com into the
intake. Until the stranger's browser proves the address with the emailed code, the campaign is not
in alice's account (she does not see it) and nothing can be sent from it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_browser(alice) -> Client:
    browser = Client()
    browser.force_login(alice)
    return browser


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def first_draft(campaign_id: str) -> EmailOutreach:
    return EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()


def test_an_anonymous_intake_is_not_in_alices_account_and_cannot_be_sent(alice_browser, alice, mailoutbox):
    stranger = Client()
    body = post_json(stranger, "/api/intake", INTAKE).json()
    campaign_id = body["campaign_id"]
    email = first_draft(campaign_id)

    # alice's signed-in browser: not visible anywhere, not approvable.
    assert alice_browser.get(f"/api/campaign/{campaign_id}").status_code == 404
    assert campaign_id not in {c["campaign_id"] for c in alice_browser.get("/api/campaigns").json()["campaigns"]}
    assert "Jane Doe" not in alice_browser.get("/dashboard").content.decode()
    payload = {"campaign_id": campaign_id, "email_id": email.id, "to": "intro@example.org"}
    assert post_json(alice_browser, "/api/send", payload).status_code == 404
    with pytest.raises(BadRequest) as refused:
        approve(email, alice)  # even asked directly, as the auto-pilot would
    assert refused.value.status == 403

    # The stranger's browser follows its own campaign, is told to confirm, and cannot send either.
    detail = stranger.get(f"/api/campaign/{campaign_id}").json()
    assert detail["status"] == "ready" and detail["sender_verified"] is False
    assert "We sent a sign-in code to alice@example.com" in body["message"]
    page = stranger.get(body["dashboard_url"]).content.decode()
    assert "Confirm it is you to send emails" in page
    assert "this campaign is kept in this browser only and nothing is sent" in page
    refused_send = post_json(stranger, "/api/send", payload)
    assert refused_send.status_code == 403 and "sign-in code" in refused_send.json()["error"]

    email.refresh_from_db()
    assert email.status == "draft"
    assert Campaign.objects.get(id=campaign_id).owner_confirmed is False
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]  # the code goes to alice, not the browser


def test_after_the_anonymous_browser_signs_in_as_alice_it_is_in_her_account(alice_browser, mailoutbox):
    browser = Client()
    campaign_id = post_json(browser, "/api/intake", INTAKE).json()["campaign_id"]
    assert alice_browser.get(f"/api/campaign/{campaign_id}").status_code == 404

    signed_in = post_json(browser, "/api/auth/verify", {"email": "alice@example.com", "code": code_in(mailoutbox[-1])})

    assert signed_in.status_code == 200
    assert alice_browser.get(f"/api/campaign/{campaign_id}").status_code == 200
    assert browser.get(f"/api/campaign/{campaign_id}").json()["sender_verified"] is True
    email = first_draft(campaign_id)
    sent = post_json(
        browser, "/api/send", {"campaign_id": campaign_id, "email_id": email.id, "to": "intro@example.org"}
    )
    assert sent.status_code == 200 and sent.json()["status"] == "queued"


def test_the_page_flow_confirms_on_the_dashboard_and_returns_to_the_campaign(alice_browser, mailoutbox):
    browser = Client()
    opened = browser.post("/intake", INTAKE)
    assert opened.status_code == 302
    campaign_url = opened["Location"]
    campaign_id = campaign_url.split("campaign=")[1]
    assert "this campaign is kept in this browser only" in browser.get(campaign_url).content.decode()

    confirmed = browser.post(
        "/signin",
        {"step": "verify", "email": "alice@example.com", "code": code_in(mailoutbox[-1]), "next": campaign_url},
    )

    assert confirmed.status_code == 302 and confirmed["Location"] == campaign_url
    page = browser.get(campaign_url).content.decode()
    assert "Confirm it is you to send emails" not in page
    assert "Jane Doe" in alice_browser.get("/dashboard").content.decode()
    assert alice_browser.get(f"/api/campaign/{campaign_id}").status_code == 200


def test_a_browser_signed_in_as_bob_keeps_its_campaign_for_alice_when_it_signs_in_as_alice(bob, mailoutbox):
    browser = Client()
    browser.force_login(bob)
    campaign_id = post_json(browser, "/api/intake", INTAKE).json()["campaign_id"]
    assert Campaign.objects.get(id=campaign_id).owner_confirmed is False

    # Signing in as another person empties the session; the campaign it made must still be claimed.
    post_json(browser, "/api/auth/verify", {"email": "alice@example.com", "code": code_in(mailoutbox[-1])})

    assert Campaign.objects.get(id=campaign_id).owner_confirmed is True
    assert browser.get(f"/api/campaign/{campaign_id}").status_code == 200


def test_signing_in_as_alice_elsewhere_does_not_claim_a_strangers_campaign(alice, mailoutbox):
    stranger = Client()
    campaign_id = post_json(stranger, "/api/intake", INTAKE).json()["campaign_id"]

    alice_phone = Client()
    post_json(alice_phone, "/api/auth/request-code", {"email": "alice@example.com"})
    post_json(alice_phone, "/api/auth/verify", {"email": "alice@example.com", "code": code_in(mailoutbox[-1])})

    assert alice_phone.get("/api/me").json()["authenticated"] is True
    assert alice_phone.get(f"/api/campaign/{campaign_id}").status_code == 404
    assert Campaign.objects.get(id=campaign_id).owner_confirmed is False


def test_alices_own_signed_in_intake_is_hers_at_once_and_sends_no_code(alice_browser, mailoutbox):
    campaign_id = post_json(alice_browser, "/api/intake", {**INTAKE, "user_email": "Alice@Example.com"}).json()[
        "campaign_id"
    ]

    assert Campaign.objects.get(id=campaign_id).owner_confirmed is True
    assert mailoutbox == []
    assert Client().get(f"/api/campaign/{campaign_id}").status_code == 404
