"""The outbox's state changes: every transition of an outbox row is written here, once.

    draft ──queue──▶ queued ──claim──▶ sending ──mark_sent──▶ sent ──▶ bounced / replied
      ▲                ▲  ▲               │
      │                │  └─retry_later, wait_for_mailbox, release, reclaim_expired (lease ran out)
      └─back_to_draft──┴──────────────────┤
                       └──requeue_failed── failed ◀──mark_failed

Each transition is one conditional UPDATE with the state it leaves in its WHERE, so two workers
(or a worker and a person) change a row once, and each says whether it happened. A transition
that goes on the campaign's timeline writes the row and the event in one transaction: a worker
that dies between them is impossible. Policy (when to retry, how long to wait, whether a mailbox
may send) is the sender's; this module only moves rows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.mail import build as message
from sixdegrees.outreach.models import EmailOutreach, Mailbox

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
TABLE = EmailOutreach._meta.db_table


def lease_delta() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _who(row: EmailOutreach) -> str:
    return row.recipient_name or row.recipient_email


# --- Drafts ------------------------------------------------------------------------------------


def edit_draft(email_id: str, fields: dict[str, Any]) -> bool:
    """Change a draft's text; False once it has left `draft` (an approved email is not edited)."""
    changed = EmailOutreach.objects.filter(id=email_id, status=Status.DRAFT).update(**fields, updated_at=timezone.now())
    return changed == 1


def queue(email: EmailOutreach, now: dt.datetime) -> bool:
    """draft → queued, due at once (approval calls this inside its transaction)."""
    queued = EmailOutreach.objects.filter(id=email.id, status=Status.DRAFT).update(
        status=Status.QUEUED, queued_at=now, next_attempt_at=now, updated_at=now
    )
    return queued == 1


# --- Claiming ----------------------------------------------------------------------------------


def claim_page(due: QuerySet[EmailOutreach], now: dt.datetime, limit: int) -> list[str]:
    """queued → sending for up to `limit` of `due`'s rows, in one statement; the ids this worker got.

    `WITH page … UPDATE … WHERE id IN page AND status = 'queued' RETURNING id`: a row another worker
    took meanwhile fails the status check and is simply not returned. On PostgreSQL the page is
    read with SKIP LOCKED, so two workers take two pages instead of queueing on one. The lease
    and the attempt count are set here; `stamp` names the mailbox and the Message-ID next.
    """
    if limit <= 0:
        return []
    page = due.filter(next_attempt_at__lte=now)  # the UPDATE's own WHERE checks the status
    if connection.features.has_select_for_update_skip_locked:
        page = page.select_for_update(skip_locked=True, of=("self",))
    moment = connection.ops.adapt_datetimefield_value(now)
    until = connection.ops.adapt_datetimefield_value(now + lease_delta())
    with transaction.atomic(), connection.cursor() as cursor:
        page_sql, page_params = page.values("id")[:limit].query.sql_with_params()  # FOR UPDATE wants the transaction
        # MATERIALIZED: the page is read once. Inlined, PostgreSQL may re-run a SKIP LOCKED subquery
        # per candidate row and claim more than `limit` rows.
        sql = (
            f"WITH page AS MATERIALIZED ({page_sql}) "
            f"UPDATE {TABLE} SET status = %s, lease_until = %s, attempts = attempts + 1, updated_at = %s "
            f"WHERE id IN (SELECT id FROM page) AND status = %s AND next_attempt_at <= %s RETURNING id"
        )
        cursor.execute(sql, [*page_params, Status.SENDING, until, moment, Status.QUEUED, moment])
        return [email_id for (email_id,) in cursor.fetchall()]


def stamp(rows: list[EmailOutreach], mailbox: Mailbox | None, from_address: Callable[[EmailOutreach], str]) -> None:
    """Before any server hears of them: the mailbox that tries the claimed rows, and a Message-ID
    for each row without one, in one statement for the page.

    A retry keeps its first Message-ID, so replies and the Sent-folder check match every attempt.
    Read `row.mailbox_id` before this to know where an earlier attempt left its copy.
    """
    if not rows:
        return
    # The rows were read after the claim and are this worker's: what they say about their Message-ID holds.
    missing = {row.id: message.new_message_id(row.id, from_address(row)) for row in rows if not row.message_id}
    changes: dict[str, Any] = {"mailbox": mailbox}
    if missing:
        whens = [When(id=email_id, then=Value(message_id)) for email_id, message_id in missing.items()]
        changes["message_id"] = Case(*whens, default=F("message_id"))
    EmailOutreach.objects.filter(id__in=[row.id for row in rows], status=Status.SENDING).update(**changes)
    for row in rows:
        row.mailbox = mailbox
        if row.id in missing:
            row.message_id = missing[row.id]


