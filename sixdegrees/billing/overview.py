"""What the dashboard's Credits tab shows: balance, plan, plans with links, payment history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from sixdegrees.accounts.models import User
from sixdegrees.billing import plans
from sixdegrees.billing.ledger import Kind, pro_active
from sixdegrees.billing.models import CreditTransaction, Payment, Subscription

HISTORY_LIMIT = 50


def overview(user: User) -> dict[str, Any]:
    fresh = User.objects.filter(pk=user.pk).values("credits_balance", "plan").get()
    current = plans.get_plan(fresh["plan"]) or plans.free_plan()
    unlimited_until = None
    if pro_active(user.pk):
        unlimited_until = Subscription.objects.filter(user_id=user.pk, status=Subscription.Status.ACTIVE).aggregate(
            until=Max("active_until")
        )["until"]
    enabled = plans.payments_enabled()
    return {
        "success": True,
        "credits_balance": fresh["credits_balance"],
        "plan": {
            "code": current.code,
            "name": current.display_name,
            "description": current.describe(),
            "unlimited": unlimited_until is not None,
            "unlimited_until": unlimited_until.isoformat() if unlimited_until else None,
        },
        "payments_enabled": enabled,
        "note": None if enabled else plans.payments_off_note(),
        "guarantee": _("If nobody replies within %(hours)s hours of your first email, your credit comes back.")
        % {"hours": settings.BILLING_GUARANTEE_HOURS},
        "plans": [plan_card(plan, user, current) for plan in plans.plans()],
        "history": history(user),
    }


def plan_card(plan: plans.Plan, user: User, current: plans.Plan) -> dict[str, Any]:
    return {
        "code": plan.code,
        "name": plan.display_name,
        "price": plan.price,
        "price_label": plan.price_label(),
        "campaigns_per_month": plan.campaigns_per_month,
        "unlimited": plan.unlimited,
        "api": plan.api,
        "description": plan.describe(),
        "payment_link": plans.payment_link(plan, user),
        "current": plan.code == current.code,
    }


def _money(amount: int | None, currency: str) -> str:
    if amount is None or not currency:
        return ""
    return f"{amount / 100:.2f} {currency.upper()}"


def _payment_status(status: str) -> str:
    texts: dict[str, str] = {
        Payment.Status.PAID: _("Paid"),
        Payment.Status.PARTIALLY_REFUNDED: _("Partly refunded"),
        Payment.Status.REFUNDED: _("Refunded"),
    }
    return texts.get(status, status)


def _payment_entry(payment: Payment) -> dict[str, Any]:
    plan = plans.get_plan(payment.plan)
    name = plan.display_name if plan else payment.plan
    return {
        "date": payment.created_at.isoformat(),
        "kind": "payment",
        "plan": payment.plan,
        "plan_name": name,
        "amount": payment.amount,
        "currency": payment.currency,
        "amount_display": _money(payment.amount, payment.currency),
        "credits": payment.credits - payment.credits_reversed,
        "status": payment.status,
        "status_text": _payment_status(payment.status),
        "description": _("%(plan)s plan") % {"plan": name},
    }


def _credit_description(row: CreditTransaction) -> tuple[str, str]:
    """(status, description) of a credit change that is not a payment."""
    key = row.external_event_id or ""
    if key.startswith("guarantee:"):
        return "credit_refunded", _("No reply within %(hours)s hours, so your credit was refunded.") % {
            "hours": settings.BILLING_GUARANTEE_HOURS
        }
    if key.startswith("grant:signup:"):
        return "granted", _("Welcome credit of the Free plan.")
    if key.startswith("refill:free:"):
        return "granted", _("Monthly credit of the Free plan.")
    if row.transaction_type == Kind.ADJUSTMENT or row.amount < 0:
        return "adjusted", _("Balance corrected by SixDegrees.")
    return "granted", _("Credits added by SixDegrees.")


def _credit_entry(row: CreditTransaction) -> dict[str, Any]:
    status, description = _credit_description(row)
    texts = {"credit_refunded": _("Credit returned"), "granted": _("Added"), "adjusted": _("Corrected")}
    plan = plans.get_plan(row.plan) if row.plan else None
    return {
        "date": row.created_at.isoformat(),
        "kind": "credit",
        "plan": row.plan,
        "plan_name": plan.display_name if plan else None,
        "amount": None,
        "currency": "",
        "amount_display": "",
        "credits": row.amount,
        "status": status,
        "status_text": texts[status],
        "description": description,
        "campaign_id": row.campaign_id,
    }


def history(user: User, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Payments, and credits that came without one (welcome, monthly, guarantee, operator), newest first."""
    payments = Payment.objects.filter(user=user).order_by("-created_at")[:limit]
    credits = (
        CreditTransaction.objects.filter(user=user, payment__isnull=True)
        .exclude(transaction_type__in=[Kind.USAGE, Kind.PURCHASE])
        .exclude(amount=0)
        .order_by("-created_at")[:limit]
    )
    entries = [_payment_entry(p) for p in payments] + [_credit_entry(r) for r in credits]
    entries.sort(key=lambda e: e["date"], reverse=True)  # ISO strings in UTC sort as times
    return entries[:limit]
