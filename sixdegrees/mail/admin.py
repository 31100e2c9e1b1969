"""Admin for service emails waiting for a retry. The rendered message is never shown (it may hold a code)."""

from __future__ import annotations

from django.contrib import admin

from sixdegrees.mail.models import ServiceEmail


@admin.register(ServiceEmail)
class ServiceEmailAdmin(admin.ModelAdmin):
    list_display = ["template", "to_address", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "template"]
    search_fields = ["to_address"]
    exclude = ["message"]
    readonly_fields = [
        "template",
        "to_address",
        "status",
        "attempts",
        "next_attempt_at",
        "expires_at",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False
