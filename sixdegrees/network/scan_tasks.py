"""The mailbox scan as a background task: the page queues it (scanning.start_scan), a worker runs it."""

from __future__ import annotations

import logging

from django.db import transaction
from huey.contrib.djhuey import db_task

from sixdegrees.accounts.models import User
from sixdegrees.network.models import MailboxScan
from sixdegrees.network.scanning import run_scan, scannable_mailbox

logger = logging.getLogger(__name__)


@db_task()
def scan_mailbox_task(scan_id: str) -> dict[str, int | str]:
    """Look at MailboxScan `scan_id`: run it if it is still queued (claimed, so it runs once)."""
    claimed = MailboxScan.objects.filter(pk=scan_id, status=MailboxScan.Status.QUEUED).update(
        status=MailboxScan.Status.RUNNING
    )
    if claimed != 1:
        return {"skipped": "not queued (already run, running, or gone)"}
    record = MailboxScan.objects.select_related("owner", "mailbox").get(pk=scan_id)
    try:
        record = run_scan(record)
    except Exception:
        # Never leave the page showing "Scanning" for ever; the details are in the worker's log.
        logger.exception("mailbox scan failed", extra={"event": "mailbox_scan_failed", "scan": scan_id})
        MailboxScan.objects.filter(pk=scan_id).update(
            status=MailboxScan.Status.FAILED, error="The scan stopped on an unexpected problem; try again."
        )
        return {"failed": scan_id}
    logger.info(
        "mailbox scan finished",
        extra={"event": "mailbox_scan_done", "scan": scan_id, "messages": record.messages_done},
    )
    return {"messages": record.messages_done, "observations": record.observations, "people": record.people_updated}


def start_scan(owner: User) -> MailboxScan:
    """Queue a scan of the owner's mailbox for the worker (the page's button): status "queued".

    Raises scanning.ScanRefused when the owner has no connected mailbox. The task is sent once
    the row is committed, so the worker always finds it.
    """
    mailbox = scannable_mailbox(owner)
    queued = MailboxScan.objects.create(owner=owner, mailbox=mailbox, status=MailboxScan.Status.QUEUED)
    transaction.on_commit(lambda: scan_mailbox_task(queued.pk))
    return queued
