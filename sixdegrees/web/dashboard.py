"""What the dashboard shows: one campaign (plan, chain, emails, timeline, milestone), the
Connections list, and the signed-in person's credits and settings.

Everything is worded here or in the templates, in the reader's language; the campaign's own
texts (strategy, paths, drafts) stay in the language the campaign was planned in.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sixdegrees.accounts.access import is_signed_in_owner, visible_campaigns
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.plan import plan_or_empty
from sixdegrees.campaigns.serialize import campaign_detail, status_label
from sixdegrees.network.models import Person
from sixdegrees.outreach.approval import EDIT_FIELDS
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.web import chain as chain_layout
from sixdegrees.web.plans import credits_context
from sixdegrees.web.settings_tab import settings_forms

TABS = ("campaign", "connections", "credits", "settings")
REPLY_WINDOW_HOURS = 48
POLL_SECONDS = 30
POLL_SECONDS_PROCESSING = 2

EMAIL_STATUS = {
    "draft": gettext_lazy("Draft"),
    "queued": gettext_lazy("Queued"),
    "sending": gettext_lazy("Sending"),
    "sent": gettext_lazy("Sent"),
    "failed": gettext_lazy("Failed"),
    "bounced": gettext_lazy("Bounced"),
    "replied": gettext_lazy("Replied"),
}
REPLY_INTENTS = {
    "yes": gettext_lazy("Happy to help"),
    "intro": gettext_lazy("Made the introduction"),
    "question": gettext_lazy("Asked a question"),
    "not_now": gettext_lazy("Not right now"),
    "no": gettext_lazy("Declined"),
    "stop": gettext_lazy("Asked not to be contacted"),
    "auto_reply": gettext_lazy("Automatic reply"),
}
STEP_LABELS = {
    "research_target": gettext_lazy("Researched the target"),
    "find_paths": gettext_lazy("Found and ranked paths"),
    "draft_emails": gettext_lazy("Drafted the emails"),
}
STEP_STATUS = {
    "completed": gettext_lazy("Done"),
    "running": gettext_lazy("Working"),
    "pending": gettext_lazy("Waiting"),
    "failed": gettext_lazy("Failed"),
}
PLANNERS = {"offline": gettext_lazy("Built-in planner"), "anthropic": "Claude"}


def campaign_url(campaign_id: str, tab: str = "") -> str:
    query = {"campaign": campaign_id}
    if tab and tab != "campaign":
        query["tab"] = tab
    return reverse("web:dashboard") + "?" + urlencode(query)


def contact_address() -> str:
    """An address people can write to, or "" when only a no-reply sender is configured."""
    configured = getattr(settings, "SIXDEGREES_CONTACT_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    address = parseaddr(configured)[1]
    if not address or "no-reply" in address or "noreply" in address or address.endswith("@localhost"):
        return ""
    return address


def from_epoch(value: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC) if value else None


def elapsed_words(minutes: int) -> str:
    hours, minutes = divmod(max(minutes, 0), 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


# --- One campaign ----------------------------------------------------------------------------


def _email_view(
    email: EmailOutreach, roles: dict[int, str], now: dt.datetime, to_find: dict[int, bool] | None = None
) -> dict[str, Any]:
    status = email.status
    deadline = email.sent_at + dt.timedelta(hours=REPLY_WINDOW_HOURS) if email.sent_at else None
    if status == "draft":
        follow_up = _("Waiting for your approval. Nothing is sent until you say so.")
    elif status in ("queued", "sending"):
        follow_up = _("Approved. It goes out from your mailbox within a few minutes.")
    elif status == "sent" and deadline and deadline > now:
        follow_up = _("If there is no reply within 48 hours, we send one polite follow-up.")
    elif status == "sent":
        follow_up = _("No reply after 48 hours: one polite follow-up is next, then the next-best introducer.")
    elif status == "replied" and email.reply_intent in ("no", "stop", "not_now"):
        follow_up = _("They declined. We will suggest the next-best path; nobody is contacted without you.")
    elif status == "replied":
        follow_up = _("They replied. Any next email is drafted for your approval.")
    else:
        follow_up = _("This email could not be sent. Check the address, then approve it again or choose another path.")
    return {
        "id": email.id,
        "hop": email.hop,
        "to": email.recipient_email,
        "name": email.recipient_name,
        "role": roles.get(email.hop, ""),
        "subject": email.subject,
        "body": email.body,
        "status": status,
        "status_label": EMAIL_STATUS.get(status, status),
        "is_draft": status == "draft",
        "sent_at": email.sent_at,
        "queued_at": email.queued_at,
        "replied_at": email.replied_at,
        "deadline": deadline,
        "reply": email.reply_text,
        "intent": REPLY_INTENTS.get(email.reply_intent, email.reply_intent),
        "error": email.error_message,
        "follow_up": follow_up,
        "to_find": bool(to_find and to_find.get(email.hop)) and status == "draft",
        "went_out": status in ("sent", "replied"),
        "no_reply": status == "sent",
    }


def _milestone(campaign: Campaign, emails: list[dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    status = campaign.status
    if status == Campaign.Status.PROCESSING:
        return {
            "kind": "processing",
            "title": _("Making your plan"),
            "detail": _("Still analyzing connections… usually takes a minute."),
        }
    if status == Campaign.Status.FAILED:
        return {
            "kind": "failed",
            "title": _("This campaign needs your attention"),
            "detail": campaign.error_message or _("We could not make a plan. You can ask for a new one."),
        }
    if status == Campaign.Status.CONNECTED:
        return {
            "kind": "connected",
            "title": _("You are connected with %(name)s.") % {"name": campaign.target_name},
            "detail": _("They replied. Take it from here, and good luck."),
        }
    if status == Campaign.Status.COMPLETED:
        return {"kind": "completed", "title": _("This campaign is complete."), "detail": ""}
    gone = [e for e in emails if e["status"] != "draft"]
    drafts = [e for e in emails if e["status"] == "draft"]
    current = gone[-1] if gone else None
    upcoming = drafts[0] if drafts else None
    if current is None:
        if upcoming is None:
            return {"kind": "ready", "title": _("Your plan is ready."), "detail": ""}
        return {
            "kind": "approve",
            "title": _("Next: approve the email to %(name)s") % {"name": upcoming["name"]},
            "detail": _("Read it, edit it if you like, then send it as it is."),
            "email_id": upcoming["id"],
        }
    name = current["name"]
    if current["status"] in ("queued", "sending"):
        return {
            "kind": "sending",
            "title": _("Sending the email to %(name)s") % {"name": name},
            "detail": _("It goes out from your mailbox within a few minutes."),
        }
    if current["status"] == "sent" and current["sent_at"]:
        minutes = int((now - current["sent_at"]).total_seconds() // 60)
        window = REPLY_WINDOW_HOURS * 60
        return {
            "kind": "waiting",
            "title": _("Waiting for %(name)s to reply") % {"name": name},
            "detail": _(
                "Most replies arrive within two days. If there is none after 48 hours, we send one polite follow-up."
            ),
            "window_start": int(current["sent_at"].timestamp()),
            "window_minutes": window,
            "elapsed_minutes": min(max(minutes, 0), window),
            "elapsed_text": _("%(elapsed)s of %(window)s hours")
            % {"elapsed": elapsed_words(minutes), "window": REPLY_WINDOW_HOURS},
        }
    if current["status"] == "replied":
        if upcoming is not None:
            return {
                "kind": "approve",
                "title": _("%(name)s replied. Next: approve the email to %(next)s")
                % {"name": name, "next": upcoming["name"]},
                "detail": _("Read it, edit it if you like, then send it as it is."),
                "email_id": upcoming["id"],
            }
        return {"kind": "replied", "title": _("%(name)s replied.") % {"name": name}, "detail": ""}
    return {
        "kind": "failed",
        "title": _("The email to %(name)s could not be sent") % {"name": name},
        "detail": current["error"] or "",
    }


def campaign_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    now = timezone.now()
    data = campaign_detail(campaign)
    selected = data["selected_path"] or {}
    chain = selected.get("chain") or []
    roles = {hop: node.get("role", "") for hop, node in enumerate(chain) if hop}
    to_find = {hop: bool(node.get("to_find")) for hop, node in enumerate(chain) if hop}
    email_rows = list(campaign.emails.all().order_by("hop", "created_at"))
    emails = [_email_view(e, roles, now, to_find) for e in email_rows]
    selected_index = selected.get("index", -1)
    plan, unreadable = plan_or_empty(campaign)
    paths = []
    for i, path in enumerate(plan.paths):
        nodes = [node.name for node in path.chain]
        paths.append(
            {
                "index": i,
                "rank": i + 1,
                "label": path.label,
                "degree": path.degree or len(nodes),
                "score": path.score,
                "has_role": any(node.fillable for node in path.chain),
                "rationale": path.rationale,
                "nodes": nodes,
                "hops": [
                    {"name": node.name, "strength": node.strength, "evidence": node.evidence, "to_find": node.fillable}
                    for node in path.chain
                ],
                "selected": i == selected_index,
                "recommended": i == plan.recommended_path,
            }
        )
    done_steps = {s["step_type"] for s in data["work_log"] if s["status"] == "completed"}
    stages = [{"key": key, "label": label, "done": key in done_steps} for key, label in STEP_LABELS.items()]
    work_log = [
        {
            "label": STEP_LABELS.get(s["step_type"], s["step_type"].replace("_", " ")),
            "status": s["status"],
            "status_label": STEP_STATUS.get(s["status"], s["status"]),
            "planner": PLANNERS.get(s["planner"], s["planner"]),
            "duration_ms": s["duration_ms"],
            "tokens": (s["input_tokens"] or 0) + (s["output_tokens"] or 0),
            "cost": s["cost_usd"],
            "error": s["error_message"],
            "at": dt.datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) if s["created_at"] else None,
        }
        for s in data["work_log"]
    ]
    timeline = [
        {"kind": ev["kind"], "text": ev["text"], "at": from_epoch(ev["at_epoch"])} for ev in reversed(data["timeline"])
    ]
    signed_in_owner = is_signed_in_owner(request.user, campaign)
    return {
        "c": data,
        "campaign": campaign,
        "status_label": status_label(campaign.status),
        "chain": chain,
        "chain_h": chain_layout.layout(chain),
        "chain_v": chain_layout.layout(chain, vertical=True),
        "selected_path": selected,
        "paths": paths,
        "emails": emails,
        "stages": stages,
        "work_log": work_log,
        "timeline": timeline,
        "milestone": _milestone(campaign, emails, now),
        "can_select_path": "select_path" in data["actions"],
        "can_regenerate": "regenerate" in data["actions"],
        "plan_unreadable": unreadable is not None,
        "needs_signin": not signed_in_owner,
        # Only the signed-in owner may search their network from a step still to find.
        "network_unused": signed_in_owner
        and plan.network_used is False
        and "regenerate" in data["actions"]
        and Person.objects.filter(owner=campaign.owner, hidden=False).exists(),
        "can_fill_roles": signed_in_owner and campaign.status in (Campaign.Status.READY, Campaign.Status.IN_PROGRESS),
        "owner_pending": not campaign.owner_confirmed,
        "owner_email": campaign.owner.email,
        "poll_seconds": POLL_SECONDS_PROCESSING if campaign.status == Campaign.Status.PROCESSING else POLL_SECONDS,
        "campaign_url": campaign_url(campaign.id),
    }


# --- Lists -----------------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = visible_campaigns(request).order_by("-created_at", "-id")[:100]
    return [
        {
            "id": c.id,
            "target_name": c.target_name,
            "target_company": c.target_company,
            "status": c.status,
            "status_label": status_label(c.status),
            "created_at": c.created_at,
            "url": campaign_url(c.id),
        }
        for c in rows
    ]


def connections(request: HttpRequest, campaign: Campaign | None, emails: list[dict] | None = None) -> list[dict]:
    """Every email of this campaign, or of every campaign this browser sees."""
    if campaign is not None and emails is not None:
        return emails
    now = timezone.now()
    if campaign is not None:
        rows = campaign.emails.all().order_by("hop", "created_at")
    else:
        rows = (
            EmailOutreach.objects.filter(campaign__in=visible_campaigns(request))
            .select_related("campaign")
            .order_by("-campaign__created_at", "hop", "created_at")[:300]
        )
    views = []
    for row in rows:
        view = _email_view(row, {}, now)
        view["campaign_target"] = row.campaign.target_name
        view["campaign_url"] = campaign_url(row.campaign_id)
        views.append(view)
    return views


# --- The signed-in person --------------------------------------------------------------------


def account_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"account": None}
    return {"account": user, "credits": credits_context(user), **settings_forms(request)}


def page_context(request: HttpRequest, campaign: Campaign | None, live: bool = False) -> dict[str, Any]:
    context: dict[str, Any] = {"campaign": campaign}
    if campaign is not None:
        context.update(campaign_context(request, campaign))
        context["connections"] = connections(request, campaign, context["emails"])
    else:
        context["campaigns"] = campaign_list(request)
        context["connections"] = connections(request, None)
    if not live:
        context.update(account_context(request))
        context["js_strings"] = js_strings()
        context["edit_limits"] = {f.name: f.max_length for f in EDIT_FIELDS}  # the edit dialog's maxlengths
        context["tab_labels"] = [
            ("campaign", _("Your campaign") if campaign is not None else _("Your campaigns")),
            ("connections", _("Connections")),
            ("credits", _("Credits & payment")),
            ("settings", _("Settings")),
        ]
    return context


def js_strings() -> dict[str, str]:
    return {
        "saving": _("Saving…"),
        "saved": _("Saved."),
        "sending": _("Sending…"),
        "queued": _("Approved. The email is queued for sending."),
        "network": _("We could not reach SixDegrees. Check your connection and try again."),
        "server": _("Something went wrong on our side. Please try again in a moment."),
        "addRecipient": _("Add the recipient's email address before sending."),
        "updated": _("Updated just now."),
        "planReady": _("Your plan is ready."),
        "elapsed": _("%(elapsed)s of %(window)s hours"),
        "hoursMinutes": _("%(hours)s h %(minutes)s min"),
        "minutes": _("%(minutes)s min"),
        "choosing": _("Switching to this path…"),
        "regenerating": _("Making a new plan…"),
        "noRecipient": _("No address yet"),
        "showing": _("Showing %(count)s of %(total)s emails"),
        "emailTo": _("Email to %(name)s"),
        "preview": _("Email preview"),
        "searching": _("Searching your network…"),
        "nobodyFound": _("Nobody in your network matches. Type their name and address instead."),
        "choose": _("Choose %(name)s"),
        "filling": _("Saving who this is…"),
    }
