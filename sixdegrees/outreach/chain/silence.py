"""Silence: a follow-up after OUTREACH_FOLLOW_UP_HOURS, the next-best path after OUTREACH_NEXT_PATH_DAYS."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.mail.build import render_text
from sixdegrees.outreach import outbox
from sixdegrees.outreach.chain.drafts import auto_approve, draft_in_thread, greeting, offer_next_path
from sixdegrees.outreach.chain.notices import notify
from sixdegrees.outreach.chain.shape import who
from sixdegrees.outreach.models import EmailOutreach, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def follow_up_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.OUTREACH_FOLLOW_UP_HOURS)


def next_path_window() -> dt.timedelta:
    return dt.timedelta(days=settings.OUTREACH_NEXT_PATH_DAYS)


def follow_up_due(email: EmailOutreach) -> dt.datetime | None:
    if email.sent_at is None:
        return None
    due = email.sent_at + follow_up_window()
    return max(due, email.follow_up_after) if email.follow_up_after else due


def _follow_up_body(root: EmailOutreach, zh: bool, user: str) -> str:
    return render_text("followup", {"greeting": greeting(root, zh), "user": user}, "zh-hans" if zh else "en")


def awaiting_reply():
    """First emails, sent and unanswered, in campaigns still running."""
    return EmailOutreach.objects.filter(
        status=Status.SENT,
        kind=Kind.MESSAGE,
        in_reply_to__isnull=True,
        sent_at__isnull=False,
        escalated_at__isnull=True,
        campaign__status=Campaign.Status.IN_PROGRESS,
    )


def create_follow_up(root: EmailOutreach, now: dt.datetime) -> EmailOutreach | None:
    campaign = root.campaign
    if Suppression.is_suppressed(root.recipient_email):
        return None
    zh = campaign.language.startswith("zh")
    try:
        with transaction.atomic():
            body = _follow_up_body(root, zh, campaign.user_name or campaign.email)
            follow_up = draft_in_thread(root, Kind.FOLLOW_UP, body, created_at=now)
    except IntegrityError:
        return None  # another worker made it (one follow-up per email, by constraint)
    hours = settings.OUTREACH_FOLLOW_UP_HOURS
    if auto_approve(follow_up):
        timeline.record(campaign, "followup_queued", recipient=who(root), hours=hours)
    else:
        event = timeline.record(campaign, "followup_drafted", recipient=who(root), hours=hours)
        notify(campaign, "waiting", event)
    return follow_up


def check_silence(now: dt.datetime | None = None) -> dict[str, int]:
    """Follow up after 48 h of silence; offer the next-best path after the second window."""
    now = now or timezone.now()
    follow_ups = EmailOutreach.objects.filter(in_reply_to=OuterRef("pk")).exclude(kind=Kind.BLURB)
    due = (
        awaiting_reply()
        .filter(Q(follow_up_after__isnull=True, sent_at__lte=now - follow_up_window()) | Q(follow_up_after__lte=now))
        .exclude(Exists(follow_ups))
        .select_related("campaign", "campaign__owner")[:200]
    )
    created = 0
    for root in due:
        if create_follow_up(root, now) is not None:
            created += 1
    cutoff = now - next_path_window()
    stale_follow_ups = follow_ups.filter(
        Q(sent_at__lte=cutoff) | Q(sent_at__isnull=True, created_at__lte=cutoff)
    ).exclude(status=Status.REPLIED)
    stalled = awaiting_reply().filter(Exists(stale_follow_ups)).select_related("campaign")[:200]
    escalated = 0
    for root in stalled:
        # Claimed first, so two workers never offer two paths for the same silence.
        if not outbox.mark_escalated(root, now):
            continue
        with transaction.atomic():
            index = offer_next_path(root.campaign, reason="silence")
        escalated += 1
        event = root.campaign.events.order_by("-id").first()
        if event is not None:
            notify(root.campaign, "waiting", event)
        logger.info(
            "no reply after the follow-up",
            extra={"event": "chain_silence", "campaign_id": root.campaign_id, "next_path": index},
        )
    return {"follow_ups": created, "next_paths": escalated}
