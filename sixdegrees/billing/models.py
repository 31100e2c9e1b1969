"""The credit ledger: every change to a balance is one row here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.ids import ID_MAX_LENGTH, transaction_id


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
    reason = models.CharField(max_length=300, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    # Stripe event id (or another source's id): unique, so each external event counts once.
    external_event_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "credit_transactions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="credits_user_created")]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount:+d} for {self.user_id}"
