"""POST /api/webhook/stripe: payloads signed exactly as Stripe signs them, checked by the SDK."""

from __future__ import annotations

import json
import logging
import time

import pytest
import stripe
import time_machine
from django.test import Client

from sixdegrees.billing.ledger import check_balances, grant
from sixdegrees.billing.models import BillingFlag, CreditTransaction, Payment, ProcessedWebhookEvent, Subscription
from sixdegrees.billing.tests.conftest import (
    PRO_PRICE,
    WEBHOOK_SECRET,
    charge,
    checkout_session,
    deliver,
    event,
    invoice,
    subscription_deleted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]


@pytest.fixture
def stripe_client() -> Client:
    return Client(enforce_csrf_checks=True)  # Stripe sends no CSRF token; the signature is the check


def balance(user) -> int:
    user.refresh_from_db()
    return user.credits_balance


def starter_checkout(user, event_id="evt_checkout"):
    return event("checkout.session.completed", checkout_session(user, session_id="cs_1"), event_id)


def test_a_signed_checkout_adds_the_plans_credits(stripe_client, alice):
    response = deliver(stripe_client, starter_checkout(alice))

    assert response.status_code == 200, response.content
    assert response.json()["duplicate"] is False
    assert balance(alice) == 1 + 10  # the welcome credit, then Starter's month
    assert alice.plan == "starter"
    payment = Payment.objects.get()
    assert (payment.source_id, payment.amount, payment.currency, payment.credits) == ("invoice:in_1", 1900, "usd", 10)
    row = CreditTransaction.objects.get(transaction_type="purchase")
    assert (row.amount, row.actor, row.payment_id, row.external_event_id) == (10, "stripe", payment.pk, "invoice:in_1")
    assert ProcessedWebhookEvent.objects.get().event_id == "evt_checkout"
    assert check_balances() == []


def test_a_tampered_payload_is_refused_and_logged_without_it(stripe_client, alice, caplog):
    body = json.dumps(starter_checkout(alice))
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    tampered = body.replace('"amount_total": 1900', '"amount_total": 19')
    assert tampered != body

    with caplog.at_level(logging.INFO):
        response = stripe_client.generic(
            "POST", "/api/webhook/stripe", tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )

    assert response.status_code == 400
    assert response.json() == {"success": False, "error": "Invalid signature.", "fields": {}}
    assert balance(alice) == 1 and not ProcessedWebhookEvent.objects.exists()
    rejected = [r for r in caplog.records if getattr(r, "event", "") == "stripe_webhook_rejected"]
    assert len(rejected) == 1
    assert "No signatures found matching" in rejected[0].reason
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert "cs_1" not in logged and "alice@example.com" not in logged  # no part of the payload


def test_a_wrong_secret_is_refused(stripe_client, alice):
    response = deliver(stripe_client, starter_checkout(alice), secret="whsec_someone_else")
    assert response.status_code == 400
    assert balance(alice) == 1


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00"])
def test_a_missing_or_garbled_signature_header_is_refused(stripe_client, alice, header):
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    response = stripe_client.generic(
        "POST", "/api/webhook/stripe", json.dumps(starter_checkout(alice)), content_type="application/json", **extra
    )
    assert response.status_code == 400
    assert balance(alice) == 1


def test_an_expired_timestamp_is_refused(stripe_client, alice):
    signed_at = int(time.time())
    with time_machine.travel(signed_at + 301, tick=False):
        response = deliver(stripe_client, starter_checkout(alice), timestamp=signed_at)
    assert response.status_code == 400
    assert balance(alice) == 1


def test_a_timestamp_within_five_minutes_is_accepted(stripe_client, alice):
    response = deliver(stripe_client, starter_checkout(alice), timestamp=int(time.time()) - 290)
    assert response.status_code == 200
    assert balance(alice) == 11


