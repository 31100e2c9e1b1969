"""POST /api/campaign/<id>/fill-role and GET …/people: "I know who this is" on a step still to find."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.tests.test_network_plans import add_person
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def ravi(alice):
    return add_person(alice, "Ravi Menon", "ravi@menon.bakery", "Menon Bakery", "Baker", 0.7)


def start(client: Client, language: str = "en") -> dict:
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"} if language == "zh-hans" else {}
    campaign_id = post_json(client, "/api/intake", INTAKE, **headers).json()["campaign_id"]
    return client.get(f"/api/campaign/{campaign_id}").json()


def fill(client: Client, campaign_id: str, **data):
    return post_json(client, f"/api/campaign/{campaign_id}/fill-role", data)


@pytest.mark.parametrize(("language", "greeting"), [("en", "Hi Ravi,"), ("zh-hans", "Ravi，您好！")])
def test_picking_someone_from_the_network_readdresses_the_draft(alice_client, ravi, language, greeting):
    body = start(alice_client, language)
    node = body["selected_path"]["chain"][1]
    assert node["to_find"] is True
    old = next(e for e in body["emails"] if e["hop"] == 1)
    assert old["recipient_email"] == "" and old["body"].startswith(("Hi there,", "您好，"))

    response = fill(alice_client, body["campaign_id"], hop=1, person_id=ravi.pk)

    assert response.status_code == 200, response.content
    detail = response.json()["campaign"]
    hop1 = next(e for e in detail["emails"] if e["hop"] == 1)
    assert (hop1["recipient_email"], hop1["recipient_name"]) == ("ravi@menon.bakery", "Ravi Menon")
    assert hop1["body"].startswith(greeting + "\n\n")
    # Not edited by alice, so written again as a note to someone she knows; the target's draft
    # now says who introduced them.
    assert hop1["body"] != old["body"]
    hop2 = next(e for e in detail["emails"] if e["hop"] == 2)
    assert "Ravi Menon" in hop2["body"] and "Ravi Menon" in hop2["subject"]
    node = detail["selected_path"]["chain"][1]
    assert (node["name"], node["person_id"], node["strength"], node["to_find"]) == ("Ravi Menon", ravi.pk, 0.7, False)
    path = detail["paths"][detail["selected_path"]["index"]]
    assert path["chain"][0]["name"] == "Ravi Menon" and "Ravi Menon" in path["label"]
    # Ravi's tie to Jane is nobody's to measure, so the path still has no score, and says why.
    assert path["score"] is None
    assert any(e["kind"] == "role_filled" for e in detail["timeline"])
    assert "someone to find" not in detail["strategy"] and "还需要找到" not in detail["strategy"]
    assert "Ravi Menon" in detail["strategy"]
    # The page shows the person, no longer a step to find.
    html = alice_client.get(f"/dashboard?campaign={body['campaign_id']}").content.decode()
    assert "ravi@menon.bakery" in html
    if language == "en":
        assert "No score: one of its ties is not measured" in html


def test_typing_a_name_and_address(alice_client):
    body = start(alice_client)
    response = fill(alice_client, body["campaign_id"], hop=1, name="  Mei   Lin ", email="mei@example.org")
    assert response.status_code == 200, response.content
    hop1 = next(e for e in response.json()["campaign"]["emails"] if e["hop"] == 1)
    assert (hop1["recipient_email"], hop1["recipient_name"]) == ("mei@example.org", "Mei Lin")
    assert hop1["body"].startswith("Hi Mei,\n\n")
    assert response.json()["campaign"]["selected_path"]["chain"][1]["strength"] is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hop": 1}, "name"),
        ({"hop": 1, "name": "Mei Lin"}, "email"),
        ({"hop": 1, "name": "Mei Lin", "email": "not an address"}, "email"),
        ({"hop": 1, "name": "x" * 101, "email": "mei@example.org"}, "name"),
        ({"hop": "1", "name": "Mei Lin", "email": "mei@example.org"}, "hop"),
        ({"hop": 9, "name": "Mei Lin", "email": "mei@example.org"}, "hop"),
        ({"hop": 2, "name": "Mei Lin", "email": "mei@example.org"}, "hop"),  # the target is no role
        ({"hop": 1, "person_id": "pers_nobody"}, "person_id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(alice_client, data, field):
    body = start(alice_client)
    before = list(EmailOutreach.objects.filter(campaign_id=body["campaign_id"]).values())
    response = fill(alice_client, body["campaign_id"], **data)
    assert response.status_code == 400, response.content
    assert response.json()["success"] is False and field in response.json()["fields"]
    assert list(EmailOutreach.objects.filter(campaign_id=body["campaign_id"]).values()) == before


def test_someone_elses_person_is_not_in_my_network(alice_client, bob):
    theirs = add_person(bob, "Bob Friend", "friend@bob.example", "Sequoia Capital", "Partner", 0.9)
    body = start(alice_client)
    response = fill(alice_client, body["campaign_id"], hop=1, person_id=theirs.pk)
    assert response.status_code == 400 and "friend@bob.example" not in response.content.decode()


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_it_checks_ownership(alice_client, ravi, bob, who):
    body = start(alice_client)
    stranger = Client()
    if who == "bob":
        stranger.force_login(bob)
    for response in (
        fill(stranger, body["campaign_id"], hop=1, person_id=ravi.pk),
        stranger.get(f"/api/campaign/{body['campaign_id']}/people?q=Ravi"),
        fill(stranger, "camp_made_up", hop=1, person_id=ravi.pk),
    ):
        assert response.status_code == 404
        assert "Ravi" not in response.content.decode()
    assert EmailOutreach.objects.get(campaign_id=body["campaign_id"], hop=1).recipient_email == ""


def test_a_sent_email_is_never_changed(alice_client):
    body = start(alice_client)
    EmailOutreach.objects.filter(campaign_id=body["campaign_id"], hop=1).update(
        status=EmailOutreach.Status.SENT, recipient_email="someone@example.org", sent_at=timezone.now()
    )
    Campaign.objects.filter(id=body["campaign_id"]).update(status=Campaign.Status.IN_PROGRESS)
    sent = EmailOutreach.objects.get(campaign_id=body["campaign_id"], hop=1)
    response = fill(alice_client, body["campaign_id"], hop=1, name="Mei Lin", email="mei@example.org")
    assert response.status_code == 409
    again = EmailOutreach.objects.get(pk=sent.pk)
    assert (again.recipient_email, again.body, again.status) == (sent.recipient_email, sent.body, "sent")


def test_searching_my_network(alice_client, ravi, alice):
    add_person(alice, "Ravi Hidden", "hidden@menon.bakery", "Menon Bakery", "Partner", 0.9, hidden=True)
    body = start(alice_client)
    found = alice_client.get(f"/api/campaign/{body['campaign_id']}/people?q=menon").json()["people"]
    assert [(p["name"], p["email"], p["strength"]) for p in found] == [("Ravi Menon", "ravi@menon.bakery", 0.7)]
    assert alice_client.get(f"/api/campaign/{body['campaign_id']}/people?q=r").json()["people"] == []


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    fill_role = paths["/api/campaign/{campaign_id}/fill-role"]["post"]
    assert set(fill_role["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "hop",
        "person_id",
        "name",
        "email",
    }
    assert "/api/campaign/{campaign_id}/people" in paths


def test_an_edited_draft_keeps_its_words_and_only_changes_to_and_greeting(alice_client, ravi):
    body = start(alice_client)
    draft = EmailOutreach.objects.get(campaign_id=body["campaign_id"], hop=1)
    edited = "Hi there,\n\nMy own words, written by me for this introduction to Jane Doe."
    EmailOutreach.objects.filter(pk=draft.pk).update(body=edited, subject="My subject")
    response = fill(alice_client, body["campaign_id"], hop=1, person_id=ravi.pk)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.body == "Hi Ravi,\n\nMy own words, written by me for this introduction to Jane Doe."
    assert (draft.subject, draft.recipient_email) == ("My subject", "ravi@menon.bakery")
