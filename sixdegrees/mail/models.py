"""Service emails that could not be sent at once, kept until a retry delivers them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ServiceEmail(models.Model):
    """One email the service owes a person (a sign-in code, a notice) after a failed attempt.

    The rendered message is kept because a retry must send the same code; nothing else about the
    person or the server (no password, no code in clear outside the message) is stored here.
    """

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for next_attempt_at
        SENT = "sent"
        FAILED = "failed"  # gave up: permanent error or too many attempts
        EXPIRED = "expired"  # no use any more (the code expired, or a newer email replaced it)

    template = models.CharField(max_length=100)
    to_address = models.EmailField(max_length=254)
    message = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "service_emails"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="service_emails_due")]

    def __str__(self) -> str:
        return f"{self.template} to {self.to_address} ({self.status})"
