"""Telling the person: an email, in their language, after the commit, when something needs them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.lib.mail import send_to_person
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
    link = f"{settings.SITE_URL}/dashboard?campaign={campaign.pk}"
    with translation.override(owner.language or "en"):
        what = timeline.describe(event)
        name = (event.data or {}).get("recipient", "")
        words = {"name": name, "target": campaign.target_name, "link": link, "what": what, "reply": reply_text}
        if kind == "connected":
            subject = _("%(name)s replied: you're connected") % words
            body = (
                _(
                    "Good news: %(name)s replied to your email about %(target)s.\n\nTheir reply:\n\n%(reply)s\n\n"
                    "Open your campaign: %(link)s"
                )
                % words
            )
        elif kind == "reply":
            subject = _("%(name)s replied to your email") % words
            body = (
                _("%(what)s\n\nTheir reply:\n\n%(reply)s\n\nOpen your campaign to see what happens next: %(link)s")
                % words
            )
        else:
            subject = _("Your campaign to reach %(target)s needs you") % words
            body = _("%(what)s\n\nOpen your campaign: %(link)s") % words
    send_to_person(owner.email, subject, body)
