"""The stored plan: every shape a row holds loads, typed; a broken one is a clear error, not a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.plan import PlanUnreadable, StoredPlan
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db

# The earlier deployment's shape, as ops/legacy_import.py keeps it (see ops/tests/test_import_d1.py).
LEGACY_PATH = {"degree": 2, "confidence": 0.7, "strategy": "Ask Li Lei", "intermediaries": [{"name": "李雷"}]}
UNREADABLE = {
    "not an object": [1, 2],
    "import could not parse it": {"legacy_raw": '{"strategy": "oops'},
    "strategy is a number": {"strategy": 5},
    "paths is text": {"strategy": {"paths": "nope"}},
    "confidence is a word": {"strategy": {"paths": [{"confidence": "high", "chain": []}]}},
    "a node is a number": {"strategy": {"paths": [{"chain": [7]}]}},
    "imported path is text": {"strategy": "s", "selected_path": "Li Lei"},
}


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def make(owner, results, **fields) -> Campaign:
    return Campaign.objects.create(
        owner=owner, email=owner.email, target_name="Jane Doe", status="ready", results=results, **fields
    )


@pytest.mark.django_db(transaction=True)  # planning starts when the intake commits
def test_a_plan_just_made_reads_back_whole(alice_client):
    campaign_id = post_json(alice_client, "/api/intake", INTAKE).json()["campaign_id"]
    campaign = Campaign.objects.get(id=campaign_id)

    plan = campaign.plan_view()

    assert plan.paths and not plan.legacy and plan.planner == "offline"
    assert plan.summary == campaign.results["strategy"]["summary"]
    assert [p.as_json() for p in plan.paths] == campaign.results["strategy"]["paths"]
    assert plan.strict().model_dump(mode="json") == {k: campaign.results[k] for k in ("strategy", "drafts", "language")}
    assert sorted(plan.drafts_by_path) == list(range(len(plan.paths)))
    assert plan.strict_drafts(1)[0].body == campaign.results["drafts_by_path"]["1"][0]["body"]


@pytest.mark.parametrize(
    ("results", "summary", "analysis", "chains"),
    [
        ({"strategy": "s", "selected_path": LEGACY_PATH}, "s", "", [["李雷"]]),
        ({"strategy": "s", "selected_path": None}, "s", "", []),
        ({"selected_path": LEGACY_PATH, "target_analysis": "分析"}, "", "分析", [["李雷"]]),
        ({"selected_path": {"intermediaries": ["Li Lei"]}}, "", "", [["Li Lei"]]),
    ],
)
def test_imported_plans_still_load(results, summary, analysis, chains):
    plan = StoredPlan.from_results(results)

    assert plan.legacy and not plan.drafts
    assert (plan.summary, plan.target_analysis) == (summary, analysis)
    assert [[node.name for node in path.chain] for path in plan.paths] == chains


def test_an_imported_path_keeps_its_own_keys_for_the_api():
    path = StoredPlan.from_results({"strategy": "s", "selected_path": LEGACY_PATH}).paths[0]

    assert (path.degree, path.confidence, path.label) == (2, 0.7, "")
    assert path.as_json() == {"degree": 2, "confidence": 0.7, "strategy": "Ask Li Lei", "chain": [{"name": "李雷"}]}


def test_nothing_stored_is_an_empty_plan():
    plan = StoredPlan.from_results(None)

    assert plan.paths == [] and plan.path(None) is None and plan.summary == ""


def test_missing_fields_take_defaults():
    plan = StoredPlan.from_results({"strategy": {"paths": [{"chain": []}, {"chain": []}]}})

    assert [p.as_json() for p in plan.paths] == [{"chain": []}, {"chain": []}]
    assert plan.recommended_path == 0 and plan.path_index(7) == 1 and plan.path_index(None) == 0


@pytest.mark.parametrize("results", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_broken_plan_is_unreadable_with_a_reason(results):
    with pytest.raises(PlanUnreadable) as caught:
        StoredPlan.from_results(results)

    assert caught.value.status == 409 and caught.value.reason
    assert caught.value.error == "Something went wrong while planning. Please ask for a new plan."


def test_the_plan_is_parsed_once_per_loaded_row(alice, monkeypatch):
    campaign = make(alice, {"strategy": "s", "selected_path": LEGACY_PATH})
    first = campaign.plan_view()
    calls = []
    monkeypatch.setattr(StoredPlan, "from_results", classmethod(lambda cls, results: calls.append(results) or cls()))

    assert campaign.plan_view() is first and calls == []
    campaign.refresh_from_db()
    campaign.plan_view()
    assert len(calls) == 1


def test_a_broken_plan_is_a_clear_409_when_it_is_needed(alice_client, alice):
    campaign = make(alice, {"strategy": {"paths": [{"chain": [7]}]}})

    response = post_json(alice_client, f"/api/campaign/{campaign.id}/select-path", {"path_index": 0})

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "error": "Something went wrong while planning. Please ask for a new plan.",
        "fields": {},
    }


def test_a_plan_without_drafts_cannot_switch_paths_but_does_not_crash(alice_client, alice):
    # Regression: redraft_for_path read results["drafts"] and answered 500 with a KeyError.
    campaign = make(alice, {"strategy": {"paths": [{"chain": []}, {"chain": []}]}})

    response = post_json(alice_client, f"/api/campaign/{campaign.id}/select-path", {"path_index": 1})

    assert response.status_code == 409 and response.json()["success"] is False
    assert Campaign.objects.get(id=campaign.id).selected_path is None


def test_a_campaign_with_a_broken_plan_still_shows_saying_so(alice_client, alice):
    campaign = make(alice, [1, 2])
    EmailOutreach.objects.create(campaign=campaign, hop=1, recipient_email="bob@example.com", subject="Hi", body="Hi")

    detail = alice_client.get(f"/api/campaign/{campaign.id}")
    page = alice_client.get(f"/dashboard?campaign={campaign.id}")

    assert detail.status_code == 200
    body = detail.json()
    assert body["paths"] == [] and body["selected_path"] is None and body["emails"]
    assert body["error_message"] == "Something went wrong while planning. Please ask for a new plan."
    assert page.status_code == 200
    assert "Something went wrong while planning. Please ask for a new plan." in page.content.decode()
