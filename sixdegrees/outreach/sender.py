"""The sender: turns `queued` outbox rows into delivered email, one mailbox at a time.

The row is the truth, and every change to it is a transition in outreach/outbox.py. A page of
rows is claimed with one conditional UPDATE (`queued` → `sending`, with a lease) before anything
is sent, their Message-IDs are stored before the SMTP conversation, and each is marked `sent`
(with its timeline event, in one transaction) only after the server accepted it. A worker that
dies leaves rows whose lease expires; `outbox.reclaim_expired` puts them back with
`needs_sent_check`, and the next attempt looks for the Message-ID in the mailbox's Sent folder
before sending again.

One pipeline for every email: a `Batch` sends a route's due rows through a mailbox (one SMTP
connection, under the mailbox's lease, so its pacing and daily cap stay exact across workers) or,
with no mailbox, into the local outbox folder. The worker, `sixdegrees outbox drain`, `send
--campaign-id` and `send --to` all go through `send_batch`.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.mail import build as message
from sixdegrees.mail import localbox
from sixdegrees.mail.smtp import SendError, SmtpConnection
from sixdegrees.outreach import crypto, mailboxes, outbox, unsubscribe
from sixdegrees.outreach.imap import ImapError, SentFolder
from sixdegrees.outreach.models import EmailOutreach, Mailbox, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status

BATCH_LIMIT = 100  # messages per task before it yields the worker thread to others
PAGE = 50  # rows claimed (and read, and checked against the suppression list) per statement
MESSAGES_PER_CONNECTION = 100  # Gmail closes connections after about this many
SUPPRESSED = "The recipient asked not to be contacted (suppression list), so this email was not sent."
NO_RECIPIENT = "This email has no recipient address."
# Jitter spreads retries (and paced sends) so mailboxes that failed together do not retry in step.
RETRY_JITTER = (0.8, 1.2)
PACING_JITTER = (1.0, 1.3)  # never sooner than the mailbox's minimum interval
RETRY_CAP_SECONDS = 3600


def _never() -> bool:
    return False


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    waiting_until: dt.datetime | None = None  # pacing: when this mailbox may send again
    next_email_id: str | None = None
    stopped: str = ""  # why the batch ended before the queue did: paused, cap, window, busy, …

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retrying + self.skipped

    def merge(self, other: BatchResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying
        self.skipped += other.skipped
        if other.waiting_until and (self.waiting_until is None or other.waiting_until < self.waiting_until):
            self.waiting_until, self.next_email_id = other.waiting_until, other.next_email_id
        if other.stopped and other.stopped not in self.stopped.split(", "):
            self.stopped = ", ".join(filter(None, [self.stopped, other.stopped]))


# --- Queries ---------------------------------------------------------------------------------


def route_rows(route: Mailbox | None, campaign_id: str | None = None) -> QuerySet[EmailOutreach]:
    """Rows whose campaign sends through `route` (None: the local outbox)."""
    rows = EmailOutreach.objects.filter(owner_id__isnull=False, campaign__owner_id__isnull=False)  # skips orphans
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    if route is not None and route.owner_id:
        return rows.filter(owner_id=route.owner_id)
    return rows.exclude(owner_id__in=mailboxes.owners_with_mailboxes())


def due_rows(route: Mailbox | None, now: dt.datetime, campaign_id: str | None = None) -> QuerySet[EmailOutreach]:
    return (
        route_rows(route, campaign_id)
        .filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "created_at")
    )


# A loose index scan over emails_due_by_owner (status, owner, next_attempt_at): one index probe
# per owner with queued emails, instead of a DISTINCT that reads every due row. A paused
# mailbox's backlog of 100k due emails made each drain pass read all of them.
OWNERS_WITH_DUE_ROWS = f"""
WITH RECURSIVE owners(id) AS (
    SELECT MIN(owner_id) FROM {EmailOutreach._meta.db_table} WHERE status = %(queued)s AND owner_id IS NOT NULL
    UNION ALL
    SELECT (SELECT MIN(owner_id) FROM {EmailOutreach._meta.db_table} WHERE status = %(queued)s AND owner_id > owners.id)
    FROM owners WHERE owners.id IS NOT NULL
)
SELECT id FROM owners WHERE id IS NOT NULL AND EXISTS (
    SELECT 1 FROM {EmailOutreach._meta.db_table}
    WHERE status = %(queued)s AND owner_id = owners.id AND next_attempt_at <= %(now)s
)
"""


def owners_with_due_rows(now: dt.datetime) -> set[str]:
    """The owners with at least one queued email due by `now`."""
    params = {"queued": Status.QUEUED, "now": connection.ops.adapt_datetimefield_value(now)}
    with connection.cursor() as cursor:
        cursor.execute(OWNERS_WITH_DUE_ROWS, params)
        return {owner_id for (owner_id,) in cursor.fetchall()}


def routes_with_due_rows(now: dt.datetime, campaign_id: str | None = None) -> list[tuple[Mailbox | None, str]]:
    """(route, first due email id) for every route with something to send now."""
    if campaign_id:
        due = EmailOutreach.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now, campaign_id=campaign_id)
        # Without order_by() the model's default ordering joins the DISTINCT: one row per email, not per owner.
        owners = set(due.order_by().values_list("owner_id", flat=True).exclude(owner_id=None).distinct())
    else:
        owners = owners_with_due_rows(now)
    seen: dict[str | None, tuple[Mailbox | None, str]] = {}
    for owner_id in owners:
        route = mailboxes.route_for_owner(owner_id)
        key = route.pk if route else None
        if key in seen:
            continue
        first = due_rows(route, now, campaign_id).values_list("id", flat=True).first()
        if first:
            seen[key] = (route, first)
    return list(seen.values())


def retry_base_seconds(attempts: int) -> float:
    """The delay after `attempts` failed tries, before jitter: 1, 2, 4 … minutes, capped at an hour."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), RETRY_CAP_SECONDS)


