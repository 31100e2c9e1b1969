"""Every place that takes an email address refuses those the mailer cannot send to.

`"quoted"@example.org`, `x@localhost` and `user@[192.0.2.1]` pass Django's validate_email, and
SMTP relays refuse them; each entry point gives the same clear field error as a typo would.
(The intake has its own test in campaigns/tests/test_intake.py.)
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.tests.test_intake import UNSENDABLE
from sixdegrees.outreach.models import EmailOutreach, Mailbox

pytestmark = pytest.mark.django_db

MESSAGE = "Please enter a valid email address, like name@example.com."


@pytest.fixture
def draft(alice) -> EmailOutreach:
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe", status="ready")
    return EmailOutreach.objects.create(
        campaign=campaign, hop=1, recipient_email="bob@example.com", subject="Hello", body="Hi Bob"
    )


def send_json(client: Client, method: str, url: str, data: dict):
    return client.generic(method, url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("email", UNSENDABLE)
@pytest.mark.parametrize("url", ["/api/auth/request-code", "/api/auth/verify"])
def test_sign_in_refuses_it(client, url, email):
    response = send_json(client, "POST", url, {"email": email, "code": "123456"})

    assert response.status_code == 400
    assert response.json()["fields"]["email"] == MESSAGE


@pytest.mark.parametrize("email", UNSENDABLE)
def test_the_sign_in_page_refuses_it(client, email):
    response = client.post("/signin", {"step": "request", "email": email})

    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("email", UNSENDABLE)
def test_sending_to_it_is_refused(signed_in, draft, email):
    response = send_json(
        signed_in, "POST", "/api/send", {"campaign_id": draft.campaign_id, "email_id": draft.id, "to": email}
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"recipient_email": MESSAGE}
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.recipient_email == "bob@example.com"


@pytest.mark.parametrize("email", UNSENDABLE)
def test_editing_a_draft_to_it_is_refused(signed_in, draft, email):
    response = send_json(signed_in, "PATCH", f"/api/email/{draft.id}", {"recipient_email": email})

    assert response.status_code == 400
    assert response.json()["fields"] == {"recipient_email": MESSAGE}


@pytest.mark.parametrize("email", UNSENDABLE)
def test_connecting_a_mailbox_with_it_is_refused(signed_in, alice, email):
    response = signed_in.post(
        "/settings/mailbox/connect",
        {
            "address": email,
            "password": "app-password",
            "smtp_host": "smtp.example.org",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "imap_port": 993,
        },
    )

    assert not Mailbox.objects.filter(owner=alice).exists()
    assert MESSAGE in response.content.decode()
