"""Admin: the ledger and Stripe receipts are read-only; credits change only through the ledger."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from sixdegrees.billing import ledger
from sixdegrees.billing.models import (
    BillingFlag,
    CreditAccount,
    CreditTransaction,
    Payment,
    ProcessedWebhookEvent,
    Subscription,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the ledger or by Stripe: looked at here, never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditTransaction)
class CreditTransactionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "transaction_type", "amount", "plan", "campaign_id", "reason", "actor")
    list_filter = ("transaction_type", "plan", "created_at")
    search_fields = ("user__email", "user__id", "campaign__id", "external_event_id", "reason", "actor")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "plan", "amount", "currency", "credits", "status", "source_id")
    list_filter = ("status", "plan", "created_at")
    search_fields = ("user__email", "source_id", "payment_intent", "stripe_customer_id")
    list_select_related = ("user",)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("stripe_subscription_id", "user", "plan", "status", "active_until", "canceled_at")
    list_filter = ("status", "plan")
    search_fields = ("user__email", "stripe_subscription_id", "stripe_customer_id")


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("processed_at", "event_type", "event_id", "livemode", "outcome")
    list_filter = ("event_type", "livemode", "processed_at")
    search_fields = ("event_id", "outcome")


@admin.register(BillingFlag)
class BillingFlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "user", "message", "event_id", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "message", "event_id")
    actions = ["mark_resolved"]

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.change_billingflag")

    @admin.action(description="Mark the selected flags resolved", permissions=["resolve"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[BillingFlag]) -> None:
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, f"{count} flag(s) marked resolved.", messages.SUCCESS)


class GrantForm(forms.Form):
    amount = forms.IntegerField(help_text="Credits to add (negative to take away); each becomes a ledger row.")
    reason = forms.CharField(max_length=200, help_text="Why, in a few words; kept in the ledger.")

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("A grant of 0 credits changes nothing.")
        if abs(amount) > 10000:
            raise forms.ValidationError("At most 10000 credits at a time.")
        return amount


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    """People and their balances, with the one way an operator changes credits: the grant action."""

    list_display = ("email", "name", "plan", "credits_balance", "created_at")
    list_filter = ("plan",)
    search_fields = ("email", "name", "id")
    actions = ["grant_credits"]
    fields = ("id", "email", "name", "plan", "credits_balance", "created_at")

    def has_grant_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_credittransaction")

    @admin.action(description="Grant credits to the selected people…", permissions=["grant"])
    def grant_credits(self, request: HttpRequest, queryset: QuerySet[CreditAccount]) -> HttpResponse | None:
        form = GrantForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
            for account in queryset:
                ledger.grant(account, amount, reason=reason, actor=request.user)
            self.message_user(
                request, f"{amount:+d} credits for {queryset.count()} person(s), each written to the ledger."
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Grant credits",
            "form": form,
            "accounts": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/billing/grant_credits.html", context)
