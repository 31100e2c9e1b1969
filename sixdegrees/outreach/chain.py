"""The chain of introductions: what a reply, a bounce or silence does to a campaign.

Double opt-in: nobody beyond hop k is contacted until hop k said yes. Hop k+1's email stays a
draft, and `approve()` refuses to queue it (`check_gate`) until hop k's reply reads as yes (or
"send me a blurb"). Then:

- yes → hop k+1's draft is rewritten to mention the introducer by name (their From display name)
  and waits for approval, or is queued at once when the campaign runs on auto-pilot;
- blurb → a reply to them, in the same thread, carrying a note they can forward, is drafted;
- ask_other → a draft to the person they named, at the same hop;
- no / stop → nobody further is contacted; the next-best path's drafts are offered (stop also puts
  the address on the suppression list, so no campaign ever emails it again);
- not_now / unclear → nothing moves; the person reads the reply and decides (and can override
  the intent: `override_intent`);
- the target (last hop) replying yes → the campaign is `connected` and the person is told.

Silence (`check_silence`, run by the worker every few minutes): 48 hours without a reply → one
polite follow-up in the same thread. It is a draft for the person to approve, like every email
(DESIGN: nothing is sent without their approval), unless the campaign runs on auto-pilot, in which
case it is queued. Another OUTREACH_NEXT_PATH_DAYS without a reply → the next-best path's drafts
are offered. An out-of-office reply with a return date moves the follow-up to the day after it.

Every step goes on the campaign's timeline. Each action is safe to repeat: rows are created
behind unique constraints or conditional updates, so two workers, or a watcher that reads a
folder twice, change things once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.intent import DECLINED, INTENTS, POSITIVE, Intent
from sixdegrees.outreach.models import EmailOutreach, Reply, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind
MAX_THREAD_DEPTH = 20


def follow_up_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.OUTREACH_FOLLOW_UP_HOURS)


def next_path_window() -> dt.timedelta:
    return dt.timedelta(days=settings.OUTREACH_NEXT_PATH_DAYS)


# --- The chain's shape ---------------------------------------------------------------------------


def paths_of(campaign: Campaign) -> list[dict[str, Any]]:
    results = campaign.results if isinstance(campaign.results, dict) else {}
    strategy = results.get("strategy")
    if not isinstance(strategy, dict):
        return []
    return [p for p in strategy.get("paths") or [] if isinstance(p, dict)]


def current_path(campaign: Campaign) -> dict[str, Any] | None:
    paths = paths_of(campaign)
    if not paths:
        return None
    index = campaign.selected_path if campaign.selected_path is not None else 0
    return paths[min(max(index, 0), len(paths) - 1)]


def chain_length(campaign: Campaign) -> int | None:
    """How many hops the campaign's chosen path has (None for campaigns without a plan)."""
    path = current_path(campaign)
    chain = (path or {}).get("chain") or []
    return len(chain) or None


def is_last_hop(email: EmailOutreach) -> bool:
    length = chain_length(email.campaign)
    if length is None:
        last = EmailOutreach.objects.filter(campaign_id=email.campaign_id, kind=Kind.MESSAGE).order_by("-hop").first()
        return last is None or email.hop >= last.hop
    return email.hop >= length


def hop_email(campaign: Campaign, hop: int) -> EmailOutreach | None:
    """The email that currently stands for `hop`: the newest first email (not a follow-up) to it."""
    return (
        EmailOutreach.objects.filter(campaign=campaign, hop=hop, kind=Kind.MESSAGE, in_reply_to__isnull=True)
        .order_by("-created_at")
        .first()
    )


def root_of(email: EmailOutreach) -> EmailOutreach:
    """The first email of a thread (follow-ups and blurbs hang under it)."""
    seen = {email.pk}
    while email.in_reply_to_id and len(seen) < MAX_THREAD_DEPTH:
        parent = EmailOutreach.objects.select_related("campaign").filter(pk=email.in_reply_to_id).first()
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        email = parent
    return email


def who(email: EmailOutreach) -> str:
    return email.recipient_name or email.recipient_email


