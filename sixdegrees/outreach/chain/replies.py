"""Reply state: what a person's reply does to the campaign (the watcher calls apply_reply)."""

from __future__ import annotations

import logging

from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach import outbox
from sixdegrees.outreach.chain.bounces import suppress
from sixdegrees.outreach.chain.drafts import offer_blurb, offer_next_path, offer_other_person, prepare_next_hop
from sixdegrees.outreach.chain.notices import notify
from sixdegrees.outreach.chain.shape import is_last_hop, root_of
from sixdegrees.outreach.intent import DECLINED, POSITIVE, Intent
from sixdegrees.outreach.models import EmailOutreach, Reply, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def mark_replied(reply: Reply, intent: Intent) -> EmailOutreach:
    """Record the reply on its thread's first email (and on the follow-up it answered, if any)."""
    assert reply.email is not None
    answered = reply.email
    root = root_of(answered)
    now = reply.received_at or timezone.now()
    now = min(now, timezone.now())  # a sender's clock in the future must not stretch the guarantee
    # A later "thanks!" must not undo an earlier yes: only a clear intent replaces the stored one.
    clear = intent.intent != "unclear" or not root.reply_intent
    outbox.mark_replied(answered, root, now, reply.text, intent.intent if clear else None)
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