def jitter(low: float, high: float) -> float:
    return random.uniform(low, high)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=retry_base_seconds(attempts) * jitter(*RETRY_JITTER))


def pacing_delay(interval_seconds: int) -> dt.timedelta:
    return dt.timedelta(seconds=interval_seconds * jitter(*PACING_JITTER))


# --- What happens to an attempt --------------------------------------------------------------


def retry_later(row: EmailOutreach, error: SendError) -> str:
    """A transient failure: back to `queued` with backoff, or `failed` after too many tries."""
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        outbox.mark_failed(row, f"Gave up after {row.attempts} attempts. Last error: {error.message}")
        return "failed"
    at = timezone.now() + backoff(row.attempts)
    words = f"Attempt {row.attempts} failed: {error.message}. Next try after {at:%H:%M} UTC."
    outbox.retry_later(row, at, words, ambiguous=error.ambiguous)
    return "retrying"


def suppressed_among(rows: list[EmailOutreach]) -> set[str]:
    """The page's recipients on the suppression list, lower-cased: one query for the whole page."""
    addresses = {row.recipient_email.strip().lower() for row in rows if row.recipient_email}
    if not addresses:
        return set()
    found = Suppression.objects.annotate(address=Lower("email")).filter(address__in=addresses)
    return set(found.values_list("address", flat=True))


def check_before_sending(row: EmailOutreach, suppressed: set[str]) -> str:
    """Re-check what may have changed since approval; returns an outcome or "" to go ahead.

    The row and its parent were read after the claim, so a reply that came in since approval shows.
    """
    if not row.recipient_email:
        outbox.mark_failed(row, NO_RECIPIENT)
        return "failed"
    if row.recipient_email.strip().lower() in suppressed:
        outbox.mark_failed(row, SUPPRESSED)
        return "failed"
    # A note answering their reply ("send me a blurb") is meant to follow a reply; only follow-ups go stale.
    parent = row.in_reply_to if row.kind != EmailOutreach.Kind.BLURB else None
    replied = parent is not None and (parent.status == Status.REPLIED or parent.replied_at is not None)
    finished = row.campaign.status in (Campaign.Status.CONNECTED, Campaign.Status.COMPLETED)
    if replied or (finished and parent is not None):
        who = (parent.recipient_name or parent.recipient_email) if parent else row.recipient_name
        words = f"Not sent: {who} replied before this follow-up went out. Review it before sending it again."
        if not replied:
            words = "Not sent: the campaign finished before this follow-up went out."
        outbox.back_to_draft(row, words)
        return "skipped"
    return ""