# --- Double opt-in ----------------------------------------------------------------------------------


def waiting_for(email: EmailOutreach) -> EmailOutreach | None:
    """The earlier hop's email that has not said yes yet, when `email` must wait for it.

    Only the planned chain is gated: a follow-up or blurb belongs to an email already approved,
    and an email beyond the planned chain is one the person wrote themselves.
    """
    if email.hop <= 1 or email.in_reply_to_id or email.kind != Kind.MESSAGE:
        return None
    length = chain_length(email.campaign)
    if length is None or email.hop > length:
        return None
    previous = hop_email(email.campaign, email.hop - 1)
    if previous is None:
        return EmailOutreach(campaign=email.campaign, hop=email.hop - 1)  # not even drafted
    if previous.status == Status.REPLIED and previous.reply_intent in POSITIVE:
        return None
    return previous


def check_gate(email: EmailOutreach) -> None:
    """Raise 409 when `email` would contact hop k+1 before hop k agreed (called by approve())."""
    previous = waiting_for(email)
    if previous is None:
        return
    name = who(previous) or _("the previous person in the chain")
    raise BadRequest(
        _(
            "%(name)s has not agreed to introduce you yet, so the email to %(next)s waits. "
            "SixDegrees only contacts the next person once the previous one says yes."
        )
        % {"name": name, "next": who(email) or _("the next person")},
        status=409,
    )


# --- Replies -----------------------------------------------------------------------------------------


def mark_replied(reply: Reply, intent: Intent) -> EmailOutreach:
    """Record the reply on its thread's first email (and on the follow-up it answered, if any)."""
    assert reply.email is not None
    answered = reply.email
    root = root_of(answered)
    now = reply.received_at or timezone.now()
    now = min(now, timezone.now())  # a sender's clock in the future must not stretch the guarantee
    EmailOutreach.objects.filter(pk=answered.pk).exclude(status=Status.DRAFT).exclude(pk=root.pk).update(
        status=Status.REPLIED, replied_at=now, updated_at=timezone.now()
    )
    changes: dict[str, Any] = {"status": Status.REPLIED, "reply_text": reply.text, "updated_at": timezone.now()}
    # A later "thanks!" must not undo an earlier yes: only a clear intent replaces the stored one.
    if intent.intent != "unclear" or not root.reply_intent:
        changes["reply_intent"] = intent.intent
    EmailOutreach.objects.filter(pk=root.pk).exclude(status=Status.DRAFT).update(**changes)
    EmailOutreach.objects.filter(pk=root.pk, replied_at__isnull=True).update(replied_at=now)
    # An automatic follow-up nobody approved yet is moot now.
    EmailOutreach.objects.filter(in_reply_to=root, kind=Kind.FOLLOW_UP, status=Status.DRAFT).delete()
    root.refresh_from_db()
    return root


def apply_reply(reply: Reply, intent: Intent) -> None:
    """A person replied (the watcher calls this inside the transaction that stored `reply`)."""
    assert reply.email is not None
    before = root_of(reply.email).reply_intent
    root = mark_replied(reply, intent)
    if intent.intent == "unclear" and before and before != "unclear":
        # "Thanks!" after a yes: worth showing, not a reason to redo (or undo) anything.
        event = timeline.record(root.campaign, "reply_again", recipient=introducer_name(root, reply))
        notify(root.campaign, "reply", event, reply=reply)
        return
    apply_intent(root, intent, reply)


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and "@" not in text and words[0] not in {"A", "An", "The", "Someone", "Anyone"}


def introducer_name(root: EmailOutreach, reply: Reply | None) -> str:
    """How the next emails name this person: their own From name, else what we called them."""
    name = ((reply.from_name if reply else "") or "").strip()
    if _looks_like_name(name):
        return name
    if _looks_like_name(root.recipient_name or ""):
        return root.recipient_name.strip()
    address = (reply.from_address if reply else "") or root.recipient_email
    return address.partition("@")[0].replace(".", " ").title() or address


