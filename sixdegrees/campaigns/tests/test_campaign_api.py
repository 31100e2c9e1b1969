"""Reading and steering campaigns: ownership first, then the contract's shape."""

from __future__ import annotations

import pytest
from django.test import Client

from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db(transaction=True)


def start(client: Client, **changes) -> str:
    response = post_json(client, "/api/intake", {**INTAKE, **changes})
    assert response.status_code == 200, response.content
    return response.json()["campaign_id"]


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def alice_campaign(alice_client) -> str:
    return start(alice_client)


def endpoints(campaign_id: str, email_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/api/campaign/{campaign_id}", None),
        ("POST", f"/api/campaign/{campaign_id}/select-path", {"path_index": 1}),
        ("POST", f"/api/campaign/{campaign_id}/regenerate", {}),
        ("PATCH", f"/api/email/{email_id}", {"subject": "Hijacked"}),
        ("POST", "/api/send", {"campaign_id": campaign_id, "email_id": email_id}),
    ]


def call(client: Client, method: str, url: str, data: dict | None):
    import json

    if data is None:
        return client.generic(method, url)
    return client.generic(method, url, json.dumps(data), content_type="application/json")


def test_alice_sees_her_campaign(alice_client, alice_campaign):
    body = alice_client.get(f"/api/campaign/{alice_campaign}").json()
    assert body["campaign_id"] == alice_campaign
    assert body["user_email"] == "alice@example.com"
    assert body["status"] == "ready"


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_it_checks_ownership(who, alice_campaign, bob):
    email = EmailOutreach.objects.filter(campaign_id=alice_campaign).first()
    before = (email.subject, email.status)
    stranger = Client()
    if who == "bob":
        stranger.force_login(bob)
    for method, url, data in endpoints(alice_campaign, email.id):
        response = call(stranger, method, url, data)
        assert response.status_code == 404, (method, url, response.content)
        assert response.json() == {"success": False, "error": "Not found.", "fields": {}}
    email.refresh_from_db()
    assert (email.subject, email.status) == before
    assert Campaign.objects.get(id=alice_campaign).status == "ready"


def test_made_up_ids_get_the_same_404(alice_client):
    for method, url, data in endpoints("camp_doesnotexist", "email_doesnotexist"):
        response = call(alice_client, method, url, data)
        assert response.status_code == 404
        assert response.json()["error"] == "Not found."


def test_mallory_typing_alices_email_sees_only_her_own_campaign(alice_campaign):
    mallory = Client()
    mallory_campaign = start(mallory, target_name="Someone Else")
    assert mallory.get(f"/api/campaign/{alice_campaign}").status_code == 404
    listed = [c["campaign_id"] for c in mallory.get("/api/campaigns").json()["campaigns"]]
    assert listed == [mallory_campaign]
    # ...and cannot send from alice's address, which she has not proven she owns.
    email = EmailOutreach.objects.filter(campaign_id=mallory_campaign).first()
    post_json(mallory, f"/api/email/{email.id}", {})
    response = post_json(
        mallory, "/api/send", {"campaign_id": mallory_campaign, "email_id": email.id, "to": "x@example.org"}
    )
    assert response.status_code == 403
    assert EmailOutreach.objects.filter(status="queued").count() == 0


def test_the_list_is_newest_first_and_paginated(alice_client):
    ids = [start(alice_client, target_name=f"Person {n}") for n in range(5)]
    first = alice_client.get("/api/campaigns?per_page=2").json()
    assert first["total"] == 5 and first["pages"] == 3
    assert [c["campaign_id"] for c in first["campaigns"]] == ids[::-1][:2]
    third = alice_client.get("/api/campaigns?per_page=2&page=3").json()
    assert [c["campaign_id"] for c in third["campaigns"]] == ids[:1]


