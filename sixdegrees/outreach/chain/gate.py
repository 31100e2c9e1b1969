"""Double opt-in: nobody beyond hop k is contacted until hop k said yes (approve() asks check_gate)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.chain.shape import chain_length, hop_email, who
from sixdegrees.outreach.intent import POSITIVE
from sixdegrees.outreach.models import EmailOutreach

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


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