def _count(result: BatchResult, outcome: str) -> None:
    setattr(result, outcome, getattr(result, outcome) + 1)


# --- Sending ---------------------------------------------------------------------------------


def deliver(email_id: str, *, should_stop: Callable[[], bool] = _never) -> BatchResult:
    """Look at row `email_id`: if it is due, send it and whatever else is due on the same route."""
    row = EmailOutreach.objects.select_related("campaign").filter(id=email_id).first()
    if row is None or row.status != Status.QUEUED:
        return BatchResult()
    route = mailboxes.route_for_owner(row.campaign.owner_id)
    return send_batch(route, first_id=email_id, should_stop=should_stop)


def send_batch(
    route: Mailbox | None,
    *,
    campaign_id: str | None = None,
    first_id: str | None = None,
    limit: int = BATCH_LIMIT,
    should_stop: Callable[[], bool] = _never,
) -> BatchResult:
    """Send up to `limit` of `route`'s due emails (None: into the local outbox folder), `first_id` first."""
    result = Batch(route, campaign_id, should_stop).run(first_id, limit)
    if result.handled >= limit and not result.stopped and not result.next_email_id:
        # A full batch: name the next email so the caller can carry on (tasks yield between batches).
        result.next_email_id = due_rows(route, timezone.now(), campaign_id).values_list("id", flat=True).first()
    return result


