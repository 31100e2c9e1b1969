"""A campaign's timeline: events are stored as (kind, data) and worded when shown."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sixdegrees.campaigns.models import Campaign, TimelineEvent


def record(campaign: Campaign, kind: str, **data: Any) -> TimelineEvent:
    return TimelineEvent.objects.create(campaign=campaign, kind=kind, data=data)


def describe(event: TimelineEvent) -> str:
    """The event in the active language (the caller wraps this in translation.override)."""
    d = event.data or {}
    texts = {
        "created": lambda: _("Campaign created. Researching the target and looking for paths."),
        "plan_ready": lambda: (
            _("Plan ready: %(paths)s paths found; drafts are waiting for your approval.")
            % {"paths": d.get("paths", "?")}
        ),
        "plan_fallback": lambda: _("The AI planner was unavailable, so the built-in planner made this plan."),
        "plan_failed": lambda: _("We could not make a plan: %(reason)s") % {"reason": d.get("reason", "")},
        "plan_retry": lambda: _("Planning took too long; trying again (attempt %(n)s).") % {"n": d.get("attempt", "?")},
        "regenerate": lambda: _("You asked for a new plan. Working on it."),
        "path_selected": lambda: _("You chose path %(n)s.") % {"n": d.get("path", "?")},
        "email_edited": lambda: _("You edited the email to %(name)s.") % {"name": d.get("recipient", "")},
        "email_queued": lambda: (
            _("Email to %(name)s approved and queued for sending.") % {"name": d.get("recipient", "")}
        ),
        "credit_used": lambda: _("One credit used to start this campaign."),
        "credit_unlimited": lambda: _("Campaign started on your unlimited plan; no credit used."),
        "credit_refunded": lambda: (
            _("No reply within %(hours)s hours, so your credit was refunded.") % {"hours": d.get("hours", 48)}
        ),
        "email_sent": lambda: _("Email to %(name)s sent.") % {"name": d.get("recipient", "")},
        "email_sent_locally": lambda: (
            _("Email to %(name)s saved in the local outbox folder; no mailbox is connected, so it was not sent.")
            % {"name": d.get("recipient", "")}
        ),
        "email_failed": lambda: (
            _("The email to %(name)s could not be sent: %(reason)s")
            % {"name": d.get("recipient", ""), "reason": d.get("reason", "")}
        ),
        "followup_skipped": lambda: (
            _("The follow-up to %(name)s was not sent: a reply came first.") % {"name": d.get("recipient", "")}
        ),
        "mailbox_paused_quota": lambda: (
            _(
                "Sending paused: %(mailbox)s reached its daily sending limit. Your emails wait and go out after %(until)s UTC."
            )
            % {"mailbox": d.get("mailbox", ""), "until": d.get("until", "")}
        ),
        "mailbox_paused_auth": lambda: (
            _(
                "Sending paused: the mail server refused the password for %(mailbox)s. Your emails wait until the password is updated."
            )
            % {"mailbox": d.get("mailbox", "")}
        ),
    }
    text = texts.get(event.kind)
    return text() if text else event.kind.replace("_", " ")
