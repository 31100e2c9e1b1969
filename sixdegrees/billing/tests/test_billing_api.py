"""GET /api/billing: the Credits tab's data, for the signed-in person only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from sixdegrees.billing.tests.conftest import checkout_session, deliver, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_anonymous_gets_401_in_the_house_shape(client):
    response = client.get("/api/billing")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Please sign in to see your credits.", "fields": {}}


def test_without_stripe_the_plans_show_and_purchases_are_off(alice_client):
    data = alice_client.get("/api/billing").json()

    assert data["credits_balance"] == 1
    assert data["plan"]["code"] == "free" and data["plan"]["unlimited"] is False
    assert data["payments_enabled"] is False
    assert "Payments are not switched on" in data["note"]
    assert [(p["code"], p["campaigns_per_month"], p["payment_link"]) for p in data["plans"]] == [
        ("free", 1, None),
        ("starter", 10, None),
        ("pro", None, None),
    ]
    assert [p["current"] for p in data["plans"]] == [True, False, False]
    assert data["plans"][2]["api"] is True and data["plans"][2]["unlimited"] is True
    assert data["history"][0]["description"] == "Welcome credit of the Free plan."


def test_with_stripe_each_paid_plan_links_to_checkout_for_this_person(alice_client, alice, stripe_settings):
    data = alice_client.get("/api/billing").json()

    assert data["payments_enabled"] is True and data["note"] is None
    links = {p["code"]: p["payment_link"] for p in data["plans"]}
    assert links["free"] is None
    starter = urlsplit(links["starter"])
    assert (starter.scheme, starter.netloc, starter.path) == ("https", "buy.stripe.com", "/test_starter")
    assert parse_qs(starter.query) == {"client_reference_id": [alice.pk], "prefilled_email": ["alice@example.com"]}


def test_payments_show_in_the_history(alice_client, alice, stripe_settings):
    deliver(Client(), event("checkout.session.completed", checkout_session(alice, session_id="cs_1"), "evt_1"))

    data = alice_client.get("/api/billing").json()

    assert data["credits_balance"] == 11 and data["plan"]["code"] == "starter"
    payment = data["history"][0]
    assert {k: payment[k] for k in ("kind", "plan", "amount", "currency", "amount_display", "credits", "status")} == {
        "kind": "payment",
        "plan": "starter",
        "amount": 1900,
        "currency": "usd",
        "amount_display": "19.00 USD",
        "credits": 10,
        "status": "paid",
    }
    assert payment["date"]


def test_the_history_answers_in_few_queries(alice_client, alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert alice_client.get("/api/billing").status_code == 200


def test_it_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/billing" in paths and "/api/webhook/stripe" in paths
