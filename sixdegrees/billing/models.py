"""The credit ledger and what feeds it: Stripe payments, subscriptions, webhook receipts, flags.

Every change to `users.credits_balance` is one `credit_transactions` row, written in the same
transaction as the balance (see billing/ledger.py, the only writer of either).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.ids import ID_MAX_LENGTH, new_id, transaction_id


def payment_id() -> str:
    return new_id("pay")


class Payment(models.Model):
    """Money that came in through Stripe: one row per paid checkout or subscription invoice."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=payment_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payments")
    plan = models.CharField(max_length=32)
    # `checkout:<session id>` or `invoice:<invoice id>`: a subscription's first invoice arrives as
    # both a checkout session and an invoice.paid event and must count once.
    source_id = models.CharField(max_length=255, unique=True)
    payment_intent = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    amount = models.IntegerField(default=0)  # smallest currency unit (cents), as Stripe counts
    currency = models.CharField(max_length=3, blank=True)
    credits = models.IntegerField(default=0)  # credits this payment bought
    amount_refunded = models.IntegerField(default=0)
    credits_reversed = models.IntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PAID)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "payments"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="payments_user_created")]

    def __str__(self) -> str:
        return f"{self.plan} {self.amount / 100:.2f} {self.currency.upper()} for {self.user_id} ({self.status})"


class CreditTransaction(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        USAGE = "usage", "Usage"
        REFUND = "refund", "Refund"
        GRANT = "grant", "Grant"
        ADJUSTMENT = "adjustment", "Adjustment"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=transaction_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_transactions")
    amount = models.IntegerField()
    transaction_type = models.CharField(max_length=16, choices=Kind.choices)
    plan = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001  NULL = no plan, as in the old data
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="credit_transactions"
    )
    reason = models.CharField(max_length=300, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    # What caused the row (`usage:<campaign>`, `guarantee:<campaign>`, `invoice:<id>`,
    # `refill:free:<yyyy-mm>:<user>` …): unique, so each cause counts once.
    external_event_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "credit_transactions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="credits_user_created")]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount:+d} for {self.user_id}"


class Subscription(models.Model):
    """One Stripe subscription as its events described it (they may arrive in any order).

    Keyed by Stripe's id, so a cancellation that arrives before its checkout is remembered and the
    checkout cannot bring it back. A person's plan (`users.plan`) is the best of their active ones.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELED = "canceled", "Canceled"

    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    # Empty until an event tells us whose it is (client_reference_id, customer or email).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    plan = models.CharField(max_length=32, blank=True)  # empty until a price or metadata names it
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    # An unlimited plan is unlimited until this moment (the paid period's end plus a grace period).
    active_until = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "subscriptions"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan or '?'} ({self.status}) {self.stripe_subscription_id}"


class ProcessedWebhookEvent(models.Model):
    """A Stripe event we acted on; written with its ledger rows, so a replay changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    # When Stripe created the event; events arrive out of order, this is the order they happened.
    event_created_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "processed_webhook_events"
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class BillingFlag(models.Model):
    """Something about money an operator must look at (a refund that left a balance below zero…)."""

    class Kind(models.TextChoices):
        NEGATIVE_BALANCE = "negative_balance", "Balance below zero"
        UNMATCHED_PAYMENT = "unmatched_payment", "Payment from an unknown person"
        UNKNOWN_PLAN = "unknown_plan", "Payment for an unknown plan"
        UNMATCHED_REFUND = "unmatched_refund", "Refund of an unknown payment"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="billing_flags"
    )
    message = models.TextField()
    event_id = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "billing_flags"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class CreditAccount(User):
    """People seen from the billing side in the admin (balance, plan, the grant action)."""

    class Meta:
        proxy = True
        verbose_name = "credit account"
        verbose_name_plural = "credit accounts"
