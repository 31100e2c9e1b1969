"""Plans grounded in the person's network, end to end through the intake API and the dashboard.

alice owns a small network (a colleague at Sequoia, someone who used to work there, a friend at
another firm); bob is a stranger. Only a browser signed in as alice may see her network in a plan.
"""

from __future__ import annotations

import math

import pytest
from django.test import Client

from sixdegrees.accounts.access import claim_pending_campaigns
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.network.candidates import best_candidates
from sixdegrees.network.models import Person, PersonEmail, PersonSource, SourceKind
from sixdegrees.network.organisations import organisation_key
from sixdegrees.strategy.grounding import COLLEAGUE_PRIOR
from sixdegrees.strategy.tests.fake_anthropic import FakeAnthropic, intake_of, tool_reply, valid_input

pytestmark = pytest.mark.django_db(transaction=True)

PRIYA = ("Priya Raman", "priya.raman@sequoiacap.com", "Sequoia Capital", "Principal", 0.8)
TOM = ("Tom Okafor", "tom@okafor.vc", "Index Ventures", "Partner", 0.5)
HIDDEN = ("Hana Secret", "hana@sequoiacap.com", "Sequoia Capital", "Partner", 0.9)
NETWORK_WORDS = ("Priya", "priya.raman@sequoiacap.com", "Tom Okafor", "tom@okafor.vc", "Hana", "hana@sequoiacap.com")


def add_person(
    owner, name, email, org, title, strength, *, hidden=False, evidence="14 emails, both ways, last on 1 Nov 2026"
):
    first, _, last = name.partition(" ")
    person = Person.objects.create(
        owner=owner,
        name=name,
        given_name=first,
        family_name=last,
        organisation=org,
        organisation_key=organisation_key(org),
        title=title,
        strength=strength,
        measured_strength=strength,
        strength_evidence=evidence,
        hidden=hidden,
    )
    PersonEmail.objects.create(person=person, owner=owner, address=email, key=email.lower())
    PersonSource.objects.create(person=person, owner=owner, kind=SourceKind.MAILBOX, fingerprint=person.pk)
    return person


@pytest.fixture
def network(alice):
    return {
        "priya": add_person(alice, *PRIYA),
        "tom": add_person(alice, *TOM),
        "hana": add_person(alice, *HIDDEN, hidden=True),
    }


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def run_intake(client: Client, language: str = "en", **changes) -> dict:
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"} if language == "zh-hans" else {}
    response = post_json(client, "/api/intake", {**INTAKE, **changes}, **headers)
    assert response.status_code == 200, response.content
    body = client.get(f"/api/campaign/{response.json()['campaign_id']}").json()
    assert body["status"] == "ready", body
    return body


def test_best_candidates_find_colleagues_first_and_never_the_hidden(alice, network):
    found = best_candidates(alice, "Jane Doe", "Partner at Sequoia Capital", INTAKE["target_reason"])
    assert [(c.name, c.relation) for c in found[:2]] == [("Priya Raman", "at_org"), ("Tom Okafor", "field")]
    assert all(c.name != "Hana Secret" for c in found)
    priya = found[0]
    assert (priya.email, priya.strength, priya.evidence) == (PRIYA[1], 0.8, "14 emails, both ways, last on 1 Nov 2026")


def test_best_candidates_use_a_fixed_number_of_queries(alice, network, django_assert_max_num_queries):
    for i in range(30):
        add_person(alice, f"Person {i} Test", f"p{i}@sequoiacap.com", "Sequoia Capital", "Associate", 0.1 + i / 100)
    with django_assert_max_num_queries(10):
        found = best_candidates(alice, "Jane Doe", "Partner at Sequoia Capital")
    assert len([c for c in found if c.relation == "at_org"]) == 31


def test_an_address_at_the_organisation_with_another_employer_worked_there(alice, network):
    # Two people at Sequoia write from sequoiacap.com, so that is its domain.
    add_person(alice, "Lena Second", "lena@sequoiacap.com", "Sequoia Capital", "Associate", 0.3)
    add_person(alice, "Omar Former", "omar@sequoiacap.com", "Acme Robotics", "CTO", 0.4)
    found = {c.name: c.relation for c in best_candidates(alice, "Jane Doe", "Partner at Sequoia Capital")}
    assert found["Omar Former"] == "worked_there"


