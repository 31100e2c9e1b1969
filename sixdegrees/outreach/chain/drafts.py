"""The drafts the chain offers: the next hop named after its introducer, a blurb, a suggested person, the next path."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from pydantic import ValidationError

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.campaigns.plan import plan_or_empty
from sixdegrees.campaigns.planning import plan_input_for, redraft_for_path
from sixdegrees.lib.http import BadRequest
from sixdegrees.mail.build import render, render_text
from sixdegrees.network.text import has_han
from sixdegrees.outreach import outbox
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.chain.shape import current_path, hop_email, paths_of, who
from sixdegrees.outreach.intent import Intent
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.strategy.fields import first_name
from sixdegrees.strategy.offline import OfflinePlanner, read_intake
from sixdegrees.strategy.schema import ChainNode, Contact, PlanInput

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def _plan_input(campaign: Campaign, contacts: list[Contact] | None = None) -> PlanInput:
    inp = plan_input_for(campaign)
    return inp.model_copy(update={"contacts": contacts or []}) if contacts else inp


def _planned_bodies(campaign: Campaign, hop: int) -> set[str]:
    """The bodies the planner wrote for `hop`: a draft still equal to one was not edited by the person."""
    plan = plan_or_empty(campaign)[0]
    drafts = list(plan.drafts)
    if campaign.selected_path is not None:
        drafts += plan.drafts_by_path.get(campaign.selected_path, [])
    return {" ".join(d.body.split()) for d in drafts if d.hop == hop}


def prepare_next_hop(root: EmailOutreach, introducer: str, introducer_email: str) -> EmailOutreach | None:
    """Rewrite hop k+1's draft to mention who introduced them; queue it on auto-pilot."""
    campaign = root.campaign
    draft = hop_email(campaign, root.hop + 1)
    if draft is None or draft.status != Status.DRAFT:
        return None
    edited = " ".join(draft.body.split()) not in _planned_bodies(campaign, draft.hop)
    if edited and introducer not in draft.body:
        timeline.record(campaign, "next_draft_kept", recipient=who(draft), introducer=introducer)
    elif not edited:
        rewritten = _rewritten_with_introducer(campaign, root.hop, introducer, introducer_email)
        if rewritten is not None:
            subject, body = rewritten
            outbox.edit_draft(draft.pk, {"subject": subject[:300], "body": body})
            draft.refresh_from_db()
        timeline.record(campaign, "next_draft_ready", recipient=who(draft), introducer=introducer)
    auto_approve(draft)
    return draft


def _rewritten_with_introducer(
    campaign: Campaign, introducer_hop: int, introducer: str, introducer_email: str
) -> tuple[str, str] | None:
    path = current_path(campaign)
    if not path:
        return None
    try:
        plan_path = path.strict()
        chain = list(plan_path.chain)
        if introducer_hop >= len(chain):
            return None
        # The introducer becomes someone the person now knows: the drafts name them ("X suggested…").
        known = ChainNode(
            name=introducer, role=chain[introducer_hop - 1].role, email=introducer_email, kind="intermediary"
        )
        chain[introducer_hop - 1] = known
        new_path = plan_path.model_copy(update={"chain": chain})
        inp = _plan_input(campaign, [Contact(name=introducer, email=introducer_email)])
        drafts = OfflinePlanner().draft_path(inp, new_path)
    except (ValidationError, ValueError, IndexError, KeyError) as exc:
        logger.warning(
            "could not redraft the next hop",
            extra={"event": "chain_redraft_failed", "campaign_id": campaign.pk, "error": str(exc)},
        )
        return None
    draft = drafts[introducer_hop]  # hop k+1 is index k
    return draft.subject, draft.body


def reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "回复：", "回复:")) else f"Re: {subject}"


def draft_in_thread(root: EmailOutreach, kind: str, body: str, **fields: Any) -> EmailOutreach:
    """A new draft to the same person, in `root`'s thread (a blurb, a follow-up)."""
    return EmailOutreach.objects.create(
        campaign=root.campaign,
        hop=root.hop,
        kind=kind,
        in_reply_to=root,
        recipient_email=root.recipient_email,
        recipient_name=root.recipient_name,
        subject=reply_subject(root.subject)[:300],
        body=body,
        status=Status.DRAFT,
        **fields,
    )


def greeting(email: EmailOutreach, zh: bool) -> str:
    name = (email.recipient_name or "").strip()
    role_like = not name or len(name.split()) > 3 or name.split()[0] in {"A", "An", "The", "Someone", "Anyone"}
    if zh:
        return f"{name}您好：" if name and has_han(name) and len(name) <= 4 else "您好："
    return "Hi there," if role_like else f"Hi {first_name(name)},"


