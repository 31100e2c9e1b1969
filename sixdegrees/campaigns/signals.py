"""What campaign code announces, so that it never imports its own task bodies.

Domain modules (intake, the API, the planning watchdog) ask for a plan here; `campaigns.tasks`
listens (connected in CampaignsConfig.ready) and enqueues `plan_campaign`. The flow stays one way:
tasks import the domain, the domain never imports tasks.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `campaign_id` when a campaign needs (re)planning.
plan_requested = Signal()


def request_plan(campaign_id: str) -> None:
    """Ask the worker to plan `campaign_id` now; callers wrap this in on_commit where it must wait."""
    plan_requested.send(sender=None, campaign_id=campaign_id)