def test_an_intake_typed_with_her_address_but_never_signed_in_shows_none_of_her_network(alice, network):
    stranger = Client()  # never signed in as alice
    body = run_intake(stranger)
    campaign = Campaign.objects.get(id=body["campaign_id"])
    assert campaign.owner == alice and not campaign.owner_confirmed
    texts = [str(campaign.results), str(body)]
    texts += [e.recipient_email + e.recipient_name + e.body for e in campaign.emails.all()]
    texts.append(stranger.get(f"/dashboard?campaign={campaign.id}").content.decode())
    texts.append(stranger.get(f"/dashboard/live?campaign={campaign.id}").content.decode())
    for text in texts:
        for word in NETWORK_WORDS:
            assert word not in text
    # Nor can that browser search her network or fill a step from it.
    assert stranger.get(f"/api/campaign/{campaign.id}/people?q=Priya").status_code == 404
    response = post_json(
        stranger, f"/api/campaign/{campaign.id}/fill-role", {"hop": 1, "person_id": network["priya"].pk}
    )
    assert response.status_code == 404
    assert "Priya" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Hi Priya,"), ("zh-hans", "Priya，您好！")], ids=["en", "zh-hans"]
)
def test_a_contact_at_the_target_organisation_is_the_recommended_first_hop(alice_client, network, language, greeting):
    body = run_intake(alice_client, language)
    path = body["paths"][body["recommended_path"]]
    first = path["chain"][0]
    assert (first["name"], first["email"], first["person_id"]) == ("Priya Raman", PRIYA[1], network["priya"].pk)
    assert first["strength"] == 0.8 and first["evidence"] == "14 emails, both ways, last on 1 Nov 2026"
    # The score is the product of the ties: alice → Priya (0.8) × Priya → Jane (a stated prior).
    assert path["score"] == round(0.8 * COLLEAGUE_PRIOR, 4)
    assert math.isclose(path["score"], math.prod(node["strength"] for node in path["chain"]))
    hop1 = next(e for e in body["emails"] if e["hop"] == 1)
    assert hop1["recipient_email"] == PRIYA[1] and hop1["recipient_name"] == "Priya Raman"
    assert hop1["body"].startswith(greeting + "\n\n")
    assert "%" not in body["strategy"]
    assert "Hana" not in str(body)
    html = alice_client.get(f"/dashboard?campaign={body['campaign_id']}").content.decode()
    assert "% chance of a reply" not in html and "获得回复的可能性" not in html and "<meter" not in html
    assert "14 emails, both ways, last on 1 Nov 2026" in html  # the evidence, under "why this path"


def test_without_a_contact_there_the_plan_says_whom_to_look_for(alice_client):
    body = run_intake(alice_client)
    path = body["paths"][body["recommended_path"]]
    first = path["chain"][0]
    assert first["to_find"] is True and first["email"] is None and first["strength"] is None
    assert path["score"] is None
    assert "someone to find" in body["strategy"] and first["name"].lower() in body["strategy"].lower()
    html = alice_client.get(f"/dashboard?campaign={body['campaign_id']}").content.decode()
    assert "Someone to find" in html and "I know who this is" in html
    assert "Look for: " + first["name"] in html.replace("&#x27;", "'")


def test_a_target_in_the_network_gets_a_direct_path_first(alice, alice_client, network):
    jane = add_person(alice, "Jane Doe", "jane@sequoiacap.com", "Sequoia Capital", "Partner", 0.6)
    body = run_intake(alice_client)
    direct = body["paths"][0]
    assert body["recommended_path"] == 0 and direct["direct"] is True and direct["degree"] == 1
    assert direct["chain"][0]["person_id"] == jane.pk and direct["score"] == 0.6
    assert "You already know Jane Doe" in body["strategy"]
    [email] = body["emails"]
    assert email["recipient_email"] == "jane@sequoiacap.com" and email["body"].startswith("Hi Jane,\n\n")


def test_old_plans_without_the_new_fields_still_render(alice_client):
    body = run_intake(alice_client)
    campaign = Campaign.objects.get(id=body["campaign_id"])
    results = campaign.results
    for path in results["strategy"]["paths"]:
        path.pop("score", None)
        path.pop("direct", None)
        path["confidence"] = 0.55
        for node in path["chain"]:
            for key in ("person_id", "strength", "evidence", "to_find"):
                node.pop(key, None)
    Campaign.objects.filter(id=campaign.id).update(results=results)
    response = alice_client.get(f"/dashboard?campaign={campaign.id}")
    html = response.content.decode()
    assert response.status_code == 200 and "Ranked paths" in html
    assert "% chance of a reply" not in html and "55%" not in html and "<meter" not in html
    assert "I know who this is" in html  # an older role node can still be filled
    assert alice_client.get(f"/api/campaign/{campaign.id}").json()["selected_path"]["score"] is None


@pytest.fixture
def fake_api(settings):
    fake = FakeAnthropic().start()
    settings.STRATEGY_PLANNER = "anthropic"
    settings.ANTHROPIC_API_KEY = "test-key-not-a-secret"
    settings.ANTHROPIC_BASE_URL = fake.url
    settings.ANTHROPIC_TIMEOUT_SECONDS = 2
    settings.ANTHROPIC_MAX_RETRIES = 0
    yield fake
    fake.stop()