def claim(row: EmailOutreach, now: dt.datetime, mailbox: Mailbox | None, from_address: str) -> bool:
    """queued → sending for one row, with its Message-ID stored; False when another worker got there first."""
    if not claim_page(EmailOutreach.objects.filter(id=row.id), now, 1):
        return False
    row.refresh_from_db(fields=["status", "attempts", "message_id", "needs_sent_check", "lease_until"])
    stamp([row], mailbox, lambda _row: from_address)
    return True


def renew_lease(ids: Iterable[str], until: dt.datetime) -> None:
    """A long batch keeps the rows it still holds, so the sweep does not hand them to another worker."""
    EmailOutreach.objects.filter(id__in=list(ids), status=Status.SENDING).update(lease_until=until)


def release(ids: Iterable[str]) -> int:
    """sending → queued for claimed rows this worker did not get to (the batch stopped): no attempt counted."""
    ids = list(ids)
    if not ids:
        return 0
    return EmailOutreach.objects.filter(id__in=ids, status=Status.SENDING).update(
        status=Status.QUEUED, lease_until=None, attempts=F("attempts") - 1, updated_at=timezone.now()
    )


def reclaim_expired(now: dt.datetime | None = None) -> int:
    """Put back rows whose worker died mid-send; the next attempt checks the Sent folder first."""
    now = now or timezone.now()
    count = EmailOutreach.objects.filter(status=Status.SENDING, lease_until__lt=now).update(
        status=Status.QUEUED,
        lease_until=None,
        next_attempt_at=now,
        needs_sent_check=True,
        error_message="The worker stopped while sending this email; it is checked against the Sent folder "
        "before it is sent again.",
        updated_at=now,
    )
    if count:
        logger.warning("reclaimed emails from a stopped worker", extra={"event": "outbox_reclaimed", "count": count})
    return count


# --- The outcome of an attempt -----------------------------------------------------------------


def mark_sent(row: EmailOutreach, note: str, *, kind: str = "email_sent") -> bool:
    """→ sent, and its timeline event, in one transaction (told once even if two workers finish)."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        changed = _sent_with_event(row, note[:2000], kind, now)
    else:
        changed = _sent_then_event(row, note[:2000], kind, now)
    if changed == 1:
        row.status, row.sent_at, row.delivery_note = Status.SENT, now, note[:2000]
    return changed == 1


# The sender's hottest write, in SQL written once rather than built by the ORM per message. On
# PostgreSQL one statement (a data-modifying CTE) is one round trip and atomic by itself, where
# BEGIN, UPDATE, INSERT and COMMIT are four; SQLite has no UPDATE inside WITH, so there it is an
# UPDATE … RETURNING and an INSERT in one transaction.
SENT_SET = (
    f"UPDATE {TABLE} SET status = %s, sent_at = %s, lease_until = NULL, error_message = '', "
    "needs_sent_check = false, delivery_note = %s, updated_at = %s "
    "WHERE id = %s AND status IN (%s, %s) RETURNING campaign_id"
)
EVENTS = TimelineEvent._meta.db_table
SENT_WITH_EVENT = (
    f"WITH sent AS ({SENT_SET}) INSERT INTO {EVENTS} (campaign_id, kind, data, created_at) "
    "SELECT campaign_id, %s, %s::jsonb, %s FROM sent"
)
SENT_EVENT = f"INSERT INTO {EVENTS} (campaign_id, kind, data, created_at) VALUES (%s, %s, %s, %s)"


def _sent_with_event(row: EmailOutreach, note: str, kind: str, now: dt.datetime) -> int:
    data = json.dumps({"recipient": _who(row)})
    # `queued` too: if the lease ran out mid-send and the row was taken back, it is still delivered.
    params: list[Any] = [Status.SENT, now, note, now, row.id, Status.SENDING, Status.QUEUED, kind, data, now]
    with connection.cursor() as cursor:
        cursor.execute(SENT_WITH_EVENT, params)
        return cursor.rowcount


def _sent_then_event(row: EmailOutreach, note: str, kind: str, now: dt.datetime) -> int:
    at = connection.ops.adapt_datetimefield_value(now)  # the text the ORM would store
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SENT_SET, [Status.SENT, at, note, at, row.id, Status.SENDING, Status.QUEUED])
        sent = cursor.fetchone()
        if sent is None:
            return 0
        cursor.execute(SENT_EVENT, [sent[0], kind, json.dumps({"recipient": _who(row)}), at])
    return 1


def mark_failed(row: EmailOutreach, words: str) -> bool:
    """sending → failed, and its timeline event, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        changed = EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
            status=Status.FAILED, lease_until=None, error_message=words[:2000], updated_at=now
        )
        if changed == 1:
            timeline.record(row.campaign, "email_failed", recipient=_who(row), reason=words)
    if changed == 1:
        row.status, row.error_message = Status.FAILED, words[:2000]
    return changed == 1


