"""Background tasks for campaigns. Each only names the row to look at."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sixdegrees.campaigns import planning


@db_task()
def plan_campaign(campaign_id: str) -> str:
    return planning.run_plan(campaign_id)


@db_periodic_task(crontab(minute="*"))
def plan_watchdog() -> dict[str, int]:
    return planning.rescue_stuck_plans()