class Batch:
    """One pass over a route's due emails: a mailbox on one SMTP connection under its lease, or
    (mailbox None) the local outbox folder. Rows are claimed a page at a time."""

    def __init__(self, mailbox: Mailbox | None, campaign_id: str | None, should_stop: Callable[[], bool]) -> None:
        self.mailbox = mailbox
        self.campaign_id = campaign_id
        self.should_stop = should_stop
        self.connection: SmtpConnection | None = None
        self.sent_folders: dict[str, SentFolder] = {}
        self.result = BatchResult()
        self.page: collections.deque[EmailOutreach] = collections.deque()
        self.suppressed: set[str] = set()
        self.tried_from: dict[str, str | None] = {}  # the mailbox of each row's previous attempt

    def run(self, first_id: str | None, limit: int) -> BatchResult:
        if not self._acquire():
            self.result.stopped = "busy"
            return self.result
        try:
            self._loop(first_id, limit)
        finally:
            outbox.release(row.id for row in self.page)  # claimed but not tried: back, no attempt counted
            if self.connection is not None:
                self.connection.close()
            for folder in self.sent_folders.values():
                folder.close()
            if self.mailbox is not None:
                Mailbox.objects.filter(pk=self.mailbox.pk).update(
                    sender_lease_until=None, last_sent_at=self.mailbox.last_sent_at
                )
        return self.result

    def _acquire(self) -> bool:
        if self.mailbox is None:
            return True  # the local folder: a row's claim is all the exclusion it needs
        now = timezone.now()
        free = Q(sender_lease_until__isnull=True) | Q(sender_lease_until__lt=now)
        got = Mailbox.objects.filter(free, pk=self.mailbox.pk).update(sender_lease_until=now + outbox.lease_delta())
        if got == 1:
            self.mailbox.refresh_from_db()
        return got == 1

    def _sent_today(self, now: dt.datetime) -> int:
        if self.mailbox is None:
            return 0
        day_start = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return EmailOutreach.objects.filter(mailbox=self.mailbox, sent_at__gte=day_start).count()

    def _gate(self, now: dt.datetime, sent_today: int) -> str:
        """Why this mailbox may not send right now ("" when it may; the local folder always may)."""
        mailbox = self.mailbox
        if mailbox is None:
            return ""
        if mailbox.pause_words(now):
            return "paused"
        if sent_today >= mailbox.daily_cap:
            outbox.defer(due_rows(mailbox, now, self.campaign_id), mailboxes.next_utc_day(now))
            return "cap"
        opens = mailboxes.in_window(mailbox, now)
        if opens is not None:
            outbox.defer(due_rows(mailbox, now, self.campaign_id), opens)
            return "window"
        if mailbox.next_send_at and mailbox.next_send_at > now:
            waiting = due_rows(mailbox, now, self.campaign_id).values_list("id", flat=True).first()
            if waiting is None:
                return "idle"
            self.result.waiting_until, self.result.next_email_id = mailbox.next_send_at, waiting
            return "pacing"
        return ""

    def _room(self, limit: int, sent_today: int) -> int:
        """How many rows to claim now: never more than the batch, the daily cap or pacing lets go out."""
        room = min(PAGE, limit - self.result.handled)
        if self.mailbox is not None:
            room = min(room, self.mailbox.daily_cap - sent_today)
            if self.mailbox.min_interval_seconds:
                room = min(room, 1)  # one message, then the pause: a claimed row never waits out a lease
        return room

    def _claim_page(self, now: dt.datetime, first_id: str | None, room: int) -> None:
        due = due_rows(self.mailbox, now, self.campaign_id)
        if first_id:
            first = Case(When(id=first_id, then=Value(0)), default=Value(1), output_field=IntegerField())
            due = due.order_by(first, "next_attempt_at", "created_at")
        ids = outbox.claim_page(due, now, room)
        if not ids:
            return
        rows = list(
            EmailOutreach.objects.filter(id__in=ids)
            .select_related("campaign", "in_reply_to")
            .order_by("next_attempt_at", "created_at")
        )
        if first_id:
            rows.sort(key=lambda row: row.id != first_id)
        self.tried_from.update((row.id, row.mailbox_id) for row in rows)
        outbox.stamp(rows, self.mailbox, self._from_address)
        self.suppressed = suppressed_among(rows)
        self.page.extend(rows)

    def _from_address(self, row: EmailOutreach) -> str:
        return self.mailbox.address if self.mailbox is not None else row.campaign.email

    def _loop(self, first_id: str | None, limit: int) -> None:
        sent_today, day = 0, None
        lease_until = timezone.now() + outbox.lease_delta()
        while self.result.handled < limit and not self.result.stopped:
            if self.should_stop():
                self.result.stopped = "stop"
                return
            now = timezone.now()
            if day != now.astimezone(dt.UTC).date():
                sent_today, day = self._sent_today(now), now.astimezone(dt.UTC).date()
            gate = self._gate(now, sent_today)
            if gate:
                self.result.stopped = "" if gate == "idle" else gate
                return
            if not self.page:
                self._claim_page(now, first_id, self._room(limit, sent_today))
                first_id = None
                if not self.page:
                    return
            row = self.page.popleft()
            if lease_until - now < outbox.lease_delta() / 2:
                lease_until = now + outbox.lease_delta()
                if self.mailbox is not None:
                    Mailbox.objects.filter(pk=self.mailbox.pk).update(sender_lease_until=lease_until)
                outbox.renew_lease([row.id, *(r.id for r in self.page)], lease_until)
            outcome = self._send_one(row)
            if outcome:
                _count(self.result, outcome)
            if outcome == "sent":
                sent_today += 1
                self._paced()

    def _paced(self) -> None:
        if self.mailbox is None:
            return
        now = timezone.now()
        interval = self.mailbox.min_interval_seconds
        self.mailbox.last_sent_at = now  # written when the batch ends
        if interval or self.mailbox.next_send_at:
            next_send_at = now + pacing_delay(interval) if interval else None
            self.mailbox.next_send_at = next_send_at
            Mailbox.objects.filter(pk=self.mailbox.pk).update(next_send_at=next_send_at)

    def _send_one(self, row: EmailOutreach) -> str:
        """Check, build and deliver one claimed row; returns its outcome ("" when it only waits)."""
        outcome = check_before_sending(row, self.suppressed)
        if outcome:
            return outcome
        mailbox = self.mailbox
        if mailbox is not None and row.needs_sent_check:
            try:
                if self._already_sent(row, self.tried_from.get(row.id) or mailbox.pk):
                    outbox.mark_sent(
                        row, "Found in the Sent folder after an interrupted attempt, so it was not sent again."
                    )
                    return "sent"
            except ImapError as exc:
                error = SendError(f"could not check the Sent folder before sending again: {exc.message}")
                mailboxes.record_error(mailbox, f"IMAP: {exc.message}")
                return retry_later(row, error)
        try:
            built = message.for_outreach(
                row,
                from_address=self._from_address(row),
                reply_to=mailbox.reply_to if mailbox is not None else "",
                unsubscribe_url=unsubscribe.url_for(row.recipient_email, row.id),
            )
        except message.MessageError as exc:
            outbox.mark_failed(row, f"This email cannot be built: {exc}")
            return "failed"
        if mailbox is None:
            path = localbox.write(row.id, built)
            outbox.mark_sent(row, localbox.note(path), kind="email_sent_locally")
            return "sent"
        try:
            reply = self._smtp().send(built, mailbox.address, [row.recipient_email])
        except SendError as error:
            return self._failed(row, error)
        outbox.mark_sent(row, f"Accepted by {mailbox.smtp_host}: {reply}")
        return "sent"

    def _smtp(self) -> SmtpConnection:
        assert self.mailbox is not None
        connection = self.connection
        if connection is not None and (
            connection.client is None or connection.sent_on_this_connection >= MESSAGES_PER_CONNECTION
        ):
            connection.close()
            connection = None
        if connection is None:
            try:
                config = mailboxes.smtp_settings(self.mailbox)
            except crypto.CredentialError as exc:  # the key that encrypted the password is gone
                raise SendError(str(exc), kind="auth") from None
            connection = self.connection = SmtpConnection(config)
        return connection

    def _already_sent(self, row: EmailOutreach, mailbox_id: str) -> bool:
        """Look for the row's Message-ID where the earlier attempt would have left its copy."""
        assert self.mailbox is not None
        folder = self.sent_folders.get(mailbox_id)
        if folder is None:
            source = self.mailbox if mailbox_id == self.mailbox.pk else Mailbox.objects.filter(pk=mailbox_id).first()
            config = mailboxes.imap_settings(source) if source is not None else None
            if config is None:
                return False  # no IMAP: nothing to look at, so the email is sent again
            folder = self.sent_folders[mailbox_id] = SentFolder(config)
        assert row.message_id
        return folder.contains(row.message_id)

    def _failed(self, row: EmailOutreach, error: SendError) -> str:
        """Record a failed attempt; returns the row's outcome ("" when it only waits for the mailbox)."""
        mailbox = self.mailbox
        assert mailbox is not None
        logger.info(
            "smtp attempt failed",
            extra={"event": "smtp_failed", "email_id": row.id, "kind": error.kind, "error": error.message},
        )
        if error.kind in ("quota", "auth"):
            words = f"Waiting: sending from {mailbox.address} is paused ({error.message})."
            outbox.wait_for_mailbox(row, words, ambiguous=error.ambiguous)
            reason = Mailbox.PauseReason.QUOTA if error.kind == "quota" else Mailbox.PauseReason.AUTH
            mailboxes.pause(mailbox, reason, error.message)
            self._tell_campaigns(f"mailbox_paused_{error.kind}")
            self.result.stopped = "paused"
            return ""
        if error.permanent:
            outbox.mark_failed(row, f"The mail server refused this email: {error.message}")
            return "failed"
        if error.kind == "connection":
            # The server is unreachable for every email: stop here rather than burn their attempts.
            mailboxes.record_error(mailbox, f"SMTP: {error.message}")
            self.result.stopped = "connection"
        return retry_later(row, error)

    def _tell_campaigns(self, kind: str) -> None:
        assert self.mailbox is not None
        waiting = route_rows(self.mailbox, self.campaign_id).filter(status__in=[Status.QUEUED, Status.SENDING])
        until = self.mailbox.paused_until
        for campaign in Campaign.objects.filter(id__in=waiting.values("campaign_id"))[:100]:
            timeline.record(
                campaign,
                kind,
                mailbox=self.mailbox.address,
                until=f"{until:%Y-%m-%d %H:%M}" if until else "",
            )
