"""Finding people in one owner's network: search, organisation and strength filters, facets.

Strength buckets are what the page's filter offers. Their edges put the stated priors (0.10 for a
LinkedIn connection, 0.15 for an address-book entry) in "weak" and one fresh two-way exchange
(0.31, network/strength.py) in "medium", so the buckets separate evidence from mere listing.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Count, Max, Q, QuerySet

from sixdegrees.accounts.models import User
from sixdegrees.network.models import Person, PersonEmail
from sixdegrees.network.organisations import organisation_key

Bucket = Literal["strong", "medium", "weak", "none"]
Hidden = Literal["exclude", "include", "only"]
BUCKETS: dict[str, tuple[float, float]] = {  # [low, high): strong includes 1.0 (see below)
    "strong": (0.6, 1.01),
    "medium": (0.3, 0.6),
    "weak": (0.0001, 0.3),
    "none": (0.0, 0.0001),
}
SEARCH_MAX = 200


def bucket_of(strength: float) -> str:
    return next(name for name, (low, high) in BUCKETS.items() if low <= strength < high)


def find(owner: User, *, q: str = "", org: str = "", strength: str = "", hidden: str = "exclude") -> QuerySet[Person]:
    """The owner's people matching every filter given, strongest first."""
    found = Person.objects.filter(owner=owner)
    if hidden == "exclude":
        found = found.filter(hidden=False)
    elif hidden == "only":
        found = found.filter(hidden=True)
    q = " ".join(q.split())[:SEARCH_MAX]
    if q:
        by_address = PersonEmail.objects.filter(owner=owner, address__icontains=q).values("person_id")
        found = found.filter(
            Q(name__icontains=q) | Q(organisation__icontains=q) | Q(title__icontains=q) | Q(pk__in=by_address)
        )
    if org.strip():
        # The key, so "Stripe, Inc." finds "stripe" and alex@stripe.com's person alike.
        found = found.filter(organisation_key=organisation_key(org) or org.strip().casefold())
    if strength in BUCKETS:
        low, high = BUCKETS[strength]
        found = found.filter(strength__gte=low, strength__lt=high)
    return found.order_by("-strength", "name", "id")


def organisations(owner: User, limit: int = 100) -> list[dict[str, object]]:
    """The organisations in the network with how many people each, most first (for the filter)."""
    rows = (
        Person.objects.filter(owner=owner, hidden=False)
        .exclude(organisation_key="")
        .values("organisation_key")
        .annotate(count=Count("id"), name=Max("organisation"))
        .order_by("-count", "organisation_key")[:limit]
    )
    return [
        {"key": row["organisation_key"], "name": row["name"] or row["organisation_key"], "count": row["count"]}
        for row in rows
    ]
