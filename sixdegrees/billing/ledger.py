"""The only code that changes a credit balance: each change is a ledger row in the same transaction.

Rules, so concurrent writers stay correct on SQLite and PostgreSQL alike:
- The balance only moves through `UPDATE … SET credits_balance = credits_balance ± n` (an F()
  expression), never read-modify-write; spending adds `WHERE credits_balance >= 1` and checks
  the row count, so two starts can never spend the same credit.
- The user row is updated before the ledger row is inserted, always in that order, and both sit in
  one savepoint: a duplicate cause (unique `external_event_id`) rolls the balance back with it.
- SQLite takes its write lock at BEGIN (IMMEDIATE transactions), PostgreSQL locks the user row at
  the UPDATE; either way a second writer waits and then sees the first one's result.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sixdegrees.accounts.models import User
from sixdegrees.billing import plans
from sixdegrees.billing.models import BillingFlag, CreditTransaction, Payment, Subscription
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.http import BadRequest

logger = logging.getLogger(__name__)

Kind = CreditTransaction.Kind


class NoCredits(BadRequest):
    """Starting a campaign without a credit: 402, with where to get one."""

    def __init__(self) -> None:
        super().__init__(
            _("You have no credits left. Choose a plan on the Credits tab to continue."),
            status=402,
        )
        self.extra = {"upgrade_url": settings.BILLING_UPGRADE_URL}


def actor_for(who: Any) -> str:
    """How a ledger row names who caused it: `user:<id>`, `admin:<email>`, or a word like `stripe`."""
    if isinstance(who, str):
        return who[:100]
    if getattr(who, "is_staff", False):
        return f"admin:{who.email}"[:100]
    if getattr(who, "pk", None):
        return f"user:{who.pk}"[:100]
    return "system"


def record_change(
    user_id: str,
    amount: int,
    kind: str,
    *,
    reason: str,
    actor: str = "system",
    plan: str | None = None,
    campaign_id: str | None = None,
    payment: Payment | None = None,
    external_event_id: str | None = None,
) -> CreditTransaction | None:
    """Move `user_id`'s balance by `amount` and write its ledger row, in one transaction.

    Returns the row, or None when `external_event_id` was already recorded (nothing changes).
    A balance pushed below zero (a refund of spent credits) is applied as is, never clipped, and
    flagged for an operator.
    """
    with transaction.atomic():
        if external_event_id and CreditTransaction.objects.filter(external_event_id=external_event_id).exists():
            return None
        try:
            with transaction.atomic():
                updated = User.objects.filter(pk=user_id).update(credits_balance=F("credits_balance") + amount)
                if updated != 1:
                    raise User.DoesNotExist(f"no user {user_id}")
                row = CreditTransaction.objects.create(
                    user_id=user_id,
                    amount=amount,
                    transaction_type=kind,
                    plan=plan,
                    campaign_id=campaign_id,
                    payment=payment,
                    reason=reason[:300],
                    actor=actor[:100],
                    external_event_id=external_event_id,
                )
        except IntegrityError:
            if external_event_id and CreditTransaction.objects.filter(external_event_id=external_event_id).exists():
                return None  # another transaction recorded the same cause a moment ago
            raise
        if amount < 0:
            _flag_if_negative(user_id, row)
    return row


def _flag_if_negative(user_id: str, row: CreditTransaction) -> None:
    balance = User.objects.filter(pk=user_id).values_list("credits_balance", flat=True).get()
    if balance >= 0:
        return
    message = f"Balance of {user_id} is {balance} after {row.transaction_type} {row.amount:+d} ({row.reason})."
    BillingFlag.objects.create(
        kind=BillingFlag.Kind.NEGATIVE_BALANCE,
        user_id=user_id,
        message=message,
        event_id=row.external_event_id or "",
        data={"balance": balance, "transaction_id": row.id, "amount": row.amount},
    )
    logger.error(
        "credit balance below zero",
        extra={"event": "billing_negative_balance", "user_id": user_id, "balance": balance, "transaction": row.id},
    )


def grant(user: User, amount: int, *, reason: str, actor: Any = "system", external_event_id: str | None = None):
    """An operator's (or the system's) grant; a negative amount is an adjustment."""
    if amount == 0:
        raise ValueError("a grant of 0 credits changes nothing")
    kind = Kind.GRANT if amount > 0 else Kind.ADJUSTMENT
    return record_change(
        user.pk, amount, kind, reason=reason, actor=actor_for(actor), external_event_id=external_event_id
    )


def grant_signup_credit(user: User) -> CreditTransaction | None:
    """A new person's free-plan credit; once per person, whatever calls it."""
    free = plans.free_plan()
    return record_change(
        user.pk,
        free.campaigns_per_month or 0,
        Kind.GRANT,
        reason="Free plan: welcome credit",
        plan=free.code,
        external_event_id=f"grant:signup:{user.pk}",
    )


def pro_active(user_id: str, now: dt.datetime | None = None) -> bool:
    """Unlimited campaigns: an active subscription to an unlimited plan, paid until after now."""
    now = now or timezone.now()
    unlimited = [plan.code for plan in plans.plans() if plan.unlimited]
    return Subscription.objects.filter(
        user_id=user_id, plan__in=unlimited, status=Subscription.Status.ACTIVE, active_until__gt=now
    ).exists()


