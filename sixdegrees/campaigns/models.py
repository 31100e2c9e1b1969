"""Campaigns and their AI work log (table names kept from the earlier deployment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sixdegrees.campaigns.plan import StoredPlan, plan_of
from sixdegrees.lib.ids import ID_MAX_LENGTH, campaign_id, step_id


class Campaign(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Analyzing"
        READY = "ready", "Ready to launch"
        IN_PROGRESS = "in_progress", "In progress"
        CONNECTED = "connected", "Connected"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Needs attention"

    ACTIVE_STATUSES = (Status.PROCESSING, Status.READY, Status.IN_PROGRESS)

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=campaign_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns", db_column="user_id"
    )
    # False while the campaign waits for the browser that made it to prove the address (sign in
    # with the emailed code): until then it is not in the owner's account and nothing is sent.
    owner_confirmed = models.BooleanField(default=True)
    # The owner's email and name as given at intake (the account's may change later).
    email = models.EmailField(max_length=254)
    user_name = models.CharField(max_length=100, blank=True)
    background = models.TextField(db_column="cv", blank=True)
    target_name = models.CharField(max_length=200)
    target_company = models.CharField(max_length=200, db_column="target_role", blank=True)
    motivation = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    # The plan as JSON: read it through plan_view() (campaigns/plan.py describes the shapes).
    results = models.JSONField(null=True, blank=True)
    selected_path = models.PositiveSmallIntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    credits_used = models.IntegerField(default=0)
    # The person's auto-pilot switch: the chain's next emails (after a yes) and follow-ups are
    # queued without waiting for their approval of each one.
    autopilot = models.BooleanField(default=False)
    # Planning runs in the background; the lease lets the watchdog re-run a plan whose worker died.
    plan_attempts = models.PositiveSmallIntegerField(default=0)
    plan_lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "campaigns"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"], name="campaigns_owner_status"),
            models.Index(fields=["status", "updated_at"], name="campaigns_status_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.id} → {self.target_name}"

    def plan_view(self) -> StoredPlan:
        """The stored plan, typed and validated once (PlanUnreadable when it cannot be read)."""
        return plan_of(self)


class CampaignStep(models.Model):
    """One AI operation (research, path finding, drafting) with its cost and outcome."""

    class Kind(models.TextChoices):
        RESEARCH_TARGET = "research_target", "Research target"
        FIND_PATHS = "find_paths", "Find paths"
        DRAFT_EMAILS = "draft_emails", "Draft emails"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=step_id, editable=False)
    # No database constraint: the earlier deployment left steps whose campaign is gone, and
    # `sixdegrees db prune-orphans` is how an operator clears them.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps", db_constraint=False)
    step_type = models.CharField(max_length=32)
    step_description = models.TextField(blank=True)
    planner = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    duration_ms = models.IntegerField(null=True, blank=True)
    input_tokens = models.IntegerField(null=True, blank=True)
    output_tokens = models.IntegerField(null=True, blank=True)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    credits_cost = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "campaign_steps"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["campaign", "created_at"], name="steps_campaign_created")]

    def __str__(self) -> str:
        return f"{self.step_type} ({self.status})"


class TimelineEvent(models.Model):
    """One line of a campaign's "What's happening now" timeline.

    `kind` names the event and `data` holds its details; the text is rendered at display time
    in the reader's language (see campaigns/timeline.py), so nothing is stored pre-translated.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "campaign_events"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["campaign", "created_at"], name="events_campaign_created")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
