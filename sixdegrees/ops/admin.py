"""The Django admin for the runbook's manual fixes: people, campaigns, worker heartbeats.

Registered here unless the owning app registered them first (outreach registers its outbox,
mailboxes and suppressions; billing the ledger and the "grant credits" action on credit accounts).
Credits are never edited here: the balance changes only through billing's ledger, so the admin
points operators at Billing › Credit accounts › "Grant credits". Every change made here is a
LogEntry and a JSON log line with the actor (see ops/audit.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.ops.models import WorkerHeartbeat


class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "plan", "credits_balance", "language", "is_active", "is_staff", "created_at")
    list_filter = ("plan", "language", "is_active", "is_staff", "email_verified")
    search_fields = ("email", "name", "id")
    ordering = ("-created_at",)
    fieldsets = (
        (None, {"fields": ("id", "email", "name", "language", "email_verified")}),
        ("Preferences", {"fields": ("reminder_emails", "share_network")}),
        (
            "Plan and credits",
            {
                "fields": ("plan", "credits_balance"),
                "description": "Credits change only through the ledger: Billing › Credit accounts › Grant credits.",
            },
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions", "last_login")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("id", "plan", "credits_balance", "last_login", "created_at", "updated_at")
    filter_horizontal = ("groups", "user_permissions")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if "email" in form.changed_data:
            obj.email = User.objects.normalize_email(obj.email).lower()
        super().save_model(request, obj, form, change)


class CampaignStepInline(admin.TabularInline):
    model = CampaignStep
    fields = ("created_at", "step_type", "planner", "status", "duration_ms", "cost_usd", "error_message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "owner",
        "target_name",
        "target_company",
        "status",
        "credits_used",
        "created_at",
        "updated_at",
    )
    list_filter = ("status", "language", "created_at")
    search_fields = ("id", "target_name", "target_company", "owner__email", "email")
    raw_id_fields = ("owner",)
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    fields = (
        "id",
        "owner",
        "email",
        "user_name",
        "target_name",
        "target_company",
        "status",
        "error_message",
        "language",
        "credits_used",
        "selected_path",
        "plan_attempts",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("id", "owner", "credits_used", "selected_path", "plan_attempts", "created_at", "updated_at")
    inlines = (CampaignStepInline,)
    actions = ("mark_completed",)

    @admin.action(description="Mark the selected campaigns completed", permissions=["change"])
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        done = 0
        for campaign in queryset.exclude(status=Campaign.Status.COMPLETED):
            before = campaign.status
            campaign.status = Campaign.Status.COMPLETED
            campaign.save(update_fields=["status", "updated_at"])
            self.log_change(request, campaign, f"Marked completed (was {before}) from the admin.")
            done += 1
        self.message_user(request, f"{done} campaign(s) marked completed.", messages.SUCCESS)


class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Read-only: what `sixdegrees status` calls the worker heartbeat."""

    list_display = ("worker", "beat_at", "started_at")
    ordering = ("-beat_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for _model, _admin in ((User, UserAdmin), (Campaign, CampaignAdmin), (WorkerHeartbeat, WorkerHeartbeatAdmin)):
    if not admin.site.is_registered(_model):
        admin.site.register(_model, _admin)