def apply_intent(root: EmailOutreach, intent: Intent, reply: Reply | None, *, by_person: bool = False) -> None:
    """What the campaign does next, given what `root`'s recipient said."""
    campaign = root.campaign
    name = introducer_name(root, reply)
    kind = intent.intent
    last = is_last_hop(root)
    address = (reply.from_address if reply else "") or root.recipient_email
    if kind == "stop":
        suppress(address, Suppression.Reason.ASKED_TO_STOP, f"Replied asking not to be contacted ({campaign.pk})")
        if root.recipient_email and root.recipient_email.lower() != address.lower():
            suppress(root.recipient_email, Suppression.Reason.ASKED_TO_STOP, f"Asked to stop ({campaign.pk})")
    if last and kind in POSITIVE:
        connect(campaign, root, name, reply)
        return
    if last and kind in DECLINED:
        event = timeline.record(campaign, "target_declined", recipient=name, intent=kind)
        Campaign.objects.filter(pk=campaign.pk, status__in=Campaign.ACTIVE_STATUSES).update(
            status=Campaign.Status.COMPLETED, updated_at=timezone.now()
        )
        notify(campaign, "reply", event, reply=reply)
        return
    event = timeline.record(campaign, f"reply_{kind}", recipient=name, other=intent.other_name, hop=root.hop)
    if kind in POSITIVE:
        prepare_next_hop(root, name, address)
        if kind == "blurb":
            offer_blurb(root)
    elif kind == "ask_other":
        offer_other_person(root, name, intent)
    elif kind in DECLINED:
        offer_next_path(campaign, reason="declined")
    notify(campaign, "reply", event, reply=reply)


def connect(campaign: Campaign, root: EmailOutreach, name: str, reply: Reply | None) -> None:
    updated = (
        Campaign.objects.filter(pk=campaign.pk)
        .exclude(status=Campaign.Status.CONNECTED)
        .update(status=Campaign.Status.CONNECTED, updated_at=timezone.now())
    )
    if updated != 1:
        return  # told once
    event = timeline.record(campaign, "connected", recipient=name)
    notify(campaign, "connected", event, reply=reply)


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


# --- Drafts the chain offers ------------------------------------------------------------------------


def _plan_input(campaign: Campaign, contacts: list[Any] | None = None):
    from sixdegrees.campaigns.planning import plan_input_for

    inp = plan_input_for(campaign)
    return inp.model_copy(update={"contacts": contacts or []}) if contacts else inp


def _planned_bodies(campaign: Campaign, hop: int) -> set[str]:
    """The bodies the planner wrote for `hop`: a draft still equal to one was not edited by the person."""
    results = campaign.results if isinstance(campaign.results, dict) else {}
    drafts = list(results.get("drafts") or [])
    by_path = results.get("drafts_by_path") or {}
    if campaign.selected_path is not None:
        drafts += list(by_path.get(str(campaign.selected_path)) or [])
    return {" ".join(str(d.get("body", "")).split()) for d in drafts if isinstance(d, dict) and d.get("hop") == hop}


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
            EmailOutreach.objects.filter(pk=draft.pk, status=Status.DRAFT).update(
                subject=subject[:300], body=body, updated_at=timezone.now()
            )
            draft.refresh_from_db()
        timeline.record(campaign, "next_draft_ready", recipient=who(draft), introducer=introducer)
    auto_approve(draft)
    return draft


def _rewritten_with_introducer(
    campaign: Campaign, introducer_hop: int, introducer: str, introducer_email: str
) -> tuple[str, str] | None:
    from pydantic import ValidationError

    from sixdegrees.strategy.offline import OfflinePlanner
    from sixdegrees.strategy.schema import ChainNode, Contact, Path

    path = current_path(campaign)
    if not path:
        return None
    try:
        plan_path = Path.model_validate(path)
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


def _re(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "回复：", "回复:")) else f"Re: {subject}"


