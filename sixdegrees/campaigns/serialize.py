"""The JSON shape of a campaign (field names kept from the earlier API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.plan import StoredPlan, plan_or_empty
from sixdegrees.outreach.models import EmailOutreach

DECLINING_INTENTS = {"no", "stop", "not_now"}


def epoch(value: dt.datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        Campaign.Status.PROCESSING: _("Analyzing"),
        Campaign.Status.READY: _("Ready to launch"),
        Campaign.Status.IN_PROGRESS: _("In progress"),
        Campaign.Status.CONNECTED: _("Connected!"),
        Campaign.Status.COMPLETED: _("Completed"),
        Campaign.Status.FAILED: _("Needs attention"),
    }
    return labels.get(status, status)


def node_status(email: EmailOutreach | None) -> str:
    if email is None:
        return "waiting"
    if email.status == EmailOutreach.Status.REPLIED:
        return "declined" if email.reply_intent in DECLINING_INTENTS else "replied"
    states: dict[str, str] = {
        EmailOutreach.Status.DRAFT: "draft",
        EmailOutreach.Status.QUEUED: "queued",
        EmailOutreach.Status.SENDING: "queued",
        EmailOutreach.Status.SENT: "sent",
        EmailOutreach.Status.FAILED: "failed",
        EmailOutreach.Status.BOUNCED: "failed",
    }
    return states.get(email.status, "waiting")


def email_json(email: EmailOutreach) -> dict[str, Any]:
    return {
        "email_id": email.id,
        "hop": email.hop,
        "recipient_email": email.recipient_email,
        "recipient_name": email.recipient_name,
        "subject": email.subject,
        "body": email.body,
        "status": email.status,
        "attempts": email.attempts,
        "error_message": email.error_message or None,
        "queued_at": iso(email.queued_at),
        "sent_at": epoch(email.sent_at),
        "sent_at_iso": iso(email.sent_at),
        "replied_at": epoch(email.replied_at),
        "reply": email.reply_text or None,
        "reply_intent": email.reply_intent or None,
    }


def selected_path_json(campaign: Campaign, plan: StoredPlan, emails: list[EmailOutreach]) -> dict | None:
    index = plan.path_index(campaign.selected_path)
    if index is None:
        return None
    path = plan.paths[index]
    by_hop: dict[int, EmailOutreach] = {}
    for email in emails:
        by_hop[email.hop] = email  # the latest email for each hop wins
    chain: list[dict[str, Any]] = [
        {"name": campaign.user_name or _("You"), "role": _("You"), "status": "you", "email": None}
    ]
    for hop, node in enumerate(path.chain, start=1):
        hop_email = by_hop.get(hop)
        chain.append(
            {
                "name": node.name,
                "role": node.role,
                "status": node_status(hop_email),
                "email": (hop_email.recipient_email if hop_email and hop_email.recipient_email else node.email),
                "kind": node.kind,
                "person_id": node.person_id,
                "strength": node.strength,
                "evidence": node.evidence,
                "to_find": node.fillable,
            }
        )
    return {
        "index": index,
        "label": path.label,
        "degree": path.degree,
        "score": path.score,
        "direct": path.direct,
        "rationale": path.rationale,
        "chain": chain,
    }


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "target_name": campaign.target_name,
        "target_company": campaign.target_company,
        "status": campaign.status,
        "status_label": status_label(campaign.status),
        "created_at": epoch(campaign.created_at),
        "created_at_iso": iso(campaign.created_at),
        "last_updated_at": epoch(campaign.updated_at),
        "last_updated_at_iso": iso(campaign.updated_at),
    }


def campaign_detail(campaign: Campaign) -> dict[str, Any]:
    emails = list(campaign.emails.all().order_by("hop", "created_at"))
    # A plan that cannot be read shows as none, with the reason where a failed plan's would be.
    plan, unreadable = plan_or_empty(campaign)
    data = campaign_summary(campaign)
    data.update(
        {
            "user_name": campaign.user_name,
            "user_email": campaign.email,
            "language": campaign.language,
            "strategy": plan.summary,
            "target_analysis": plan.target_analysis,
            "paths": [p.as_json() for p in plan.paths],
            "recommended_path": plan.recommended_path,
            "selected_path": selected_path_json(campaign, plan, emails),
            "emails": [email_json(e) for e in emails],
            "work_log": [
                {
                    "step_type": s.step_type,
                    "planner": s.planner,
                    "status": s.status,
                    "duration_ms": s.duration_ms,
                    "input_tokens": s.input_tokens,
                    "output_tokens": s.output_tokens,
                    "cost_usd": float(s.cost_usd) if s.cost_usd is not None else None,
                    "error_message": s.error_message or None,
                    "created_at": iso(s.created_at),
                }
                for s in campaign.steps.all()
            ],
            "timeline": [
                {
                    "kind": ev.kind,
                    "text": timeline.describe(ev),
                    "at": iso(ev.created_at),
                    "at_epoch": epoch(ev.created_at),
                }
                for ev in campaign.events.all()
            ],
            "planner": plan.planner,
            "fallback_reason": plan.fallback_reason,
            "error_message": campaign.error_message or (unreadable.error if unreadable else None),
            "actions": _actions(campaign, emails),
            "sender_verified": campaign.owner.email_verified and campaign.owner_confirmed,
            "autopilot": campaign.autopilot,
        }
    )
    return data


def _actions(campaign: Campaign, emails: list[EmailOutreach]) -> list[str]:
    actions = []
    nothing_sent = all(e.status == EmailOutreach.Status.DRAFT for e in emails)
    if campaign.status == Campaign.Status.FAILED or (campaign.status == Campaign.Status.READY and nothing_sent):
        actions.append("regenerate")
    if campaign.status == Campaign.Status.READY and nothing_sent:
        actions.append("select_path")
    return actions