def test_a_replayed_event_is_processed_once(stripe_client, alice):
    first = deliver(stripe_client, starter_checkout(alice))
    again = deliver(stripe_client, starter_checkout(alice))  # Stripe retries with a fresh signature

    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert balance(alice) == 11
    assert ProcessedWebhookEvent.objects.count() == 1 and Payment.objects.count() == 1


def test_the_first_invoice_counts_once_whichever_event_brings_it(stripe_client, alice):
    # The same first payment arrives as a checkout (naming invoice in_1) and as invoice.paid.
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_1"), "evt_invoice_1"))

    assert balance(alice) == 11
    assert Payment.objects.get().payment_intent == "pi_in_1"  # learned from the invoice


def test_invoice_paid_before_checkout_completed(stripe_client, alice):
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_1"), "evt_invoice_1"))
    assert balance(alice) == 11  # found by the invoice's address
    deliver(stripe_client, starter_checkout(alice))

    assert balance(alice) == 11
    assert alice.plan == "starter"
    assert ProcessedWebhookEvent.objects.count() == 2
    assert check_balances() == []


def test_each_renewal_adds_a_month_of_credits(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_2"), "evt_invoice_2"))
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_3"), "evt_invoice_3"))

    assert balance(alice) == 1 + 10 + 10 + 10
    assert Payment.objects.count() == 3


def test_subscription_deleted_returns_to_free_and_keeps_paid_credits(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("customer.subscription.deleted", subscription_deleted(), "evt_deleted"))

    assert balance(alice) == 11
    assert alice.plan == "free"
    assert Subscription.objects.get().status == "canceled"


def test_subscription_deleted_before_its_last_invoice_paid(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("customer.subscription.deleted", subscription_deleted(), "evt_deleted"))
    # The renewal paid before the cancellation arrives late: its credits count, the plan stays ended.
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_2"), "evt_invoice_2"))

    assert balance(alice) == 21
    assert alice.plan == "free"
    assert Subscription.objects.get().status == "canceled"


def test_a_cancellation_seen_before_its_checkout_is_not_undone(stripe_client, alice):
    deliver(stripe_client, event("customer.subscription.deleted", subscription_deleted(), "evt_deleted"))
    deliver(stripe_client, starter_checkout(alice))

    assert balance(alice) == 11  # the first month was paid
    assert alice.plan == "free"
    assert Subscription.objects.get().status == "canceled"


def test_pro_is_unlimited_until_the_paid_period_ends(stripe_client, alice, settings):
    period_end = int(time.time()) + 30 * 86400
    deliver(
        stripe_client,
        event("checkout.session.completed", checkout_session(alice, session_id="cs_pro", plan="pro"), "evt_pro"),
    )
    deliver(
        stripe_client,
        event("invoice.paid", invoice(invoice_id="in_1", price=PRO_PRICE, period_end=period_end), "evt_pro_invoice"),
    )

    sub = Subscription.objects.get()
    assert balance(alice) == 1  # Pro adds no credits...
    assert alice.plan == "pro"  # ...it is unlimited
    assert sub.active_until.timestamp() >= period_end + settings.BILLING_PRO_GRACE_HOURS * 3600
    deliver(stripe_client, event("customer.subscription.deleted", subscription_deleted(price=PRO_PRICE), "evt_del"))
    assert balance(alice) == 1 and alice.plan == "free"


def test_a_refund_takes_the_credits_back(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_1"), "evt_invoice_1"))
    response = deliver(
        stripe_client, event("charge.refunded", charge(charge_id="ch_1", payment_intent="pi_in_1"), "evt_r")
    )

    assert response.status_code == 200
    assert balance(alice) == 1
    payment = Payment.objects.get()
    assert (payment.status, payment.amount_refunded, payment.credits_reversed) == ("refunded", 1900, 10)
    assert not BillingFlag.objects.exists()


def test_a_partial_refund_takes_back_its_share(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    deliver(stripe_client, event("invoice.paid", invoice(invoice_id="in_1"), "evt_invoice_1"))
    half = charge(charge_id="ch_1", payment_intent="pi_in_1", refunded_amount=950)
    deliver(stripe_client, event("charge.refunded", half, "evt_r1"))
    assert balance(alice) == 6
    rest = charge(charge_id="ch_1", payment_intent="pi_in_1", refunded_amount=1900)
    deliver(stripe_client, event("charge.refunded", rest, "evt_r2"))
    assert balance(alice) == 1
    assert Payment.objects.get().status == "refunded"


def test_a_refund_of_spent_credits_goes_negative_and_is_flagged(stripe_client, alice):
    deliver(stripe_client, starter_checkout(alice))
    # Spend 8 of the 11 credits, then the payment is refunded.
    grant(alice, -8, reason="spent in tests", actor="test")
    deliver(stripe_client, event("charge.refunded", charge(charge_id="ch_1", payment_intent="", amount=1900), "evt_r"))

    assert balance(alice) == 3 - 10  # applied, not clipped
    flag = BillingFlag.objects.get()
    assert (flag.kind, flag.user_id, flag.data["balance"]) == ("negative_balance", alice.pk, -7)
    assert check_balances() == []


def test_a_refund_of_an_unknown_payment_is_flagged(stripe_client, alice):
    refund = charge(charge_id="ch_x", payment_intent="pi_unknown", amount=777) | {"customer": "cus_nobody"}
    response = deliver(stripe_client, event("charge.refunded", refund, "evt_r"))
    assert response.status_code == 200
    assert BillingFlag.objects.get().kind == "unmatched_refund"
    assert balance(alice) == 1


def test_a_payment_by_a_stranger_is_flagged_not_lost(stripe_client, alice):
    session = checkout_session(None, session_id="cs_x", client_reference_id=None)
    deliver(stripe_client, event("checkout.session.completed", session, "evt_x"))
    assert BillingFlag.objects.get().kind == "unmatched_payment"
    assert not CreditTransaction.objects.filter(transaction_type="purchase").exists()


def test_a_checkout_falls_back_to_the_customer_email(stripe_client, alice):
    session = checkout_session(
        alice, session_id="cs_2", client_reference_id=None, customer_details={"email": "ALICE@example.com"}
    )
    deliver(stripe_client, event("checkout.session.completed", session, "evt_2"))
    assert balance(alice) == 11


def test_a_one_time_checkout_buys_the_plans_credits(stripe_client, alice):
    session = checkout_session(alice, session_id="cs_once", mode="payment")
    deliver(stripe_client, event("checkout.session.completed", session, "evt_once"))
    assert balance(alice) == 11
    assert alice.plan == "free"  # credits, not a subscription
    deliver(stripe_client, event("charge.refunded", charge(charge_id="ch_1", payment_intent="pi_checkout"), "evt_r"))
    assert balance(alice) == 1


def test_an_unpaid_checkout_waits_for_its_async_payment(stripe_client, alice):
    session = checkout_session(alice, session_id="cs_1", payment_status="unpaid")
    deliver(stripe_client, event("checkout.session.completed", session, "evt_1"))
    assert balance(alice) == 1
    paid = checkout_session(alice, session_id="cs_1")
    deliver(stripe_client, event("checkout.session.async_payment_succeeded", paid, "evt_2"))
    assert balance(alice) == 11


def test_unknown_event_types_are_recorded_and_ignored(stripe_client, alice):
    response = deliver(stripe_client, event("customer.created", {"id": "cus_1", "object": "customer"}, "evt_c"))
    assert response.status_code == 200
    assert ProcessedWebhookEvent.objects.get().outcome.startswith("ignored")
    assert balance(alice) == 1


def test_without_a_webhook_secret_it_answers_503(stripe_client, alice, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(stripe_client, starter_checkout(alice), secret="whsec_anything")
    assert response.status_code == 503
    assert "STRIPE_WEBHOOK_SECRET" in response.json()["error"]
    assert balance(alice) == 1
