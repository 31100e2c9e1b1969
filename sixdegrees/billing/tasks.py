"""Scheduled billing work. Each run is idempotent: running it twice, or on two workers, is safe."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sixdegrees.billing import guarantee, ledger


@db_periodic_task(crontab(minute="11"))
def refund_unanswered_campaigns() -> int:
    """Hourly: campaigns with no reply 48 hours after their first email get their credit back."""
    return len(guarantee.refund_unanswered_campaigns())


@db_periodic_task(crontab(day="1", hour="0", minute="5"))
def refill_free_plans() -> int:
    """The 1st of each month (UTC): free-plan people are topped up to the month's campaign."""
    return ledger.refill_free_plans()
