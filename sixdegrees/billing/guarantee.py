"""The guarantee: nobody replied within 48 hours of a campaign's first email, so its credit goes back.

Checked hourly (billing/tasks.py). Once per campaign (`guarantee:<campaign id>` is unique), and
only for campaigns that really spent a credit (a usage row below zero; unlimited plans spend none).
A reply that arrives after the window does not take the refund back, and nothing charges again:
the campaign's usage row already exists.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from sixdegrees.billing.ledger import Kind, record_change
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach.models import EmailOutreach

logger = logging.getLogger(__name__)

GUARANTEE_PREFIX = "guarantee:"


def window() -> dt.timedelta:
    return dt.timedelta(hours=settings.BILLING_GUARANTEE_HOURS)


def due_campaigns(now: dt.datetime | None = None):
    """Charged, unrefunded campaigns whose first email went out 48+ hours ago with no reply in time.

    One query: a campaign that had its reply in time drops out here instead of being looked at
    again every hour.
    """
    now = now or timezone.now()
    charged = CreditTransaction.objects.filter(
        transaction_type=Kind.USAGE, amount__lt=0, campaign_id__isnull=False
    ).values("campaign_id")
    refunded = CreditTransaction.objects.filter(external_event_id__startswith=GUARANTEE_PREFIX).values("campaign_id")
    first_sent = (
        EmailOutreach.objects.filter(campaign_id=OuterRef("pk"), sent_at__isnull=False)
        .order_by("sent_at")
        .values("sent_at")[:1]
    )
    replied_in_time = EmailOutreach.objects.filter(campaign_id=OuterRef("pk")).filter(
        Q(replied_at__lte=OuterRef("first_sent_at") + window())
        | Q(status=EmailOutreach.Status.REPLIED, replied_at__isnull=True)
    )
    return (
        Campaign.objects.filter(id__in=charged)
        .exclude(id__in=refunded)
        .annotate(first_sent_at=Subquery(first_sent))
        .filter(first_sent_at__lte=now - window())
        .exclude(Exists(replied_in_time))
        .order_by("first_sent_at")
    )


def refund_campaign(campaign: Campaign, hours: int | None = None) -> bool:
    """Give the campaign's credit back; False when it was refunded before."""
    hours = hours or settings.BILLING_GUARANTEE_HOURS
    with transaction.atomic():
        row = record_change(
            campaign.owner_id,
            1,
            Kind.REFUND,
            reason=f"No reply within {hours} hours: campaign credit refunded",
            actor="system",
            campaign_id=campaign.pk,
            external_event_id=f"{GUARANTEE_PREFIX}{campaign.pk}",
        )
        if row is None:
            return False
        Campaign.objects.filter(pk=campaign.pk).update(credits_used=0, updated_at=timezone.now())
        timeline.record(campaign, "credit_refunded", hours=hours)
    logger.info(
        "guarantee refund",
        extra={"event": "billing_guarantee_refund", "campaign_id": campaign.pk, "user_id": campaign.owner_id},
    )
    return True


def refund_unanswered_campaigns(now: dt.datetime | None = None) -> list[str]:
    """Refund every campaign now due; returns their ids. Safe to run twice, or on two workers."""
    now = now or timezone.now()
    refunded: list[str] = []
    for campaign in due_campaigns(now):
        if refund_campaign(campaign):
            refunded.append(campaign.pk)
    return refunded
