"""What each (already verified) Stripe event does to credits and plans.

Each event is handled once: its id goes into `processed_webhook_events` in the same transaction as
the ledger rows it causes, so a replay finds the id and changes nothing, and a crash halfway
leaves neither (Stripe sends it again). Events arrive in any order, so every handler is written to
end in the same state whatever came before it:

- A subscription's first invoice shows up twice, as `checkout.session.completed` (with the invoice
  id) and as `invoice.paid`; both credit `invoice:<id>`, which counts once.
- A cancellation is stored on its subscription row even before we know the subscription, and
  nothing that arrives later (a checkout, a late invoice) makes a canceled subscription active
  again. A late invoice still adds the credits it paid for.
- A refund takes back credits even below zero; the operator gets a flag instead of a clipped balance.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.billing import plans
from sixdegrees.billing.ledger import Kind, record_change
from sixdegrees.billing.models import BillingFlag, Payment, ProcessedWebhookEvent, Subscription
from sixdegrees.billing.plans import Plan

logger = logging.getLogger(__name__)

PROVISIONAL_PERIOD = dt.timedelta(days=31)  # an unlimited plan bought at checkout, before its invoice


@dataclass(frozen=True)
class Outcome:
    duplicate: bool
    message: str


def process_event(event: dict[str, Any]) -> Outcome:
    """Apply one Stripe event, once. Unknown types are recorded and ignored."""
    event_id, event_type = event["id"], event["type"]
    if ProcessedWebhookEvent.objects.filter(event_id=event_id).exists():
        return Outcome(True, "already processed")
    created = event.get("created")
    with transaction.atomic():
        try:
            with transaction.atomic():
                receipt = ProcessedWebhookEvent.objects.create(
                    event_id=event_id,
                    event_type=event_type[:100],
                    livemode=bool(event.get("livemode")),
                    event_created_at=_timestamp(created),
                )
        except IntegrityError:
            return Outcome(True, "already processed")  # a concurrent delivery of the same event
        handler = HANDLERS.get(event_type)
        message = handler(_Event(event)) if handler else "ignored: not an event SixDegrees uses"
        receipt.outcome = message[:300]
        receipt.save(update_fields=["outcome"])
    # The outcome stays in the database: it may name the address a stranger paid with.
    logger.info(
        "stripe event processed", extra={"event": "stripe_webhook", "stripe_event": event_id, "type": event_type}
    )
    return Outcome(False, message)


class _Event:
    """Safe access to an event's object, whichever API version shaped it."""

    def __init__(self, event: dict[str, Any]):
        self.id: str = event["id"]
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        self.obj: dict[str, Any] = obj if isinstance(obj, dict) else {}

    def get(self, *path: str) -> Any:
        return _dig(self.obj, *path)


