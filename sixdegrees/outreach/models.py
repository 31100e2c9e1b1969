"""The outbox: each row is one email and the single source of truth for its state."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.ids import ID_MAX_LENGTH, email_id


class EmailOutreach(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        REPLIED = "replied", "Replied"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=email_id, editable=False)
    # No database constraint: imported data holds emails whose campaign is gone (orphans),
    # reported by import-d1 and cleared by `sixdegrees db prune-orphans`.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="emails", db_constraint=False)
    hop = models.PositiveSmallIntegerField(default=1)
    recipient_email = models.EmailField(max_length=254, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Generated and stored before the SMTP conversation so replies and retries can be matched.
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True)
    reply_intent = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "email_outreach"
        ordering = ["campaign_id", "hop", "created_at"]
        indexes = [
            models.Index(fields=["campaign", "hop"], name="emails_campaign_hop"),
            models.Index(fields=["status", "next_attempt_at"], name="emails_status_next"),
        ]

    def __str__(self) -> str:
        return f"{self.id} to {self.recipient_email} ({self.status})"


class Suppression(models.Model):
    """Addresses never to be emailed again by any campaign (unsubscribed, hard bounce, said stop)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Hard bounce"
        ASKED_TO_STOP = "asked_to_stop", "Asked to stop"
        OPERATOR = "operator", "Added by an operator"

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "suppressions"

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"

    @classmethod
    def is_suppressed(cls, address: str) -> bool:
        return cls.objects.filter(email__iexact=address.strip()).exists()
