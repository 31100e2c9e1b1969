"""Admin for the outbox, mailboxes and the suppression list. Passwords are write-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sixdegrees.outreach.mailboxes import test_connection
from sixdegrees.outreach.models import EmailOutreach, Mailbox, MailboxCursor, Reply, Suppression


class MailboxForm(forms.ModelForm):
    new_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored password. Stored encrypted; never shown again.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "owner",
            "address",
            "display_name",
            "reply_to",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_cafile",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_cafile",
            "username",
            "is_active",
            "daily_cap",
            "min_interval_seconds",
            "window_start",
            "window_end",
            "window_timezone",
            "paused_until",
            "pause_reason",
        ]

    def save(self, commit: bool = True) -> Mailbox:
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            mailbox.set_password(self.cleaned_data["new_password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "address",
        "owner",
        "smtp_host",
        "imap_host",
        "pause_reason",
        "paused_until",
        "daily_cap",
        "is_active",
    ]
    list_filter = ["is_active", "pause_reason", "from_env"]
    search_fields = ["address", "owner__email"]
    readonly_fields = ["last_error", "last_error_at", "last_sent_at", "next_send_at", "created_at", "updated_at"]
    actions = ["run_connection_test", "resume_sending"]

    @admin.action(description="Test connection (SMTP and IMAP login)")
    def run_connection_test(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            report = test_connection(mailbox)
            level = messages.SUCCESS if report.ok else messages.ERROR
            self.message_user(request, f"{mailbox}: " + " · ".join(report.lines), level)

    @admin.action(description="Resume sending (clear the pause)")
    def resume_sending(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        count = queryset.update(pause_reason="", paused_until=None, paused_credential="", updated_at=timezone.now())
        self.message_user(request, f"{count} mailbox(es) resumed.")


@admin.register(EmailOutreach)
class EmailOutreachAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "hop", "recipient_email", "status", "attempts", "sent_at", "mailbox"]
    list_filter = ["status"]
    search_fields = ["id", "recipient_email", "message_id", "campaign__id"]
    raw_id_fields = ["campaign", "in_reply_to", "mailbox"]
    readonly_fields = ["message_id", "attempts", "lease_until", "sent_at", "delivery_note", "created_at", "updated_at"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    """What the watcher read: for checking a match or an intent; changed only through the API."""

    list_display = ["received_at", "kind", "intent", "from_address", "email", "matched_by"]
    list_filter = ["kind", "intent", "intent_source", "hard_bounce"]
    search_fields = ["from_address", "message_id", "email__id"]
    raw_id_fields = ["email", "mailbox"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MailboxCursor)
class MailboxCursorAdmin(admin.ModelAdmin):
    """Where the watcher is in each folder; delete a row to make it read the folder again."""

    list_display = ["mailbox", "folder", "uidvalidity", "last_uid", "last_checked_at", "last_error"]
    readonly_fields = ["mailbox", "folder", "uidvalidity", "last_uid", "lease_until", "last_checked_at", "last_error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
