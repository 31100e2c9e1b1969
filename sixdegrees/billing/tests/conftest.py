"""Billing fixtures: campaigns with a draft, and Stripe events signed exactly as Stripe signs them."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe
from django.test import Client

from sixdegrees.billing import ledger
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach.models import EmailOutreach

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
STARTER_PRICE = "price_starter_test"
PRO_PRICE = "price_pro_test"


def make_campaign(owner, target: str = "Jane Doe") -> Campaign:
    return Campaign.objects.create(
        owner=owner, email=owner.email, user_name=owner.name, target_name=target, status=Campaign.Status.READY
    )


def make_draft(campaign: Campaign, hop: int = 1, to: str = "intro@example.org") -> EmailOutreach:
    return EmailOutreach.objects.create(
        campaign=campaign, hop=hop, recipient_email=to, recipient_name="Intro", subject="Hello", body="Hi there"
    )


def set_balance(user, balance: int) -> None:
    """Bring `user` to `balance` through the ledger, as an operator would."""
    user.refresh_from_db(fields=["credits_balance"])
    if balance != user.credits_balance:
        ledger.grant(user, balance - user.credits_balance, reason="test setup", actor="test")
    user.refresh_from_db(fields=["credits_balance"])


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_LINK_STARTER = "https://buy.stripe.com/test_starter"
    settings.STRIPE_LINK_PRO = "https://buy.stripe.com/test_pro"
    plans = [dict(plan) for plan in settings.BILLING_PLANS]
    for plan in plans:
        if plan["code"] == "starter":
            plan.update(payment_link=settings.STRIPE_LINK_STARTER, stripe_price=STARTER_PRICE)
        if plan["code"] == "pro":
            plan.update(payment_link=settings.STRIPE_LINK_PRO, stripe_price=PRO_PRICE)
    settings.BILLING_PLANS = plans
    return settings


def event(event_type: str, obj: dict[str, Any], event_id: str, created: int | None = None) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }


def deliver(client: Client, payload: dict[str, Any] | str, *, secret: str = WEBHOOK_SECRET, timestamp=None):
    """POST an event the way Stripe does: raw JSON body, Stripe-Signature over `t.body`."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return client.generic(
        "POST", "/api/webhook/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def checkout_session(user, *, session_id: str, plan: str | None = "starter", mode: str = "subscription", **extra):
    obj = {
        "id": session_id,
        "object": "checkout.session",
        "mode": mode,
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": user.pk if user else None,
        "customer": "cus_alice",
        "customer_details": {"email": user.email if user else "stranger@example.com"},
        "customer_email": None,
        "amount_total": 1900 if plan != "pro" else 4900,
        "currency": "usd",
        "metadata": {"plan": plan} if plan else {},
        "payment_link": "plink_test",
        "subscription": "sub_1" if mode == "subscription" else None,
        "invoice": "in_1" if mode == "subscription" else None,
        "payment_intent": "pi_checkout" if mode == "payment" else None,
    }
    obj.update(extra)
    return obj


def invoice(
    *,
    invoice_id: str,
    price: str = STARTER_PRICE,
    subscription: str = "sub_1",
    email="alice@example.com",
    period_end=None,
    **extra,
):
    period_end = period_end or int(time.time()) + 30 * 86400
    obj = {
        "id": invoice_id,
        "object": "invoice",
        "customer": "cus_alice",
        "customer_email": email,
        "amount_paid": 1900 if price == STARTER_PRICE else 4900,
        "currency": "usd",
        "status": "paid",
        "billing_reason": "subscription_cycle",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription, "metadata": {}},
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_{invoice_id}",
                    "object": "line_item",
                    "amount": 1900,
                    "period": {"start": period_end - 30 * 86400, "end": period_end},
                    "pricing": {"type": "price_details", "price_details": {"price": price, "product": "prod_x"}},
                }
            ],
        },
        "payments": {
            "object": "list",
            "data": [{"payment": {"type": "payment_intent", "payment_intent": f"pi_{invoice_id}"}}],
        },
    }
    obj.update(extra)
    return obj


def subscription_deleted(subscription: str = "sub_1", price: str = STARTER_PRICE) -> dict[str, Any]:
    return {
        "id": subscription,
        "object": "subscription",
        "customer": "cus_alice",
        "status": "canceled",
        "ended_at": int(time.time()),
        "metadata": {},
        "items": {"object": "list", "data": [{"price": {"id": price}}]},
    }


def charge(*, charge_id: str, payment_intent: str, amount: int = 1900, refunded_amount: int | None = None):
    refunded_amount = amount if refunded_amount is None else refunded_amount
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_refunded": refunded_amount,
        "refunded": refunded_amount >= amount,
        "currency": "usd",
        "customer": "cus_alice",
        "payment_intent": payment_intent,
        "billing_details": {"email": "alice@example.com"},
    }