def _greeting(email: EmailOutreach, zh: bool) -> str:
    from sixdegrees.strategy.fields import first_name
    from sixdegrees.strategy.schema import has_cjk

    name = (email.recipient_name or "").strip()
    role_like = not name or len(name.split()) > 3 or name.split()[0] in {"A", "An", "The", "Someone", "Anyone"}
    if zh:
        return f"{name}您好：" if name and has_cjk(name) and len(name) <= 4 else "您好："
    return "Hi there," if role_like else f"Hi {first_name(name)},"


def offer_blurb(root: EmailOutreach) -> EmailOutreach | None:
    """A reply in their thread with the note they asked for (once per thread)."""
    from sixdegrees.strategy.offline import OfflinePlanner, read_intake

    campaign = root.campaign
    if EmailOutreach.objects.filter(in_reply_to=root, kind=Kind.BLURB).exists():
        return None
    inp = _plan_input(campaign)
    writer = OfflinePlanner().writer(inp, read_intake(inp))
    zh = inp.language == "zh-hans"
    user = writer.user
    if zh:
        note = f"{writer.about(36)}{writer.why_target(40)}如蒙回复，不胜感激，我的邮箱是{writer.email}。"
        body = (
            f"{_greeting(root, True)}\n\n非常感谢您愿意帮忙转达！下面是一段可以直接转发的简短介绍：\n\n"
            f"{note}\n\n再次感谢！\n{user}"
        )
    else:
        note = (
            f"{writer.about(18)} {writer.why_target(20)} I'd be grateful for a short conversation, "
            f"and can be reached at {writer.email}."
        )
        body = (
            f"{_greeting(root, False)}\n\nThank you so much for offering to pass this on. Here is a short "
            f"note you can forward as is:\n\n{note}\n\nThanks again,\n{user}"
        )
    blurb = EmailOutreach.objects.create(
        campaign=campaign,
        hop=root.hop,
        kind=Kind.BLURB,
        in_reply_to=root,
        recipient_email=root.recipient_email,
        recipient_name=root.recipient_name,
        subject=_re(root.subject)[:300],
        body=body,
        status=Status.DRAFT,
    )
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
    from pydantic import ValidationError

    from sixdegrees.strategy.offline import OfflinePlanner
    from sixdegrees.strategy.schema import ChainNode, Contact, Path

    campaign = root.campaign
    path = current_path(campaign)
    try:
        if not path:
            raise ValueError("no plan to draft from")
        plan_path = Path.model_validate(path)
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
    from sixdegrees.strategy.offline import read_intake

    inp = _plan_input(campaign)
    writer = OfflinePlanner().writer(inp, read_intake(inp))
    if inp.language == "zh-hans":
        body = (
            f"您好：\n\n我是{writer.user}，{introducer}建议我联系您。{writer.about(36)}{writer.why_target(40)}"
            f"\n\n不知您是否方便简短交流，或者给我指个方向？非常感谢！\n\n祝好，\n{writer.user}"
        )
        return f"{introducer}建议我联系您", body
    body = (
        f"Hi there,\n\n{introducer} suggested I get in touch with you. {writer.about(18)} "
        f"{writer.why_target(20)}\n\nWould you be open to a short conversation, or to pointing me in the "
        f"right direction? Thank you for considering it.\n\nBest wishes,\n{writer.user}"
    )
    return f"{introducer} suggested I get in touch", body


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
    from sixdegrees.campaigns.planning import redraft_for_path

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
        label=str(paths[index].get("label", "")),
    )
    return index


def auto_approve(email: EmailOutreach) -> bool:
    """On auto-pilot, queue the email as if the person approved it (every approval rule still applies)."""
    from sixdegrees.outreach.approval import approve

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


# --- Bounces and automatic replies ----------------------------------------------------------------


def apply_bounce(reply: Reply) -> None:
    email = reply.email
    assert email is not None
    campaign = email.campaign
    if reply.kind == Reply.Kind.DELAY:
        timeline.record(campaign, "email_delayed", recipient=who(email), reason=reply.detail[:300])
        return
    EmailOutreach.objects.filter(pk=email.pk).exclude(status__in=[Status.DRAFT, Status.REPLIED]).update(
        status=Status.BOUNCED,
        error_message=f"Bounced: {reply.detail}"[:2000],
        updated_at=timezone.now(),
    )
    if reply.hard_bounce and email.recipient_email:
        suppress(email.recipient_email, Suppression.Reason.BOUNCED, f"{reply.bounce_status} {reply.detail}".strip())
    event = timeline.record(campaign, "email_bounced", recipient=who(email), reason=reply.detail[:300])
    notify(campaign, "waiting", event)