def _dig(value: Any, *path: str | int) -> Any:
    for part in path:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and len(value) > part else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _id(value: Any) -> str:
    """An expandable field: an id, or the expanded object carrying one."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def _timestamp(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and value > 0:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


# --- Who and which plan


def find_user(
    *, reference: str = "", subscription: str = "", customer: str = "", email: str | None = None
) -> User | None:
    """The person behind a payment: our own id first, then what Stripe knows, then the address."""
    if reference:
        user = User.objects.filter(pk=reference).first()
        if user:
            return user
    if subscription:
        user_id = (
            Subscription.objects.filter(stripe_subscription_id=subscription, user__isnull=False)
            .values_list("user_id", flat=True)
            .first()
        )
        if user_id:
            return User.objects.filter(pk=user_id).first()
    if customer:
        user_id = (
            Subscription.objects.filter(stripe_customer_id=customer, user__isnull=False)
            .values_list("user_id", flat=True)
            .first()
        ) or Payment.objects.filter(stripe_customer_id=customer).values_list("user_id", flat=True).first()
        if user_id:
            return User.objects.filter(pk=user_id).first()
    if email:
        return User.objects.filter(email__iexact=email.strip()).first()
    return None


def _plan_from_metadata(metadata: Any) -> Plan | None:
    if isinstance(metadata, dict):
        code = metadata.get("plan") or metadata.get("sixdegrees_plan")
        if isinstance(code, str):
            plan = plans.get_plan(code.strip().lower())
            if plan and plan.code != plans.FREE:
                return plan
    return None


def _price_of(item: Any) -> str:
    """The price id of a line item (before and after Stripe moved it under `pricing`)."""
    return _id(_dig(item, "price")) or _id(_dig(item, "pricing", "price_details", "price")) or _id(_dig(item, "plan"))


def _plan_from_items(items: Any) -> Plan | None:
    for item in items if isinstance(items, list) else []:
        plan = plans.plan_for_price(_price_of(item)) or _plan_from_metadata(_dig(item, "metadata"))
        if plan:
            return plan
    return None


def _flag(kind: str, message: str, event: _Event, user: User | None = None, **data: Any) -> str:
    BillingFlag.objects.create(kind=kind, user=user, message=message, event_id=event.id, data=data)
    logger.error("billing needs an operator", extra={"event": "billing_flag", "kind": kind, "stripe_event": event.id})
    return f"flagged ({kind}): {message}"


# --- Subscriptions and the plan a person is on


def _subscription(stripe_id: str) -> Subscription:
    """The row for a Stripe subscription, created on first sight, locked for this transaction."""
    row = Subscription.objects.select_for_update().filter(stripe_subscription_id=stripe_id).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Subscription.objects.create(stripe_subscription_id=stripe_id)
    except IntegrityError:
        return Subscription.objects.select_for_update().get(stripe_subscription_id=stripe_id)


def _learn(row: Subscription, *, user: User | None, customer: str, plan: Plan | None) -> None:
    fields = []
    if user is not None and row.user_id is None:
        row.user = user
        fields.append("user")
    if customer and not row.stripe_customer_id:
        row.stripe_customer_id = customer
        fields.append("stripe_customer_id")
    if plan is not None and row.plan != plan.code:
        row.plan = plan.code  # a price change (upgrade or downgrade) shows up on the next invoice
        fields.append("plan")
    if fields:
        row.save(update_fields=[*fields, "updated_at"])


def _extend(row: Subscription, until: dt.datetime) -> None:
    if row.status == Subscription.Status.ACTIVE and (row.active_until is None or until > row.active_until):
        row.active_until = until
        row.save(update_fields=["active_until", "updated_at"])


def sync_user_plan(user_id: str | None) -> str:
    """users.plan = the best plan among the person's active subscriptions, else free."""
    if not user_id:
        return plans.FREE
    order = {plan.code: rank for rank, plan in enumerate(plans.plans())}
    active = Subscription.objects.filter(user_id=user_id, status=Subscription.Status.ACTIVE).exclude(plan="")
    codes = [code for code in active.values_list("plan", flat=True) if code in order]
    plan = max(codes, key=order.__getitem__) if codes else plans.FREE
    User.objects.filter(pk=user_id).exclude(plan=plan).update(plan=plan)
    return plan


def _grace() -> dt.timedelta:
    return dt.timedelta(hours=settings.BILLING_PRO_GRACE_HOURS)


# --- Money in


def _credit_payment(
    event: _Event,
    user: User,
    plan: Plan,
    *,
    source_id: str,
    amount: int,
    currency: str,
    payment_intent: str = "",
    customer: str = "",
) -> str:
    """Record a payment and the credits it buys; the same `source_id` counts once."""
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=user,
                plan=plan.code,
                source_id=source_id,
                payment_intent=payment_intent,
                stripe_customer_id=customer,
                amount=amount,
                currency=(currency or "")[:3].lower(),
                credits=plan.credits_per_period,
            )
    except IntegrityError:
        if payment_intent:  # the checkout does not know it, the invoice may
            Payment.objects.filter(source_id=source_id, payment_intent="").update(payment_intent=payment_intent)
        return f"{source_id} already counted"
    if payment.credits:
        record_change(
            user.pk,
            payment.credits,
            Kind.PURCHASE,
            reason=f"{plan.name} plan: {payment.credits} credits",
            actor="stripe",
            plan=plan.code,
            payment=payment,
            external_event_id=source_id,
        )
    return f"{source_id}: {plan.code} +{payment.credits} credits for {user.pk}"


