"""Background tasks for campaigns. Each only names the row to look at.

The plan watchdog (planning.rescue_stuck_plans) is not a Huey periodic task: Huey schedules by
the minute, and a dead worker's plan must be re-run sooner. `sixdegrees worker` runs it every
PLAN_WATCHDOG_SECONDS in a thread instead (not with --no-periodic).
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sixdegrees.campaigns import planning


@db_task()
def plan_campaign(campaign_id: str) -> str:
    return planning.run_plan(campaign_id)


def enqueue_plan(sender: object, campaign_id: str, **kwargs: object) -> None:
    """Receiver of signals.plan_requested (connected in CampaignsConfig.ready)."""
    plan_campaign(campaign_id)
