"""Campaigns with a real plan (the offline planner), for the chain, follow-up and end-to-end tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sixdegrees.outreach.tests.servers import make_campaign

BOB = {"name": "Bob Smith", "email": "bob@example.org", "company": "Climate Ventures"}


def planned_campaign(owner, *, contacts=(BOB,), language: str = "en", **fields):
    """A campaign planned by the offline planner; with one contact elsewhere, its best path has 3 hops.

    (You → Bob, a contact → someone the planner describes by role → the target.)
    """
    from sixdegrees.campaigns import planning
    from sixdegrees.strategy.offline import OfflinePlanner
    from sixdegrees.strategy.schema import Contact

    lease = timezone.now() + dt.timedelta(minutes=5)
    values = {
        "status": "processing",
        "plan_lease_until": lease,
        "language": language,
        "background": "Founder of a climate-tech startup; previously ML engineer at Stripe.",
        "motivation": "We are raising our Series A and Jane led two climate investments last year.",
        "user_name": "Alice Chen",
        **fields,
    }
    campaign = make_campaign(owner, **values)
    inp = planning.plan_input_for(campaign).model_copy(update={"contacts": [Contact(**c) for c in contacts]})
    outcome = OfflinePlanner().plan(inp)
    planning.store_plan(campaign, outcome, lease)
    campaign.refresh_from_db()
    return campaign


def hop(campaign, number):
    from sixdegrees.outreach.chain.shape import hop_email

    return hop_email(campaign, number)
