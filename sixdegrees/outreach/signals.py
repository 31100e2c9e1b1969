"""What outreach's domain code announces, so that it never imports its task bodies.

Approval says "row X is queued" here; `outreach.tasks` listens (connected in OutreachConfig.ready)
and enqueues `deliver_email`. The flow stays one way: tasks import approval, the sender, the
watcher and the chain; none of them imports tasks.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `email_id` after the transaction that queued the outbox row commits.
email_queued = Signal()
