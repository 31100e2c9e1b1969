"""The Settings tab: profile and language, connected mailbox, export, delete."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sixdegrees.accounts.models import LoginCode, User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign, CampaignStep, TimelineEvent
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach, Mailbox
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER, make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "url, method",
    [
        ("/settings/profile", "post"),
        ("/settings/mailbox/connect", "post"),
        ("/settings/mailbox/test", "post"),
        ("/settings/mailbox/disconnect", "post"),
        ("/settings/export", "get"),
        ("/settings/delete", "post"),
    ],
)
def test_settings_need_a_signed_in_person(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=")


def test_saving_the_profile_and_language(alice_client, alice):
    response = alice_client.post(
        "/settings/profile", {"name": "Alice Chen", "language": "zh-hans", "reminder_emails": "", "share_network": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard?tab=settings#settings"
    assert response.cookies["django_language"].value == "zh-hans"
    alice.refresh_from_db()
    assert (alice.name, alice.language, alice.reminder_emails, alice.share_network) == (
        "Alice Chen",
        "zh-hans",
        False,
        True,
    )
    assert "设置已保存。" in alice_client.get(response["Location"]).content.decode()


def test_a_bad_profile_shows_errors_in_place(alice_client):
    response = alice_client.post("/settings/profile", {"name": "x" * 101, "language": "fr"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_language_error"' in html and 'aria-invalid="true"' in html


def test_the_language_switch_is_remembered_for_a_signed_in_person(alice_client, alice):
    response = alice_client.post("/language", {"language": "zh-hans", "next": "/dashboard"})
    assert response.status_code == 302 and response["Location"] == "/dashboard"
    alice.refresh_from_db()
    assert alice.language == "zh-hans"
    # A new browser without the cookie gets the saved language once signed in.
    fresh = Client()
    fresh.force_login(alice)
    assert '<html lang="zh-hans">' in fresh.get("/").content.decode()


def test_connect_test_and_disconnect_a_mailbox(alice_client, alice, smtp_server):
    response = alice_client.post(
        "/settings/mailbox/connect",
        {
            "address": SMTP_USER,
            "password": SMTP_PASSWORD,
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_security": "starttls",
            "imap_host": "",
            "imap_port": 993,
            "username": "",
        },
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(owner=alice)
    assert mailbox.password_encrypted and SMTP_PASSWORD not in mailbox.password_encrypted
    assert mailbox.password() == SMTP_PASSWORD
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_cafile=smtp_server.cafile)  # the test server's own CA

    alice_client.post("/settings/mailbox/test")
    html = alice_client.get("/dashboard?tab=settings").content.decode()
    assert "Connection test passed." in html and SMTP_USER in html

    alice_client.post("/settings/mailbox/disconnect")
    assert not Mailbox.objects.filter(owner=alice).exists()
    assert "Mailbox disconnected" in alice_client.get("/dashboard?tab=settings").content.decode()


def test_a_failing_mailbox_test_is_reported(alice_client, alice, smtp_server):
    make_mailbox(alice, smtp_server)
    smtp_server.credentials[SMTP_USER] = "another password"
    alice_client.post("/settings/mailbox/test")
    assert "Connection test failed." in alice_client.get("/dashboard?tab=settings").content.decode()


def test_without_a_mailbox_the_section_says_it_is_not_configured(alice_client):
    html = alice_client.get("/dashboard?tab=settings").content.decode()
    assert "Not configured: no mailbox is connected" in html and "Connect a mailbox" in html


def test_export_is_a_json_file_of_everything(alice_client, alice, smtp_server):
    campaign_id = post_json(alice_client, "/api/intake", INTAKE).json()["campaign_id"]
    make_mailbox(alice, smtp_server)
    response = alice_client.get("/settings/export")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="sixdegrees-export-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.com"
    assert [c["campaign_id"] for c in data["campaigns"]] == [campaign_id]
    assert data["campaigns"][0]["emails"] and data["campaigns"][0]["work_log"]
    assert data["ledger"] and all("amount" in row for row in data["ledger"])
    assert data["mailboxes"][0]["address"] == SMTP_USER
    assert SMTP_PASSWORD not in response.content.decode()


def test_deleting_the_account_keeps_only_the_anonymised_ledger(alice_client, alice, smtp_server):
    campaign_id = post_json(alice_client, "/api/intake", INTAKE).json()["campaign_id"]
    make_mailbox(alice, smtp_server)
    LoginCode.objects.create(user=alice, code_hash="x", expires_at=alice.created_at)
    CreditTransaction.objects.create(user=alice, amount=-1, transaction_type="usage", campaign_id=campaign_id)
    ledger_rows = CreditTransaction.objects.filter(user=alice).count()

    refused = alice_client.post("/settings/delete", {"confirm": "bob@example.com"})
    assert refused.status_code == 400 and Campaign.objects.filter(id=campaign_id).exists()

    response = alice_client.post("/settings/delete", {"confirm": "ALICE@example.com"})
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(pk=alice.pk)
    assert user.email == f"deleted-{alice.pk}@invalid" and user.name == "" and not user.is_active
    assert not user.has_usable_password() and not user.email_verified
    assert not Campaign.objects.filter(id=campaign_id).exists()
    for model in (EmailOutreach, CampaignStep, TimelineEvent):
        assert not model.objects.filter(campaign_id=campaign_id).exists(), model
    assert not LoginCode.objects.filter(user=alice).exists()
    assert not Mailbox.objects.filter(owner=alice).exists()
    assert CreditTransaction.objects.filter(user=alice).count() == ledger_rows
    assert "_auth_user_id" not in alice_client.session
    assert "Your account and your campaigns are deleted." in alice_client.get("/").content.decode()
    # The old address can start again from scratch.
    again = post_json(Client(), "/api/intake", INTAKE)
    assert again.status_code == 200
