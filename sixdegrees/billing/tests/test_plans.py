"""Plans from settings, and Payment Links that carry who is paying."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from sixdegrees.billing import plans


def test_the_three_plans_of_the_pricing_page():
    assert [(p.code, p.campaigns_per_month, p.api) for p in plans.plans()] == [
        ("free", 1, False),
        ("starter", 10, False),
        ("pro", None, True),
    ]
    assert plans.get_plan("pro").unlimited and plans.get_plan("pro").credits_per_period == 0
    assert plans.get_plan("starter").credits_per_period == 10
    assert plans.get_plan("starter").price_label() == "$19 / month"
    assert plans.get_plan("nope") is None


def test_no_links_without_stripe(settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    person = SimpleNamespace(pk="user_1", email="a@example.com")
    assert all(plans.payment_link(plan, person) is None for plan in plans.plans())
    assert not plans.payments_enabled()


@pytest.mark.usefixtures("stripe_settings")
def test_links_are_urlencoded_and_keep_their_own_query(settings):
    settings.BILLING_PLANS = [
        {**p, "payment_link": "https://buy.stripe.com/x?locale=zh&client_reference_id=evil"}
        if p["code"] == "starter"
        else p
        for p in settings.BILLING_PLANS
    ]
    person = SimpleNamespace(pk="user_abc", email="a+b@example.com")

    link = plans.payment_link(plans.get_plan("starter"), person)

    assert "prefilled_email=a%2Bb%40example.com" in link
    assert parse_qsl(urlsplit(link).query) == [
        ("locale", "zh"),
        ("client_reference_id", "user_abc"),
        ("prefilled_email", "a+b@example.com"),
    ]


@pytest.mark.usefixtures("stripe_settings")
def test_prices_map_to_plans():
    assert plans.plan_for_price("price_pro_test").code == "pro"
    assert plans.plan_for_price("price_other") is None
    assert plans.plan_for_price("") is None


def test_half_configured_payments_are_a_system_check_warning(settings):
    from sixdegrees.billing.apps import check_payments

    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.BILLING_PLANS = [
        {**p, "payment_link": "http://buy.stripe.com/x"} if p["code"] == "pro" else p for p in settings.BILLING_PLANS
    ]
    assert [w.id for w in check_payments()] == ["sixdegrees.billing.W001", "sixdegrees.billing.W002"]
