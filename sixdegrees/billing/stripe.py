"""Stripe, behind one small module: the only place that imports the SDK.

SixDegrees sells through Payment Links, so it never calls Stripe's API; it only checks that a
webhook really came from Stripe (the signature over the raw body, and a timestamp no older than
five minutes) before anything else reads it.
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from django.conf import settings

TOLERANCE_SECONDS = 300  # Stripe's default: an older signature is a replay


class WebhookNotConfigured(Exception):
    """STRIPE_WEBHOOK_SECRET is empty, so no event can be trusted."""


class InvalidWebhook(Exception):
    """The signature does not match, is too old, or the body is not an event."""


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event as plain data, once its signature checks out with the SDK's own verifier."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        # The SDK's messages never quote the payload; the exception object carries it, so only
        # the message leaves this function.
        raise InvalidWebhook(str(exc.user_message or "signature mismatch")) from None
    except ValueError:  # not UTF-8 or not JSON, yet correctly signed: still nothing we can use
        raise InvalidWebhook("the body is not a JSON event") from None
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidWebhook("the body is not a Stripe event")
    return event
