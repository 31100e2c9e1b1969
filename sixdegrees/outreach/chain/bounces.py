"""Bounces, automatic replies and the suppression list they feed."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.outreach import outbox
from sixdegrees.outreach.chain.notices import notify
from sixdegrees.outreach.chain.shape import root_of, who
from sixdegrees.outreach.chain.silence import follow_up_due
from sixdegrees.outreach.models import EmailOutreach, Reply, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def suppress(address: str, reason: str, detail: str) -> None:
    address = (address or "").strip().lower()
    if not address:
        return
    if not Suppression.objects.filter(email__iexact=address).exists():
        try:
            with transaction.atomic():
                Suppression.objects.create(email=address, reason=reason, detail=detail[:500])
        except IntegrityError:
            pass  # added meanwhile


def apply_bounce(reply: Reply) -> None:
    email = reply.email
    assert email is not None
    campaign = email.campaign
    if reply.kind == Reply.Kind.DELAY:
        timeline.record(campaign, "email_delayed", recipient=who(email), reason=reply.detail[:300])
        return
    outbox.mark_bounced(email, f"Bounced: {reply.detail}")
    if reply.hard_bounce and email.recipient_email:
        suppress(email.recipient_email, Suppression.Reason.BOUNCED, f"{reply.bounce_status} {reply.detail}".strip())
    event = timeline.record(campaign, "email_bounced", recipient=who(email), reason=reply.detail[:300])
    notify(campaign, "waiting", event)


def apply_auto_reply(reply: Reply) -> None:
    """Out of office: not a reply. A stated return date moves the follow-up to the day after it."""
    email = reply.email
    assert email is not None
    root = root_of(email)
    campaign = root.campaign
    if reply.return_date is None:
        timeline.record(campaign, "auto_reply", recipient=who(root))
        return
    back = dt.datetime.combine(reply.return_date, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
    due = max(back, follow_up_due(root) or back)
    EmailOutreach.objects.filter(pk=root.pk).update(follow_up_after=due, updated_at=timezone.now())
    # A follow-up already waiting to go out waits for their return too.
    outbox.defer(EmailOutreach.objects.filter(in_reply_to=root, kind=Kind.FOLLOW_UP), due)
    timeline.record(
        campaign,
        "auto_reply_until",
        recipient=who(root),
        date=reply.return_date.isoformat(),
        followup=f"{due:%Y-%m-%d}",
    )
