"""Billing endpoints: the Credits tab's data, and Stripe's webhook."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from sixdegrees.billing import stripe as stripe_gateway
from sixdegrees.billing.overview import overview
from sixdegrees.billing.webhooks import process_event
from sixdegrees.lib.http import json_error
from sixdegrees.lib.ratelimit import enforce

logger = logging.getLogger(__name__)

router = Router(tags=["billing"])


@router.get(
    "/billing",
    summary="Credits, plan, plans with payment links, payment history",
    description="For the signed-in person; anyone else gets 401.",
)
def billing(request: HttpRequest):
    if not request.user.is_authenticated:
        return json_error(_("Please sign in to see your credits."), 401)
    return JsonResponse(overview(request.user), json_dumps_params={"ensure_ascii": False})


@router.post(
    "/webhook/stripe",
    summary="Stripe webhook (signed)",
    description="Verifies the Stripe-Signature header over the raw body; each event is processed once. "
    "400 for a bad signature, 503 when STRIPE_WEBHOOK_SECRET is not set.",
)
def stripe_webhook(request: HttpRequest):
    # Generous: Stripe sends bursts, and a 429 only makes it retry later. It stops floods of junk.
    enforce(request, "stripe-webhook", settings.RATE_LIMIT_WEBHOOK)
    try:
        payload = request.body
    except RequestDataTooBig:
        return json_error("Payload too large.", 413)
    try:
        event = stripe_gateway.verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except stripe_gateway.WebhookNotConfigured:
        logger.error(
            "stripe webhook received but STRIPE_WEBHOOK_SECRET is not set", extra={"event": "stripe_webhook_off"}
        )
        return json_error("Payments are not configured here: STRIPE_WEBHOOK_SECRET is not set.", 503)
    except stripe_gateway.InvalidWebhook as exc:
        # Never the payload: it is untrusted, and may hold someone's address.
        logger.warning(
            "stripe webhook rejected",
            extra={"event": "stripe_webhook_rejected", "reason": str(exc), "bytes": len(payload)},
        )
        return json_error("Invalid signature.", 400)
    outcome = process_event(event)
    return JsonResponse({"received": True, "duplicate": outcome.duplicate, "outcome": outcome.message})
