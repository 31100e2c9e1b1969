"""Telling the person: an email, in their language, after the commit, when something needs them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.mail import service
from sixdegrees.outreach.models import EmailOutreach, Reply

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def notify(campaign: Campaign, kind: str, event: TimelineEvent, *, reply: Reply | None = None) -> None:
    """Email the person (in their language, if they want reminder emails), after the commit."""
    owner = campaign.owner
    if not getattr(owner, "reminder_emails", False) or not owner.email:
        return
    transaction.on_commit(lambda: _send_notice(campaign.pk, kind, event.pk, reply.text if reply else ""))


def _send_notice(campaign_id: str, kind: str, event_id: int, reply_text: str) -> None:
    campaign = Campaign.objects.select_related("owner").filter(pk=campaign_id).first()
    event = TimelineEvent.objects.filter(pk=event_id).first()
    if campaign is None or event is None:
        return
    owner = campaign.owner
    language = owner.language or "en"
    with translation.override(language):
        what = timeline.describe(event)
    context = {
        "name": (event.data or {}).get("recipient", ""),
        "target": campaign.target_name,
        "link": f"{settings.SITE_URL}/dashboard?campaign={campaign.pk}",
        "what": what,
        "reply": reply_text,
    }
    template = {"connected": "notice-connected", "reply": "notice-reply"}.get(kind, "notice-needs-you")
    try:
        service.send(template, context, to=owner.email, language=language)
    except service.NotSent:
        pass  # stored and retried by the mail task; the campaign goes on meanwhile