def test_claude_gets_the_candidates_and_its_path_is_grounded(alice_client, network, fake_api):
    fake_api.push(fake_api.good, fake_api.good, fake_api.good)
    body = run_intake(alice_client)
    assert body["planner"] == "anthropic" and body["fallback_reason"] is None
    sent = intake_of(fake_api.requests[1])
    assert [(c.name, c.relation, c.strength) for c in sent.contacts[:2]] == [
        ("Priya Raman", "at_org", 0.8),
        ("Tom Okafor", "field", 0.5),
    ]
    assert "Hana" not in fake_api.requests[1].first_user_text
    assert "chance of a reply" not in str(fake_api.requests[1].body["tools"])
    first = body["paths"][body["recommended_path"]]["chain"][0]
    assert (first["name"], first["person_id"], first["strength"]) == ("Priya Raman", network["priya"].pk, 0.8)
    assert body["emails"][0]["recipient_email"] == PRIYA[1]


def test_claude_may_not_give_a_stranger_an_address(alice_client, network, fake_api):
    def invented(request):
        data = valid_input(request)
        data["paths"][0]["chain"][0]["email"] = "made.up@sequoiacap.com"
        return tool_reply(request.tool, data)

    fake_api.push(fake_api.good, invented, invented)
    body = run_intake(alice_client)
    assert body["planner"] == "offline"  # invalid twice: the offline planner stood in
    assert "made.up@sequoiacap.com" not in str(body["paths"]) + str(body["emails"])
    assert body["emails"][0]["recipient_email"] == PRIYA[1]


def test_claude_must_recommend_the_colleague_when_there_is_one(alice_client, network, fake_api):
    def roles_only(request):
        data = valid_input(request)
        data["paths"] = [p for p in data["paths"] if p["chain"][0]["person_id"] is None]
        data["recommended_path"] = 0
        return tool_reply(request.tool, data)

    fake_api.push(fake_api.good, roles_only, fake_api.good, fake_api.good)
    body = run_intake(alice_client)
    assert body["planner"] == "anthropic"
    assert fake_api.tools_called() == ["record_research", "propose_paths", "propose_paths", "write_drafts"]
    repair = fake_api.requests[2].body["messages"][2]["content"][0]["content"]
    assert "at the target's organisation" in repair
    assert body["paths"][body["recommended_path"]]["chain"][0]["name"] == "Priya Raman"


@pytest.mark.parametrize(
    ("language", "linkedin", "corrected"),
    [
        ("en", "In your contacts from LinkedIn; no emails measured", "You set this strength yourself"),
        ("zh-hans", "来自您的联系人（LinkedIn）；没有测量过邮件往来", "这是您自己设定的关系强度"),
    ],
)
def test_the_evidence_says_where_a_strength_comes_from(alice, language, linkedin, corrected):
    only_linkedin = Person.objects.create(
        owner=alice, name="Lin Kedin", organisation="Sequoia Capital", organisation_key="sequoia capital", strength=0.1
    )
    PersonSource.objects.create(person=only_linkedin, owner=alice, kind=SourceKind.LINKEDIN, fingerprint="l1")
    mine = add_person(alice, *PRIYA)
    Person.objects.filter(pk=mine.pk).update(strength_override=0.95, strength=0.95)
    found = {c.name: c for c in best_candidates(alice, "Jane Doe", "Sequoia Capital", language=language)}
    assert (found["Lin Kedin"].strength, found["Lin Kedin"].evidence, found["Lin Kedin"].email) == (0.1, linkedin, None)
    assert (found["Priya Raman"].strength, found["Priya Raman"].evidence) == (0.95, corrected)


def test_once_the_address_is_proven_a_new_plan_uses_the_network(alice, alice_client, network):
    stranger = Client()
    body = run_intake(stranger)
    campaign_id = body["campaign_id"]
    assert claim_pending_campaigns(alice, [campaign_id]) == 1  # what signing in with the code does
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert "does not use your network yet" in html and "Priya" not in html
    assert post_json(alice_client, f"/api/campaign/{campaign_id}/regenerate", {}).status_code == 200
    body = alice_client.get(f"/api/campaign/{campaign_id}").json()
    assert body["status"] == "ready"
    assert body["paths"][body["recommended_path"]]["chain"][0]["name"] == "Priya Raman"
    html = alice_client.get(f"/dashboard?campaign={campaign_id}").content.decode()
    assert "does not use your network yet" not in html


@pytest.mark.parametrize(
    ("target_company", "target_reason"),
    [
        ("Partner, jane@sequoia-heritage.example", "We met at a conference."),
        ("Partner", "Her profile: https://www.linkedin.com/in/jane-doe-42/ says she backs climate."),
        ("Partner at Heritage Fund", "We met at a conference."),  # the same name at the same organisation
    ],
    ids=["address", "profile", "name-and-organisation"],
)
def test_the_target_is_found_in_the_network(alice, target_company, target_reason):
    jane = add_person(alice, "Jane Doe", "jane@sequoia-heritage.example", "Heritage Fund", "Partner", 0.6)
    Person.objects.filter(pk=jane.pk).update(linkedin_handle="jane-doe-42")
    add_person(alice, "Jane Doe", "other.jane@example.net", "Another Firm", "Analyst", 0.9)  # a namesake elsewhere
    found = [c for c in best_candidates(alice, "Jane Doe", target_company, target_reason) if c.relation == "target"]
    assert [c.person_id for c in found] == [jane.pk]
