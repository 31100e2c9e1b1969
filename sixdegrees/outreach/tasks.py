"""Background tasks for the outbox. Each only names the row to look at; the row is the truth."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sixdegrees.outreach import outbox, sender, watcher
from sixdegrees.outreach.chain import silence
from sixdegrees.outreach.models import Mailbox
from sixdegrees.outreach.sender import BatchResult

logger = logging.getLogger(__name__)


@db_task()
def deliver_email(email_id: str, reason: str = "approved") -> dict[str, int | str]:
    """Look at outbox row `email_id`: send it, and what else is due on its mailbox, if due.

    Approval calls this on commit (reason "approved"); the sweeper and continuations say "due".
    """
    if reason == "approved" and not settings.OUTBOX_SEND_ON_APPROVE:
        return {"skipped": "send on approve is off; the sweeper sends it"}
    result = sender.deliver(email_id)
    _continue(result)
    return _summary(result)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict[str, int]:
    """Every minute: take back emails from dead workers, and wake each mailbox with due emails."""
    reclaimed = outbox.reclaim_expired()
    routes = sender.routes_with_due_rows(timezone.now())
    for _route, first_id in routes:
        deliver_email(first_id, reason="due")
    return {"reclaimed": reclaimed, "woken": len(routes)}


def deliver_on_queue(sender: object, email_id: str, **kwargs: object) -> None:
    """Receiver of signals.email_queued (connected in OutreachConfig.ready): approval's hand-off."""
    deliver_email(email_id)


def _continue(result: BatchResult) -> None:
    """Schedule the rest of a batch: when pacing allows, or at once when the batch was only full."""
    if not result.next_email_id:
        return
    if result.waiting_until:
        delay = max(0.0, (result.waiting_until - timezone.now()).total_seconds())
        deliver_email.schedule(args=(result.next_email_id,), kwargs={"reason": "due"}, delay=delay)
    else:
        deliver_email(result.next_email_id, reason="due")


def _summary(result: BatchResult) -> dict[str, int | str]:
    return {
        "sent": result.sent,
        "failed": result.failed,
        "retrying": result.retrying,
        "skipped": result.skipped,
        "stopped": result.stopped,
    }


# --- The reply watcher and the chain (outreach/watcher.py, outreach/chain/) -----------------


@db_periodic_task(crontab(minute="*"))
def watch_replies() -> dict[str, int]:
    """Every minute: read each mailbox's inbox for replies, bounces and automatic replies."""
    ids = [mailbox.pk for mailbox in watcher.watched_mailboxes()]
    for mailbox_id in ids:
        watch_mailbox(mailbox_id)
    return {"mailboxes": len(ids)}


@db_task()
def watch_mailbox(mailbox_id: str) -> dict[str, object]:
    """Look at one mailbox (a task each, so a slow IMAP server holds up only its own mailbox)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return {"skipped": "no such active mailbox"}
    return watcher.watch_mailbox(mailbox).summary()


@db_periodic_task(crontab(minute="*/10"))
def check_silence() -> dict[str, int]:
    """Every ten minutes: one follow-up after 48 h of silence; later, the next-best path."""
    return silence.check_silence()
