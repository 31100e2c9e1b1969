"""Who may see which campaign: the one place every campaign and email lookup goes through.

A browser sees the campaigns of the account it signed in to (by code, so the address is proven)
plus the campaigns it created itself in this session. Typing someone else's address into the
intake therefore never reveals that person's other campaigns.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach.models import EmailOutreach

SESSION_KEY = "campaign_ids"
MAX_SESSION_CAMPAIGNS = 200


def remember_campaign(request: HttpRequest, campaign: Campaign) -> None:
    ids = [cid for cid in request.session.get(SESSION_KEY, []) if cid != campaign.id]
    request.session[SESSION_KEY] = [campaign.id, *ids][:MAX_SESSION_CAMPAIGNS]


def _visibility(request: HttpRequest) -> Q:
    rule = Q(id__in=list(request.session.get(SESSION_KEY, [])))
    user = request.user
    if user.is_authenticated and getattr(user, "email_verified", False):
        rule |= Q(owner_id=user.pk)
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
