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
    }
    text = texts.get(event.kind)
    return text() if text else event.kind.replace("_", " ")