def test_list_queries_do_not_grow_with_campaigns(alice_client, django_assert_max_num_queries):
    names = ["Ada Lovelace", "Grace Hopper", "Mary Major", "John Roe", "Richard Miles", "Katherine Johnson"]
    ids = [start(alice_client, target_name=name) for name in names]
    with django_assert_max_num_queries(6):
        response = alice_client.get("/api/campaigns")
    # Few queries, and still the whole list: every campaign, newest first, with what the list shows.
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 6 and body["pages"] == 1
    listed = body["campaigns"]
    assert [c["campaign_id"] for c in listed] == ids[::-1]
    assert [c["target_name"] for c in listed] == names[::-1]
    assert {c["target_company"] for c in listed} == {INTAKE["target_company"]}
    assert {(c["status"], c["status_label"]) for c in listed} == {("ready", "Ready to launch")}


def test_bad_page_parameter_is_400_not_500(alice_client):
    response = alice_client.get("/api/campaigns?page=abc")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_detail_follows_the_contract(alice_client, alice_campaign):
    body = alice_client.get(f"/api/campaign/{alice_campaign}").json()
    for key in (
        "campaign_id",
        "target_name",
        "target_company",
        "user_name",
        "user_email",
        "status",
        "strategy",
        "paths",
        "selected_path",
        "emails",
        "timeline",
        "created_at",
        "last_updated_at",
    ):
        assert key in body, key
    assert isinstance(body["created_at"], int) and body["created_at_iso"].endswith("Z")
    chain = body["selected_path"]["chain"]
    assert chain[0]["status"] == "you"
    assert chain[-1]["name"] == INTAKE["target_name"]
    assert {n["status"] for n in chain[1:]} == {"draft"}
    email = body["emails"][0]
    for key in (
        "email_id",
        "recipient_email",
        "recipient_name",
        "subject",
        "body",
        "status",
        "sent_at",
        "error_message",
        "reply",
    ):
        assert key in email
    assert [e["kind"] for e in body["timeline"]][:1] == ["created"]
    assert "plan_ready" in [e["kind"] for e in body["timeline"]]


def test_select_path_redrafts_for_the_chosen_path(alice_client, alice_campaign):
    before = alice_client.get(f"/api/campaign/{alice_campaign}").json()
    other = 1 if before["selected_path"]["index"] == 0 else 0
    response = post_json(alice_client, f"/api/campaign/{alice_campaign}/select-path", {"path_index": other})
    assert response.status_code == 200, response.content
    after = response.json()["campaign"]
    assert after["selected_path"]["index"] == other
    assert len(after["emails"]) == len(before["paths"][other]["chain"])
    assert post_json(alice_client, f"/api/campaign/{alice_campaign}/select-path", {"path_index": 99}).status_code == 400
    assert (
        post_json(alice_client, f"/api/campaign/{alice_campaign}/select-path", {"path_index": "1"}).status_code == 400
    )


def test_regenerate_makes_a_new_plan(alice_client, alice_campaign):
    response = post_json(alice_client, f"/api/campaign/{alice_campaign}/regenerate", {})
    assert response.status_code == 200
    body = alice_client.get(f"/api/campaign/{alice_campaign}").json()
    assert body["status"] == "ready"
    assert [e["kind"] for e in body["timeline"]].count("plan_ready") == 2


def test_nothing_changes_after_the_first_send(alice_client, alice_campaign):
    email = EmailOutreach.objects.filter(campaign_id=alice_campaign).order_by("hop").first()
    assert (
        post_json(
            alice_client, "/api/send", {"campaign_id": alice_campaign, "email_id": email.id, "to": "intro@example.org"}
        ).status_code
        == 200
    )
    assert post_json(alice_client, f"/api/campaign/{alice_campaign}/regenerate", {}).status_code == 409
    assert post_json(alice_client, f"/api/campaign/{alice_campaign}/select-path", {"path_index": 1}).status_code == 409


def test_signing_in_shows_every_campaign_of_that_person(alice_campaign, alice):
    elsewhere = Client()
    elsewhere.force_login(User.objects.get(email="alice@example.com"))
    assert elsewhere.get(f"/api/campaign/{alice_campaign}").status_code == 200