def retry_later(row: EmailOutreach, at: dt.datetime, words: str, *, ambiguous: bool = False) -> bool:
    """sending → queued until `at` (a transient failure); `ambiguous`: look in the Sent folder first."""
    changed = EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
        status=Status.QUEUED,
        lease_until=None,
        next_attempt_at=at,
        needs_sent_check=row.needs_sent_check or ambiguous,
        error_message=words[:2000],
        updated_at=timezone.now(),
    )
    return changed == 1


def wait_for_mailbox(row: EmailOutreach, words: str, *, ambiguous: bool = False) -> bool:
    """sending → queued, due at once: the mailbox, not the email, has the problem, so the attempt does not count."""
    now = timezone.now()
    changed = EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
        status=Status.QUEUED,
        lease_until=None,
        next_attempt_at=now,
        attempts=F("attempts") - 1,
        needs_sent_check=row.needs_sent_check or ambiguous,
        error_message=words[:2000],
        updated_at=now,
    )
    return changed == 1


def back_to_draft(row: EmailOutreach, words: str) -> bool:
    """sending → draft for a follow-up that went stale while waiting: back to the person, never sent blindly."""
    now = timezone.now()
    with transaction.atomic():
        changed = EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
            status=Status.DRAFT,
            lease_until=None,
            next_attempt_at=None,
            queued_at=None,
            attempts=F("attempts") - 1,
            error_message=words,
            updated_at=now,
        )
        if changed == 1:
            timeline.record(row.campaign, "followup_skipped", recipient=_who(row))
    return changed == 1


# --- The person, the operator and the chain ------------------------------------------------------


def requeue_failed(ids: Iterable[str], now: dt.datetime) -> int:
    """failed → queued with a clean slate (`sixdegrees outbox retry`)."""
    return EmailOutreach.objects.filter(id__in=list(ids), status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=now, error_message="", updated_at=now
    )


def due_now(rows: QuerySet[EmailOutreach], now: dt.datetime) -> int:
    """Queued rows go at once, even those waiting out a retry delay (pacing and caps still hold)."""
    return rows.filter(status=Status.QUEUED).update(next_attempt_at=now)


def defer(rows: QuerySet[EmailOutreach], until: dt.datetime) -> int:
    """Queued rows wait until `until` (a daily cap, a sending window, an out-of-office): nothing is dropped."""
    return EmailOutreach.objects.filter(id__in=rows.filter(status=Status.QUEUED).values("id")).update(
        next_attempt_at=until
    )


def mark_bounced(email: EmailOutreach, words: str) -> bool:
    """→ bounced (a draft was never sent; a reply already proves the address works)."""
    changed = (
        EmailOutreach.objects.filter(pk=email.pk)
        .exclude(status__in=[Status.DRAFT, Status.REPLIED])
        .update(status=Status.BOUNCED, error_message=words[:2000], updated_at=timezone.now())
    )
    return changed == 1


def mark_replied(answered: EmailOutreach, root: EmailOutreach, at: dt.datetime, text: str, intent: str | None) -> None:
    """→ replied: the thread's first email carries the reply, and so does the follow-up it answered.

    `intent` None keeps the stored one (a later "thanks!" must not undo an earlier yes).
    """
    now = timezone.now()
    EmailOutreach.objects.filter(pk=answered.pk).exclude(status=Status.DRAFT).exclude(pk=root.pk).update(
        status=Status.REPLIED, replied_at=at, updated_at=now
    )
    changes: dict[str, Any] = {"status": Status.REPLIED, "reply_text": text, "updated_at": now}
    if intent is not None:
        changes["reply_intent"] = intent
    EmailOutreach.objects.filter(pk=root.pk).exclude(status=Status.DRAFT).update(**changes)
    EmailOutreach.objects.filter(pk=root.pk, replied_at__isnull=True).update(replied_at=at)


def mark_escalated(root: EmailOutreach, now: dt.datetime) -> bool:
    """Claim the silence after `root` once, so two workers never offer two paths for it."""
    return EmailOutreach.objects.filter(pk=root.pk, escalated_at__isnull=True).update(escalated_at=now) == 1


def add_queued(campaign: Campaign, now: dt.datetime, **fields: Any) -> EmailOutreach:
    """A new row straight into `queued` (an operator's one-off email: the operator is the approver)."""
    with transaction.atomic():
        email = EmailOutreach.objects.create(
            campaign=campaign, status=Status.QUEUED, queued_at=now, next_attempt_at=now, created_at=now, **fields
        )
        timeline.record(campaign, "email_queued", recipient=_who(email))
    return email