class _AlreadyCharged(Exception):
    pass


@dataclass(frozen=True)
class ChargeResult:
    charged: bool  # a credit was spent now
    reason: str  # "charged", "already_charged", "unlimited"


def charge_campaign_start(campaign: Campaign, actor: Any = "system") -> ChargeResult:
    """Spend the credit for starting `campaign` (its first approved send), once per campaign.

    Call it inside the transaction that queues the email: NoCredits (402) rolls that back too,
    so without a credit nothing is queued and the draft stays a draft.
    """
    key = f"usage:{campaign.pk}"
    with transaction.atomic():
        if CreditTransaction.objects.filter(external_event_id=key).exists():
            return ChargeResult(False, "already_charged")
        # Campaigns imported from the earlier deployment were paid there.
        if Campaign.objects.filter(pk=campaign.pk, credits_used__gt=0).exists():
            return ChargeResult(False, "already_charged")
        user_id = campaign.owner_id
        who = actor_for(actor)
        if pro_active(user_id):
            # Recorded with amount 0, so this campaign counts as started (no charge later).
            row = record_change(
                user_id,
                0,
                Kind.USAGE,
                reason="Campaign started (unlimited plan)",
                actor=who,
                plan=plans.PRO,
                campaign_id=campaign.pk,
                external_event_id=key,
            )
            if row is None:
                return ChargeResult(False, "already_charged")
            timeline.record(campaign, "credit_unlimited")
            return ChargeResult(False, "unlimited")
        try:
            with transaction.atomic():
                spent = User.objects.filter(pk=user_id, credits_balance__gte=1).update(
                    credits_balance=F("credits_balance") - 1
                )
                if spent != 1:
                    if CreditTransaction.objects.filter(external_event_id=key).exists():
                        # Another email of this campaign spent the last credit a moment ago: the
                        # campaign is paid for, so this email goes too.
                        raise _AlreadyCharged()
                    raise NoCredits()
                CreditTransaction.objects.create(
                    user_id=user_id,
                    amount=-1,
                    transaction_type=Kind.USAGE,
                    plan=User.objects.filter(pk=user_id).values_list("plan", flat=True).first(),
                    campaign_id=campaign.pk,
                    reason="Campaign started",
                    actor=who,
                    external_event_id=key,
                )
        except (IntegrityError, _AlreadyCharged):
            # Another approval in this campaign charged it a moment ago; our decrement rolled back.
            return ChargeResult(False, "already_charged")
        Campaign.objects.filter(pk=campaign.pk).update(credits_used=1, updated_at=timezone.now())
        timeline.record(campaign, "credit_used")
    logger.info("campaign charged", extra={"event": "billing_usage", "campaign_id": campaign.pk, "user_id": user_id})
    return ChargeResult(True, "charged")


def refill_free_plans(now: dt.datetime | None = None) -> int:
    """Top every free-plan person up to the plan's monthly credits; once per person per month.

    Runs on the 1st (billing/tasks.py). People who joined this month already got their welcome
    credit, and a balance below zero (a refund clawed back) is left for the operator.
    """
    now = now or timezone.now()
    free = plans.free_plan()
    allowance = free.campaigns_per_month or 0
    month = now.strftime("%Y-%m")
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    done = CreditTransaction.objects.filter(external_event_id__startswith=f"refill:free:{month}:").values("user_id")
    candidates = (
        User.objects.filter(
            plan=free.code,
            is_active=True,
            created_at__lt=month_start,
            credits_balance__gte=0,
            credits_balance__lt=allowance,
        )
        .exclude(id__in=done)
        .values_list("id", "credits_balance")
    )
    refilled = 0
    for user_id, balance in list(candidates.iterator()):
        key = f"refill:free:{month}:{user_id}"
        try:
            with transaction.atomic():
                # Compare-and-set: if the balance moved since we read it, leave this person for now.
                moved = User.objects.filter(pk=user_id, credits_balance=balance).update(
                    credits_balance=F("credits_balance") + (allowance - balance)
                )
                if moved != 1:
                    continue
                CreditTransaction.objects.create(
                    user_id=user_id,
                    amount=allowance - balance,
                    transaction_type=Kind.GRANT,
                    plan=free.code,
                    reason=f"Free plan: monthly credit for {month}",
                    actor="system",
                    external_event_id=key,
                )
        except IntegrityError:
            continue  # another worker refilled this person first
        refilled += 1
    if refilled:
        logger.info("free plans refilled", extra={"event": "billing_refill", "month": month, "count": refilled})
    return refilled


@dataclass(frozen=True)
class Mismatch:
    user_id: str
    email: str
    balance: int
    ledger: int

    @property
    def difference(self) -> int:
        return self.balance - self.ledger

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "balance": self.balance,
            "ledger": self.ledger,
            "difference": self.difference,
        }


def check_balances() -> list[Mismatch]:
    """Every person whose balance differs from the sum of their ledger rows (one query)."""
    rows = (
        User.objects.annotate(
            ledger=Coalesce(Sum("credit_transactions__amount"), Value(0), output_field=IntegerField())
        )
        .filter(~Q(credits_balance=F("ledger")))
        .order_by("email")
        .values_list("id", "email", "credits_balance", "ledger")
    )
    return [Mismatch(*row) for row in rows]
