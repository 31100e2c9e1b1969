"""Editing drafts and approving emails (POST /api/send, PATCH /api/email/<id>)."""

from __future__ import annotations

import pytest

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach, Suppression

pytestmark = pytest.mark.django_db(transaction=True)


def patch_json(client, url, data):
    import json

    return client.generic("PATCH", url, json.dumps(data, ensure_ascii=False), content_type="application/json")


@pytest.fixture
def draft(signed_in) -> EmailOutreach:
    campaign_id = post_json(signed_in, "/api/intake", INTAKE).json()["campaign_id"]
    return EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()


def test_send_queues_once_and_starts_the_campaign(signed_in, draft):
    payload = {"campaign_id": draft.campaign_id, "email_id": draft.id, "to": "Intro@Example.org"}
    first = post_json(signed_in, "/api/send", payload)
    assert first.status_code == 200, first.content
    assert first.json() == {"success": True, "email_id": draft.id, "status": "queued", "message": "Queued for sending."}
    second = post_json(signed_in, "/api/send", payload)
    assert second.status_code == 200 and second.json()["status"] == "queued"
    assert second.json()["message"] == "This email was already approved."
    draft.refresh_from_db()
    assert draft.status == "queued" and draft.recipient_email == "intro@example.org" and draft.queued_at
    assert Campaign.objects.get(id=draft.campaign_id).status == "in_progress"
    kinds = list(draft.campaign.events.values_list("kind", flat=True))
    assert kinds.count("email_queued") == 1


def test_an_unverified_sender_is_refused_with_what_to_do(draft, client):
    campaign_id = post_json(client, "/api/intake", {**INTAKE, "user_email": "new@example.com"}).json()["campaign_id"]
    email = EmailOutreach.objects.filter(campaign_id=campaign_id).first()
    response = post_json(client, "/api/send", {"campaign_id": campaign_id, "email_id": email.id, "to": "a@example.org"})
    assert response.status_code == 403
    assert "sign-in code" in response.json()["error"]
    email.refresh_from_db()
    assert email.status == "draft"


def test_a_suppressed_recipient_is_refused(signed_in, draft):
    Suppression.objects.create(email="stop@example.org", reason="asked_to_stop")
    response = post_json(
        signed_in, "/api/send", {"campaign_id": draft.campaign_id, "email_id": draft.id, "to": "STOP@example.org"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_new_email_without_a_draft_needs_to_subject_and_body(signed_in, draft):
    response = post_json(signed_in, "/api/send", {"campaign_id": draft.campaign_id, "to": "x@example.org"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"subject", "body"}
    ok = post_json(
        signed_in,
        "/api/send",
        {
            "campaign_id": draft.campaign_id,
            "to": "x@example.org",
            "subject": "你好",
            "body": "正文",
            "recipient_name": "王小明",
        },
    )
    assert ok.status_code == 200
    assert EmailOutreach.objects.get(id=ok.json()["email_id"]).status == "queued"


def test_send_validates_its_input(signed_in, draft):
    assert post_json(signed_in, "/api/send", {}).status_code == 400
    assert (
        post_json(
            signed_in, "/api/send", {"campaign_id": draft.campaign_id, "email_id": draft.id, "to": "nope"}
        ).status_code
        == 400
    )
    assert post_json(signed_in, "/api/send", {"campaign_id": draft.campaign_id, "email_id": 5}).status_code == 400
    response = signed_in.generic("POST", "/api/send", "campaign_id=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_patch_edits_a_draft_only(signed_in, draft):
    response = patch_json(
        signed_in, f"/api/email/{draft.id}", {"subject": "  New subject ", "body": "New body\r\nline 2"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.subject, draft.body) == ("New subject", "New body\nline 2")
    assert patch_json(signed_in, f"/api/email/{draft.id}", {"subject": "two\nlines"}).status_code == 400
    assert patch_json(signed_in, f"/api/email/{draft.id}", {"status": "sent"}).status_code == 400
    post_json(signed_in, "/api/send", {"campaign_id": draft.campaign_id, "email_id": draft.id, "to": "a@example.org"})
    response = patch_json(signed_in, f"/api/email/{draft.id}", {"subject": "Too late"})
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.subject == "New subject"
