"""The chain's shape: the chosen path, its hops, the email that stands for each hop, threads."""

from __future__ import annotations

import logging

from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.plan import PlanPath, StoredPlan, plan_or_empty
from sixdegrees.outreach.models import EmailOutreach

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


MAX_THREAD_DEPTH = 20


def _chain_plan(campaign: Campaign) -> StoredPlan:
    """The plan the chain works from: none for an imported one, whose path lists only intermediaries."""
    plan = plan_or_empty(campaign)[0]
    return StoredPlan() if plan.legacy else plan


def paths_of(campaign: Campaign) -> list[PlanPath]:
    return _chain_plan(campaign).paths


def current_path(campaign: Campaign) -> PlanPath | None:
    return _chain_plan(campaign).path(campaign.selected_path)


def chain_length(campaign: Campaign) -> int | None:
    """How many hops the campaign's chosen path has (None for campaigns without a plan)."""
    path = current_path(campaign)
    return len(path.chain) if path and path.chain else None


def is_last_hop(email: EmailOutreach) -> bool:
    length = chain_length(email.campaign)
    if length is None:
        last = EmailOutreach.objects.filter(campaign_id=email.campaign_id, kind=Kind.MESSAGE).order_by("-hop").first()
        return last is None or email.hop >= last.hop
    return email.hop >= length


def hop_email(campaign: Campaign, hop: int) -> EmailOutreach | None:
    """The email that currently stands for `hop`: the newest first email (not a follow-up) to it."""
    return (
        EmailOutreach.objects.filter(campaign=campaign, hop=hop, kind=Kind.MESSAGE, in_reply_to__isnull=True)
        .order_by("-created_at")
        .first()
    )


def root_of(email: EmailOutreach) -> EmailOutreach:
    """The first email of a thread (follow-ups and blurbs hang under it)."""
    seen = {email.pk}
    while email.in_reply_to_id and len(seen) < MAX_THREAD_DEPTH:
        parent = EmailOutreach.objects.select_related("campaign").filter(pk=email.in_reply_to_id).first()
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        email = parent
    return email


def who(email: EmailOutreach) -> str:
    return email.recipient_name or email.recipient_email