def offer_blurb(root: EmailOutreach) -> EmailOutreach | None:
    """A reply in their thread with the note they asked for (once per thread)."""
    campaign = root.campaign
    if EmailOutreach.objects.filter(in_reply_to=root, kind=Kind.BLURB).exists():
        return None
    inp = _plan_input(campaign)
    writer = OfflinePlanner().writer(inp, read_intake(inp))
    zh = inp.language == "zh-hans"
    words = {
        "greeting": greeting(root, zh),
        "user": writer.user,
        "about": writer.about(36 if zh else 18),
        "why": writer.why_target(40 if zh else 20),
        "email": writer.email,
    }
    body = render_text("blurb", words, "zh-hans" if zh else "en")
    blurb = draft_in_thread(root, Kind.BLURB, body)
    timeline.record(campaign, "blurb_ready", recipient=who(root))
    auto_approve(blurb)
    return blurb


def offer_other_person(root: EmailOutreach, introducer: str, intent: Intent) -> EmailOutreach | None:
    """A draft at the same hop to the person they suggested ("ask Y instead"), once per person."""
    campaign = root.campaign
    name = intent.other_name or intent.other_email
    if not name:
        return None
    same_person = Q(recipient_email__iexact=intent.other_email) if intent.other_email else Q(recipient_name=name)
    if EmailOutreach.objects.filter(campaign=campaign, hop=root.hop, kind=Kind.MESSAGE).filter(same_person).exists():
        return None
    subject, body = _draft_for_suggested(root, introducer, name, intent.other_email)
    draft = EmailOutreach.objects.create(
        campaign=campaign,
        hop=root.hop,
        recipient_email=(intent.other_email or "").lower(),
        recipient_name=(intent.other_name or "")[:200],
        subject=subject[:300],
        body=body,
        status=Status.DRAFT,
    )
    timeline.record(campaign, "other_person_ready", recipient=name, introducer=introducer)
    auto_approve(draft)
    return draft


def _draft_for_suggested(root: EmailOutreach, introducer: str, name: str, address: str) -> tuple[str, str]:
    """Written as if the introducer came just before them: "X suggested I get in touch with you"."""
    campaign = root.campaign
    path = current_path(campaign)
    try:
        if not path:
            raise ValueError("no plan to draft from")
        plan_path = path.strict()
        index = root.hop - 1
        rest = list(plan_path.chain[index + 1 :])
        role = plan_path.chain[index].role
        introducer_node = ChainNode(name=introducer, role=role, email=root.recipient_email or None, kind="intermediary")
        if rest:
            suggested = ChainNode(name=name, role=role, email=address or None, kind="intermediary")
        else:
            suggested = ChainNode(name=name, role=role, email=address or None, kind="target")
        chain = [introducer_node, suggested, *rest]
        new_path = plan_path.model_copy(update={"chain": chain, "degree": len(chain)})
        contacts = [Contact(name=introducer, email=root.recipient_email)] if root.recipient_email else []
        drafts = OfflinePlanner().draft_path(_plan_input(campaign, contacts), new_path)
        return drafts[1].subject, drafts[1].body
    except (ValidationError, ValueError, IndexError, KeyError) as exc:
        logger.info(
            "drafting for the suggested person from the short template",
            extra={"event": "chain_redraft_fallback", "campaign_id": campaign.pk, "error": str(exc)},
        )
    inp = _plan_input(campaign)
    writer = OfflinePlanner().writer(inp, read_intake(inp))
    zh = inp.language == "zh-hans"
    words = {
        "introducer": introducer,
        "user": writer.user,
        "about": writer.about(36 if zh else 18),
        "why": writer.why_target(40 if zh else 20),
    }
    rendered = render("suggested", words, "zh-hans" if zh else "en")
    return rendered.subject, rendered.text


def tried_paths(campaign: Campaign) -> set[int]:
    tried = {campaign.selected_path if campaign.selected_path is not None else 0}
    for data in TimelineEvent.objects.filter(campaign=campaign, kind="next_path_offered").values_list(
        "data", flat=True
    ):
        if isinstance(data, dict) and isinstance(data.get("from_path"), int):
            tried.add(data["from_path"])
    return tried


def offer_next_path(campaign: Campaign, *, reason: str) -> int | None:
    """Offer the drafts of the best path not tried yet; returns its index, or None if none is left."""
    campaign.refresh_from_db()
    paths = paths_of(campaign)
    left = [i for i in range(len(paths)) if i not in tried_paths(campaign)]
    if not left:
        timeline.record(campaign, "no_path_left", reason=reason)
        return None
    index = left[0]
    current = campaign.selected_path if campaign.selected_path is not None else 0
    redraft_for_path(campaign, index)
    timeline.record(
        campaign,
        "next_path_offered",
        reason=reason,
        path=index + 1,
        from_path=current,
        label=paths[index].label,
    )
    return index


def auto_approve(email: EmailOutreach) -> bool:
    """On auto-pilot, queue the email as if the person approved it (every approval rule still applies)."""
    campaign = Campaign.objects.select_related("owner").get(pk=email.campaign_id)
    if not campaign.autopilot or email.status != Status.DRAFT or not email.recipient_email:
        return False
    email.refresh_from_db()
    email.campaign = campaign
    try:
        _email, queued = approve(email, campaign.owner)
    except BadRequest as refused:
        timeline.record(campaign, "autopilot_waiting", recipient=who(email), reason=refused.error)
        return False
    return queued