def checkout_completed(event: _Event) -> str:
    session = event.obj
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "checkout not paid yet; waiting for checkout.session.async_payment_succeeded"
    customer = _id(session.get("customer"))
    email = event.get("customer_details", "email") or session.get("customer_email")
    user = find_user(reference=session.get("client_reference_id") or "", customer=customer, email=email)
    plan = _plan_from_metadata(session.get("metadata")) or _plan_from_items(event.get("line_items", "data"))
    amount, currency = _int(session.get("amount_total")), session.get("currency") or ""
    subscription = session.get("mode") == "subscription"
    subscription_id = _id(session.get("subscription")) if subscription else ""
    if subscription_id:
        row = _subscription(subscription_id)
        _learn(row, user=user, customer=customer, plan=plan)
        if user is not None and plan is not None and plan.unlimited:
            _extend(row, timezone.now() + PROVISIONAL_PERIOD)
        sync_user_plan(row.user_id)
    if user is None:
        return _flag(
            BillingFlag.Kind.UNMATCHED_PAYMENT,
            f"Checkout {session.get('id')} paid by {email or 'an unknown address'} matches no account.",
            event,
            amount=amount,
            currency=currency,
        )
    if subscription:
        invoice_id = _id(session.get("invoice"))
        if plan is None or not invoice_id:
            return f"subscription {subscription_id} of {user.pk}; its credits come with invoice.paid"
        return _credit_payment(
            event,
            user,
            plan,
            source_id=f"invoice:{invoice_id}",
            amount=amount,
            currency=currency,
            customer=customer,
        )
    if plan is None or plan.unlimited:
        return _flag(
            BillingFlag.Kind.UNKNOWN_PLAN,
            f"One-time checkout {session.get('id')} names no plan that sells credits "
            "(set metadata plan=starter on the Payment Link, or STRIPE_PRICE_STARTER).",
            event,
            user,
            amount=amount,
            currency=currency,
        )
    return _credit_payment(
        event,
        user,
        plan,
        source_id=f"checkout:{session.get('id')}",
        amount=amount,
        currency=currency,
        payment_intent=_id(session.get("payment_intent")),
        customer=customer,
    )


def invoice_paid(event: _Event) -> str:
    invoice = event.obj
    lines = event.get("lines", "data")
    subscription_id = (
        _id(invoice.get("subscription"))
        or _id(event.get("parent", "subscription_details", "subscription"))
        or _id(_dig(lines, 0, "subscription"))
        or _id(_dig(lines, 0, "parent", "subscription_item_details", "subscription"))
    )
    if not subscription_id:
        return "ignored: an invoice outside a subscription"
    customer = _id(invoice.get("customer"))
    email = invoice.get("customer_email")
    plan = (
        _plan_from_items(lines)
        or _plan_from_metadata(event.get("parent", "subscription_details", "metadata"))
        or _plan_from_metadata(invoice.get("metadata"))
    )
    user = find_user(subscription=subscription_id, customer=customer, email=email)
    row = _subscription(subscription_id)
    _learn(row, user=user, customer=customer, plan=plan)
    amount, currency = _int(invoice.get("amount_paid")), invoice.get("currency") or ""
    if user is None:
        return _flag(
            BillingFlag.Kind.UNMATCHED_PAYMENT,
            f"Invoice {invoice.get('id')} of subscription {subscription_id} ({email or 'no address'}) "
            "matches no account.",
            event,
            amount=amount,
            currency=currency,
        )
    if plan is None:
        return _flag(
            BillingFlag.Kind.UNKNOWN_PLAN,
            f"Invoice {invoice.get('id')} names no known price (set STRIPE_PRICE_STARTER / STRIPE_PRICE_PRO).",
            event,
            user,
            amount=amount,
            currency=currency,
        )
    if plan.unlimited:
        ends = [_dig(line, "period", "end") for line in lines or []]
        period_end = _timestamp(max((e for e in ends if isinstance(e, int)), default=0)) or _timestamp(
            invoice.get("period_end")
        )
        if period_end:
            _extend(row, period_end + _grace())
    sync_user_plan(user.pk)
    payment_intent = _id(invoice.get("payment_intent")) or _id(
        _dig(event.get("payments", "data"), 0, "payment", "payment_intent")
    )
    return _credit_payment(
        event,
        user,
        plan,
        source_id=f"invoice:{invoice.get('id')}",
        amount=amount,
        currency=currency,
        payment_intent=payment_intent,
        customer=customer,
    )


