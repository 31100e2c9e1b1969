"""Who may see which campaign: the one place every campaign and email lookup goes through.

A browser sees the campaigns of the account it signed in to (by code, so the address is proven)
plus the campaigns it created itself in this session. Typing someone else's address into the
intake therefore never reveals that person's other campaigns, and the campaign it makes stays
pending (Campaign.owner_confirmed False): out of that person's account, unable to send, until
this browser signs in as that address (`claim_pending_campaigns`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.models import EmailOutreach

SESSION_KEY = "campaign_ids"
MAX_SESSION_CAMPAIGNS = 200


def remember_campaign(request: HttpRequest, campaign: Campaign) -> None:
    ids = [cid for cid in request.session.get(SESSION_KEY, []) if cid != campaign.id]
    request.session[SESSION_KEY] = [campaign.id, *ids][:MAX_SESSION_CAMPAIGNS]


def session_campaign_ids(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def is_signed_in_as(request: HttpRequest, email: str) -> bool:
    """This browser has proven it owns `email` (signed in to that account by code or link)."""
    user = request.user
    return bool(
        user.is_authenticated
        and getattr(user, "email_verified", False)
        and getattr(user, "email", "").lower() == email.strip().lower()
    )


def is_signed_in_owner(user: Any, campaign: Campaign) -> bool:
    """May act for the owner (approve, steer the chain): signed in as them, on a campaign that is theirs.

    A pending campaign belongs to nobody's account yet, so not even its owner may send from it.
    """
    return bool(
        getattr(user, "is_authenticated", False)
        and user.pk == campaign.owner_id
        and getattr(user, "email_verified", False)
        and campaign.owner_confirmed
    )


def require_signed_in_owner(user: Any, campaign: Campaign, *, approving: bool = False) -> None:
    """403 in the API's error shape unless `user` may act for the owner (see is_signed_in_owner).

    Approving an email and steering the chain (intent, auto-pilot) can lead to sending, so they
    share this one check; `approving` only picks the sentence that tells the person what to redo.
    """
    if is_signed_in_owner(user, campaign):
        return
    if approving:
        message = _(
            "Please confirm your email address first: use the sign-in code we sent to %(email)s, "
            "then approve the email again."
        )
    else:
        message = _("Please confirm your email address first: use the sign-in code we sent to %(email)s.")
    raise BadRequest(message % {"email": campaign.owner.email}, status=403)


def claim_pending_campaigns(user: Any, campaign_ids: Iterable[str]) -> int:
    """The browser that made these campaigns just proved it is `user`: they join the account."""
    ids = [str(cid) for cid in campaign_ids]
    if not ids:
        return 0
    return Campaign.objects.filter(id__in=ids, owner_id=user.pk, owner_confirmed=False).update(
        owner_confirmed=True, updated_at=timezone.now()
    )


def _visibility(request: HttpRequest) -> Q:
    rule = Q(id__in=session_campaign_ids(request))
    user = request.user
    if user.is_authenticated and getattr(user, "email_verified", False):
        rule |= Q(owner_id=user.pk, owner_confirmed=True)
    return rule


def visible_campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    return Campaign.objects.filter(_visibility(request))


def get_campaign_for_request(request: HttpRequest, campaign_id: str) -> Campaign:
    """The campaign if this browser may see it; the same 404 for someone else's or a made-up id."""
    campaign = visible_campaigns(request).select_related("owner").filter(id=str(campaign_id)[:64]).first()
    if campaign is None:
        raise Http404("campaign")
    return campaign


def get_email_for_request(request: HttpRequest, email_id: str) -> EmailOutreach:
    campaign_ids = visible_campaigns(request).values("id")
    email = (
        EmailOutreach.objects.select_related("campaign", "campaign__owner")
        .filter(id=str(email_id)[:64], campaign_id__in=campaign_ids)
        .first()
    )
    if email is None:
        raise Http404("email")
    return email