def follow_up_due(email: EmailOutreach) -> dt.datetime | None:
    if email.sent_at is None:
        return None
    due = email.sent_at + follow_up_window()
    return max(due, email.follow_up_after) if email.follow_up_after else due


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
    EmailOutreach.objects.filter(in_reply_to=root, kind=Kind.FOLLOW_UP, status=Status.QUEUED).update(
        next_attempt_at=due
    )
    timeline.record(
        campaign,
        "auto_reply_until",
        recipient=who(root),
        date=reply.return_date.isoformat(),
        followup=f"{due:%Y-%m-%d}",
    )


# --- Silence ------------------------------------------------------------------------------------------


def _follow_up_body(root: EmailOutreach, zh: bool, user: str) -> str:
    if zh:
        return (
            f"{_greeting(root, True)}\n\n冒昧再跟进一下我之前的邮件，担心它被其他邮件淹没了。"
            "如果现在不方便，完全可以理解；无论结果如何，简短回复一句对我都会很有帮助。"
            f"\n\n谢谢您！\n{user}"
        )
    return (
        f"{_greeting(root, False)}\n\nI wanted to gently follow up on my note below, in case it got buried. "
        "I completely understand if now isn't a good time; a short reply either way would help me a lot."
        f"\n\nThank you,\n{user}"
    )


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
            follow_up = EmailOutreach.objects.create(
                campaign=campaign,
                hop=root.hop,
                kind=Kind.FOLLOW_UP,
                in_reply_to=root,
                recipient_email=root.recipient_email,
                recipient_name=root.recipient_name,
                subject=_re(root.subject)[:300],
                body=_follow_up_body(root, zh, campaign.user_name or campaign.email),
                status=Status.DRAFT,
                created_at=now,
            )
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
        if EmailOutreach.objects.filter(pk=root.pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
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


# --- The person's word ---------------------------------------------------------------------------------


def override_intent(email: EmailOutreach, intent_name: str) -> EmailOutreach:
    """The person says what a reply meant; the chain acts on that instead."""
    if intent_name not in INTENTS:
        raise BadRequest(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(INTENTS)},
            fields={"intent": _("Not a known intent.")},
        )
    root = root_of(email)
    if root.status != Status.REPLIED:
        raise BadRequest(_("This email has no reply yet, so there is nothing to mark."), status=409)
    with transaction.atomic():
        EmailOutreach.objects.filter(pk=root.pk).update(reply_intent=intent_name, updated_at=timezone.now())
        thread = [root.pk, *root.follow_ups.values_list("pk", flat=True)]
        latest = Reply.objects.filter(email__in=thread, kind=Reply.Kind.REPLY).order_by("-created_at").first()
        if latest is not None:
            Reply.objects.filter(pk=latest.pk).update(intent=intent_name, intent_source="person")
        root.refresh_from_db()
        timeline.record(root.campaign, "intent_changed", recipient=who(root), intent=intent_name)
        apply_intent(root, Intent(intent_name), latest, by_person=True)
    root.refresh_from_db()
    return root


# --- Telling the person --------------------------------------------------------------------------------


def notify(campaign: Campaign, kind: str, event: TimelineEvent, *, reply: Reply | None = None) -> None:
    """Email the person (in their language, if they want reminder emails), after the commit."""
    owner = campaign.owner
    if not getattr(owner, "reminder_emails", False) or not owner.email:
        return
    transaction.on_commit(lambda: _send_notice(campaign.pk, kind, event.pk, reply.text if reply else ""))


def _send_notice(campaign_id: str, kind: str, event_id: int, reply_text: str) -> None:
    from sixdegrees.lib.mail import send_to_person

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