def subscription_deleted(event: _Event) -> str:
    stripe_sub = event.obj
    subscription_id = _id(stripe_sub)
    if not subscription_id:
        return "ignored: no subscription id"
    customer = _id(stripe_sub.get("customer"))
    user = find_user(subscription=subscription_id, customer=customer)
    row = _subscription(subscription_id)
    _learn(row, user=user, customer=customer, plan=_plan_from_items(event.get("items", "data")))
    if row.status != Subscription.Status.CANCELED:
        row.status = Subscription.Status.CANCELED
        row.canceled_at = _timestamp(stripe_sub.get("ended_at")) or timezone.now()
        row.save(update_fields=["status", "canceled_at", "updated_at"])
    plan = sync_user_plan(row.user_id)
    return f"subscription {subscription_id} canceled; {row.user_id or 'unknown person'} is on {plan}"


def charge_refunded(event: _Event) -> str:
    charge = event.obj
    payment_intent = _id(charge.get("payment_intent"))
    customer = _id(charge.get("customer"))
    refunded_total = _int(charge.get("amount_refunded"))
    payment = None
    if payment_intent:
        payment = Payment.objects.select_for_update().filter(payment_intent=payment_intent).first()
    if payment is None and customer:
        # Invoices may not name their payment intent: the customer's latest payment of this amount.
        payment = (
            Payment.objects.select_for_update()
            .filter(stripe_customer_id=customer, amount=_int(charge.get("amount")))
            .exclude(status=Payment.Status.REFUNDED)
            .order_by("-created_at")
            .first()
        )
    if payment is None:
        return _flag(
            BillingFlag.Kind.UNMATCHED_REFUND,
            f"Refund of charge {charge.get('id')} matches no payment we recorded.",
            event,
            find_user(customer=customer, email=_dig(charge, "billing_details", "email")),
            amount_refunded=refunded_total,
        )
    paid = payment.amount or _int(charge.get("amount"))
    fully = bool(charge.get("refunded")) or (paid > 0 and refunded_total >= paid)
    target = payment.credits if fully else (payment.credits * refunded_total // paid if paid else 0)
    take_back = target - payment.credits_reversed
    if take_back > 0:
        record_change(
            payment.user_id,
            -take_back,
            Kind.REFUND,
            reason=f"Payment refunded: {take_back} credits taken back",
            actor="stripe",
            plan=payment.plan,
            payment=payment,
            external_event_id=f"refund:{charge.get('id')}:{refunded_total}",
        )
    payment.amount_refunded = max(payment.amount_refunded, refunded_total)
    payment.credits_reversed = max(payment.credits_reversed, target)
    payment.status = Payment.Status.REFUNDED if fully else Payment.Status.PARTIALLY_REFUNDED
    payment.save(update_fields=["amount_refunded", "credits_reversed", "status", "updated_at"])
    return f"{payment.source_id} refunded ({refunded_total} of {paid}); {max(take_back, 0)} credits taken back"


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "invoice.paid": invoice_paid,
    "customer.subscription.deleted": subscription_deleted,
    "charge.refunded": charge_refunded,
}
