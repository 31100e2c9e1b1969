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
        "role_filled": lambda: (
            _("You named %(name)s for step %(hop)s; the draft for that step now goes to them.")
            % {"name": d.get("name", ""), "hop": d.get("hop", "?")}
        ),
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
        # The reply watcher and the chain (outreach/watcher.py, outreach/chain/).
        "reply_yes": lambda: _("%(name)s said yes and will introduce you.") % {"name": d.get("recipient", "")},
        "reply_blurb": lambda: (
            _("%(name)s is happy to help and asked for a short note to forward.") % {"name": d.get("recipient", "")}
        ),
        "reply_ask_other": lambda: (
            _("%(name)s suggested asking %(other)s instead.")
            % {"name": d.get("recipient", ""), "other": d.get("other", "")}
        ),
        "reply_not_now": lambda: (
            _("%(name)s replied that now is not a good time. Nothing more is sent; you decide what comes next.")
            % {"name": d.get("recipient", "")}
        ),
        "reply_no": lambda: (
            _("%(name)s declined, so nobody further on this path will be contacted.") % {"name": d.get("recipient", "")}
        ),
        "reply_stop": lambda: (
            _("%(name)s asked not to be contacted again. SixDegrees will never email them again.")
            % {"name": d.get("recipient", "")}
        ),
        "reply_out_of_office": lambda: (
            _("%(name)s replied that they are away. You decide what comes next.") % {"name": d.get("recipient", "")}
        ),
        "reply_unclear": lambda: (
            _("%(name)s replied. Please read the reply and tell us what it means.") % {"name": d.get("recipient", "")}
        ),
        "reply_again": lambda: _("%(name)s replied again.") % {"name": d.get("recipient", "")},
        "connected": lambda: _("%(name)s replied. You're connected!") % {"name": d.get("recipient", "")},
        "target_declined": lambda: (
            _("%(name)s replied and declined. The campaign is complete.") % {"name": d.get("recipient", "")}
        ),
        "next_draft_ready": lambda: (
            _("The email to %(name)s now mentions %(introducer)s and is waiting for your approval.")
            % {"name": d.get("recipient", ""), "introducer": d.get("introducer", "")}
        ),
        "next_draft_kept": lambda: (
            _("You edited the email to %(name)s, so we kept your text. Consider mentioning %(introducer)s.")
            % {"name": d.get("recipient", ""), "introducer": d.get("introducer", "")}
        ),
        "blurb_ready": lambda: (
            _("A reply to %(name)s with a note they can forward is waiting for your approval.")
            % {"name": d.get("recipient", "")}
        ),
        "other_person_ready": lambda: (
            _("An email to %(name)s, mentioning %(introducer)s, is waiting for your approval.")
            % {"name": d.get("recipient", ""), "introducer": d.get("introducer", "")}
        ),
        "next_path_offered": lambda: (
            _("The drafts for the next best path (path %(n)s: %(label)s) are waiting for your approval.")
            % {"n": d.get("path", "?"), "label": d.get("label", "")}
        ),
        "no_path_left": lambda: _("There is no other path left to try. You can ask for a new plan."),
        "autopilot_waiting": lambda: (
            _("Auto-pilot could not send the email to %(name)s: %(reason)s")
            % {"name": d.get("recipient", ""), "reason": d.get("reason", "")}
        ),
        "autopilot_on": lambda: _("Auto-pilot is on: the next emails and follow-ups are sent without asking first."),
        "autopilot_off": lambda: _("Auto-pilot is off: every email waits for your approval."),
        "email_bounced": lambda: (
            _("The email to %(name)s bounced: %(reason)s")
            % {"name": d.get("recipient", ""), "reason": d.get("reason", "")}
        ),
        "email_delayed": lambda: (
            _("Delivery to %(name)s is delayed; the mail server is still trying.") % {"name": d.get("recipient", "")}
        ),
        "auto_reply": lambda: _("%(name)s sent an automatic reply.") % {"name": d.get("recipient", "")},
        "auto_reply_until": lambda: (
            _("%(name)s is away until %(date)s, so the follow-up waits until %(followup)s.")
            % {"name": d.get("recipient", ""), "date": d.get("date", ""), "followup": d.get("followup", "")}
        ),
        "followup_drafted": lambda: (
            _("No reply from %(name)s in %(hours)s hours: a short follow-up is waiting for your approval.")
            % {"name": d.get("recipient", ""), "hours": d.get("hours", 48)}
        ),
        "followup_queued": lambda: (
            _("No reply from %(name)s in %(hours)s hours: a short follow-up was queued (auto-pilot).")
            % {"name": d.get("recipient", ""), "hours": d.get("hours", 48)}
        ),
        "intent_changed": lambda: (
            _("You marked the reply from %(name)s as: %(intent)s.")
            % {"name": d.get("recipient", ""), "intent": intent_label(d.get("intent", ""))}
        ),
    }
    text = texts.get(event.kind)
    return text() if text else event.kind.replace("_", " ")


def intent_label(intent: str) -> str:
    """A reply's intent (outreach/intent.py) in the active language."""
    labels = {
        "yes": _("yes, happy to introduce"),
        "blurb": _("send me a short note to forward"),
        "ask_other": _("ask someone else instead"),
        "not_now": _("not now"),
        "no": _("no"),
        "stop": _("stop contacting me"),
        "out_of_office": _("away, out of office"),
        "unclear": _("unclear"),
    }
    return labels.get(intent, intent)
