"""The sender: turns `queued` outbox rows into delivered email, one mailbox at a time.

The row is the truth. A row is claimed with one conditional UPDATE (`queued` → `sending`, with a
lease) before anything is sent, its Message-ID is stored before the SMTP conversation, and it is
marked `sent` only after the server accepted the message. A worker that dies leaves a row whose
lease expires; `reclaim_expired` puts it back with `needs_sent_check`, and the next attempt looks
for its Message-ID in the mailbox's Sent folder before sending it again.

Each mailbox has one sender at a time (a lease on the mailbox row), which keeps its pacing and
daily cap exact across workers; a batch reuses one SMTP connection.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.mail import build as message
from sixdegrees.mail import localbox
from sixdegrees.mail.smtp import SendError, SmtpConnection
from sixdegrees.outreach import crypto, mailboxes, unsubscribe
from sixdegrees.outreach.imap import ImapError, SentFolder
from sixdegrees.outreach.models import EmailOutreach, Mailbox, Suppression

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status

BATCH_LIMIT = 100  # messages per task before it yields the worker thread to others
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


def lease_delta() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def route_rows(route: Mailbox | None, campaign_id: str | None = None) -> QuerySet[EmailOutreach]:
    """Rows whose campaign sends through `route` (None: the local outbox)."""
    rows = EmailOutreach.objects.filter(campaign__owner_id__isnull=False)  # skips orphans
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    if route is not None and route.owner_id:
        return rows.filter(campaign__owner_id=route.owner_id)
    return rows.exclude(campaign__owner_id__in=mailboxes.owners_with_mailboxes())


def due_rows(route: Mailbox | None, now: dt.datetime, campaign_id: str | None = None) -> QuerySet[EmailOutreach]:
    return (
        route_rows(route, campaign_id)
        .filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "created_at")
    )


def routes_with_due_rows(now: dt.datetime, campaign_id: str | None = None) -> list[tuple[Mailbox | None, str]]:
    """(route, first due email id) for every route with something to send now."""
    due = EmailOutreach.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now, campaign__owner_id__isnull=False)
    if campaign_id:
        due = due.filter(campaign_id=campaign_id)
    owners = set(due.values_list("campaign__owner_id", flat=True).distinct())
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


def retry_base_seconds(attempts: int) -> float:
    """The delay after `attempts` failed tries, before jitter: 1, 2, 4 … minutes, capped at an hour."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), RETRY_CAP_SECONDS)


def jitter(low: float, high: float) -> float:
    return random.uniform(low, high)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=retry_base_seconds(attempts) * jitter(*RETRY_JITTER))


def pacing_delay(interval_seconds: int) -> dt.timedelta:
    return dt.timedelta(seconds=interval_seconds * jitter(*PACING_JITTER))


# --- Row transitions -------------------------------------------------------------------------


def claim(row: EmailOutreach, now: dt.datetime, mailbox: Mailbox | None, from_address: str) -> bool:
    """queued → sending, atomically; False when another worker got there first.

    The same statement stores a Message-ID if the row has none yet, so it is on the row before
    any server hears of the message (a retry keeps the first one).
    """
    new_message_id = message.new_message_id(row.id, from_address)
    claimed = EmailOutreach.objects.filter(id=row.id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING,
        lease_until=now + lease_delta(),
        attempts=F("attempts") + 1,
        mailbox=mailbox,
        message_id=Coalesce(F("message_id"), Value(new_message_id)),
        updated_at=now,
    )
    if claimed != 1:
        return False
    row.refresh_from_db(fields=["status", "attempts", "message_id", "needs_sent_check", "lease_until", "mailbox"])
    return True


def ensure_message_id(row: EmailOutreach, from_address: str) -> str:
    """Store the Message-ID before talking to any server; retries reuse it."""
    if not row.message_id:
        message_id = message.new_message_id(row.id, from_address)
        if EmailOutreach.objects.filter(id=row.id, message_id__isnull=True).update(message_id=message_id) == 1:
            row.message_id = message_id
        else:
            row.refresh_from_db(fields=["message_id"])
    assert row.message_id
    return row.message_id


def mark_sent(row: EmailOutreach, note: str, *, kind: str = "email_sent") -> None:
    now = timezone.now()
    # `queued` too: if the lease ran out mid-send and the row was taken back, it is still delivered.
    EmailOutreach.objects.filter(id=row.id, status__in=[Status.SENDING, Status.QUEUED]).update(
        status=Status.SENT,
        sent_at=now,
        lease_until=None,
        error_message="",
        needs_sent_check=False,
        delivery_note=note[:2000],
        updated_at=now,
    )
    row.status, row.sent_at = Status.SENT, now
    timeline.record(row.campaign, kind, recipient=row.recipient_name or row.recipient_email)


def mark_failed(row: EmailOutreach, words: str) -> None:
    now = timezone.now()
    EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
        status=Status.FAILED, lease_until=None, error_message=words[:2000], updated_at=now
    )
    row.status = Status.FAILED
    timeline.record(row.campaign, "email_failed", recipient=row.recipient_name or row.recipient_email, reason=words)


def retry_later(row: EmailOutreach, error: SendError) -> str:
    """A transient failure: back to `queued` with backoff, or `failed` after too many tries."""
    now = timezone.now()
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mark_failed(row, f"Gave up after {row.attempts} attempts. Last error: {error.message}")
        return "failed"
    at = now + backoff(row.attempts)
    EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
        status=Status.QUEUED,
        lease_until=None,
        next_attempt_at=at,
        needs_sent_check=row.needs_sent_check or error.ambiguous,
        error_message=f"Attempt {row.attempts} failed: {error.message}. Next try after {at:%H:%M} UTC."[:2000],
        updated_at=now,
    )
    return "retrying"


def wait_for_mailbox(row: EmailOutreach, error: SendError, mailbox: Mailbox) -> None:
    """The mailbox, not the email, has the problem: the email waits, and the attempt does not count."""
    now = timezone.now()
    EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
        status=Status.QUEUED,
        lease_until=None,
        next_attempt_at=now,
        attempts=F("attempts") - 1,
        needs_sent_check=row.needs_sent_check or error.ambiguous,
        error_message=f"Waiting: sending from {mailbox.address} is paused ({error.message}).",
        updated_at=now,
    )


def check_before_sending(row: EmailOutreach) -> str:
    """Re-check what may have changed since approval; returns an outcome or "" to go ahead."""
    if not row.recipient_email:
        mark_failed(row, NO_RECIPIENT)
        return "failed"
    if Suppression.is_suppressed(row.recipient_email):
        mark_failed(row, SUPPRESSED)
        return "failed"
    # A note answering their reply ("send me a blurb") is meant to follow a reply; only follow-ups go stale.
    parent = row.in_reply_to if row.kind != EmailOutreach.Kind.BLURB else None
    if parent is not None:
        parent.refresh_from_db(fields=["status", "replied_at"])  # a reply may have come in since approval
    replied = parent is not None and (parent.status == Status.REPLIED or parent.replied_at is not None)
    finished = row.campaign.status in (Campaign.Status.CONNECTED, Campaign.Status.COMPLETED)
    if replied or (finished and parent is not None):
        # A follow-up that went stale while waiting: back to the person, never sent blindly.
        now = timezone.now()
        who = (parent.recipient_name or parent.recipient_email) if parent else row.recipient_name
        words = f"Not sent: {who} replied before this follow-up went out. Review it before sending it again."
        if not replied:
            words = "Not sent: the campaign finished before this follow-up went out."
        EmailOutreach.objects.filter(id=row.id, status=Status.SENDING).update(
            status=Status.DRAFT,
            lease_until=None,
            next_attempt_at=None,
            queued_at=None,
            attempts=F("attempts") - 1,
            error_message=words,
            updated_at=now,
        )
        timeline.record(row.campaign, "followup_skipped", recipient=row.recipient_name or row.recipient_email)
        return "skipped"
    return ""


def _count(result: BatchResult, outcome: str) -> None:
    setattr(result, outcome, getattr(result, outcome) + 1)


class DueQueue:
    """A route's due rows, read a page at a time (one query per page, not one per email).

    A buffered row may have been taken meanwhile; the claim re-checks, so that costs nothing.
    """

    PAGE = 50

    def __init__(self, route: Mailbox | None, campaign_id: str | None, first_id: str | None) -> None:
        self.route, self.campaign_id, self.first_id = route, campaign_id, first_id
        self.buffer: collections.deque[EmailOutreach] = collections.deque()

    def next(self, now: dt.datetime) -> EmailOutreach | None:
        rows = due_rows(self.route, now, self.campaign_id).select_related("campaign", "in_reply_to")
        if self.first_id:
            row = rows.filter(id=self.first_id).first()
            self.first_id = None
            if row is not None:
                return row
        if not self.buffer:
            self.buffer.extend(rows[: self.PAGE])
        return self.buffer.popleft() if self.buffer else None


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
    if route is None:
        result = _send_locally(campaign_id, first_id, limit, should_stop)
    else:
        result = MailboxBatch(route, campaign_id, should_stop).run(first_id, limit)
    if result.handled >= limit and not result.stopped and not result.next_email_id:
        # A full batch: name the next email so the caller can carry on (tasks yield between batches).
        result.next_email_id = due_rows(route, timezone.now(), campaign_id).values_list("id", flat=True).first()
    return result


def _send_locally(campaign_id, first_id, limit, should_stop) -> BatchResult:
    """No mailbox anywhere: write each email into the local outbox folder and say so."""
    result = BatchResult()
    queue = DueQueue(None, campaign_id, first_id)
    while result.handled < limit and not should_stop():
        now = timezone.now()
        row = queue.next(now)
        if row is None:
            break
        from_address = row.campaign.email
        if not claim(row, now, None, from_address):
            continue
        outcome = check_before_sending(row)
        if outcome:
            _count(result, outcome)
            continue
        ensure_message_id(row, from_address)
        try:
            built = message.for_outreach(
                row, from_address=from_address, unsubscribe_url=unsubscribe.url_for(row.recipient_email, row.id)
            )
        except message.MessageError as exc:
            mark_failed(row, f"This email cannot be built: {exc}")
            result.failed += 1
            continue
        path = localbox.write(row.id, built)
        mark_sent(row, localbox.note(path), kind="email_sent_locally")
        result.sent += 1
    return result


class MailboxBatch:
    """One pass over a mailbox's due emails, on one SMTP connection, under the mailbox's lease."""

    def __init__(self, mailbox: Mailbox, campaign_id: str | None, should_stop: Callable[[], bool]) -> None:
        self.mailbox = mailbox
        self.campaign_id = campaign_id
        self.should_stop = should_stop
        self.connection: SmtpConnection | None = None
        self.sent_folders: dict[str, SentFolder] = {}
        self.result = BatchResult()

    def run(self, first_id: str | None, limit: int) -> BatchResult:
        if not self._acquire():
            self.result.stopped = "busy"
            return self.result
        try:
            self._loop(first_id, limit)
        finally:
            if self.connection is not None:
                self.connection.close()
            for folder in self.sent_folders.values():
                folder.close()
            Mailbox.objects.filter(pk=self.mailbox.pk).update(
                sender_lease_until=None, last_sent_at=self.mailbox.last_sent_at
            )
        return self.result

    def _acquire(self) -> bool:
        now = timezone.now()
        free = Q(sender_lease_until__isnull=True) | Q(sender_lease_until__lt=now)
        got = Mailbox.objects.filter(free, pk=self.mailbox.pk).update(sender_lease_until=now + lease_delta())
        if got == 1:
            self.mailbox.refresh_from_db()
        return got == 1

    def _sent_today(self, now: dt.datetime) -> int:
        day_start = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return EmailOutreach.objects.filter(mailbox=self.mailbox, sent_at__gte=day_start).count()

    def _defer_all(self, until: dt.datetime) -> None:
        """Nothing is dropped: the due emails wait, queued, until the mailbox may send again."""
        due = due_rows(self.mailbox, timezone.now(), self.campaign_id)
        EmailOutreach.objects.filter(id__in=due.values("id")).update(next_attempt_at=until)

    def _gate(self, now: dt.datetime, sent_today: int) -> str:
        """Why this mailbox may not send right now ("" when it may)."""
        mailbox = self.mailbox
        if mailbox.pause_words(now):
            return "paused"
        if sent_today >= mailbox.daily_cap:
            self._defer_all(mailboxes.next_utc_day(now))
            return "cap"
        opens = mailboxes.in_window(mailbox, now)
        if opens is not None:
            self._defer_all(opens)
            return "window"
        if mailbox.next_send_at and mailbox.next_send_at > now:
            waiting = due_rows(mailbox, now, self.campaign_id).values_list("id", flat=True).first()
            if waiting is None:
                return "idle"
            self.result.waiting_until, self.result.next_email_id = mailbox.next_send_at, waiting
            return "pacing"
        return ""

    def _loop(self, first_id: str | None, limit: int) -> None:
        sent_today, day = 0, None
        queue = DueQueue(self.mailbox, self.campaign_id, first_id)
        lease_until = timezone.now() + lease_delta()
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
            row = queue.next(now)
            if row is None:
                return
            previous_mailbox_id = row.mailbox_id
            if not claim(row, now, self.mailbox, self.mailbox.address):
                continue
            if lease_until - now < lease_delta() / 2:
                lease_until = now + lease_delta()
                Mailbox.objects.filter(pk=self.mailbox.pk).update(sender_lease_until=lease_until)
            outcome = self._send_one(row, previous_mailbox_id)
            if outcome:
                _count(self.result, outcome)
            if outcome == "sent":
                sent_today += 1
                self._paced()

    def _paced(self) -> None:
        now = timezone.now()
        interval = self.mailbox.min_interval_seconds
        self.mailbox.last_sent_at = now  # written when the batch ends
        if interval or self.mailbox.next_send_at:
            next_send_at = now + pacing_delay(interval) if interval else None
            self.mailbox.next_send_at = next_send_at
            Mailbox.objects.filter(pk=self.mailbox.pk).update(next_send_at=next_send_at)

    def _send_one(self, row: EmailOutreach, previous_mailbox_id: str | None) -> str:
        mailbox = self.mailbox
        outcome = check_before_sending(row)
        if outcome:
            return outcome
        ensure_message_id(row, mailbox.address)
        if row.needs_sent_check:
            try:
                if self._already_sent(row, previous_mailbox_id or mailbox.pk):
                    mark_sent(row, "Found in the Sent folder after an interrupted attempt, so it was not sent again.")
                    return "sent"
            except ImapError as exc:
                error = SendError(f"could not check the Sent folder before sending again: {exc.message}")
                mailboxes.record_error(mailbox, f"IMAP: {exc.message}")
                return retry_later(row, error)
        try:
            built = message.for_outreach(
                row,
                from_address=mailbox.address,
                reply_to=mailbox.reply_to,
                unsubscribe_url=unsubscribe.url_for(row.recipient_email, row.id),
            )
        except message.MessageError as exc:
            mark_failed(row, f"This email cannot be built: {exc}")
            return "failed"
        try:
            reply = self._smtp().send(built, mailbox.address, [row.recipient_email])
        except SendError as error:
            return self._failed(row, error)
        mark_sent(row, f"Accepted by {mailbox.smtp_host}: {reply}")
        return "sent"

    def _smtp(self) -> SmtpConnection:
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
        logger.info(
            "smtp attempt failed",
            extra={"event": "smtp_failed", "email_id": row.id, "kind": error.kind, "error": error.message},
        )
        if error.kind in ("quota", "auth"):
            wait_for_mailbox(row, error, mailbox)
            reason = Mailbox.PauseReason.QUOTA if error.kind == "quota" else Mailbox.PauseReason.AUTH
            mailboxes.pause(mailbox, reason, error.message)
            self._tell_campaigns(f"mailbox_paused_{error.kind}")
            self.result.stopped = "paused"
            return ""
        if error.permanent:
            mark_failed(row, f"The mail server refused this email: {error.message}")
            return "failed"
        if error.kind == "connection":
            # The server is unreachable for every email: stop here rather than burn their attempts.
            mailboxes.record_error(mailbox, f"SMTP: {error.message}")
            self.result.stopped = "connection"
        return retry_later(row, error)

    def _tell_campaigns(self, kind: str) -> None:
        waiting = route_rows(self.mailbox, self.campaign_id).filter(status__in=[Status.QUEUED, Status.SENDING])
        until = self.mailbox.paused_until
        for campaign in Campaign.objects.filter(id__in=waiting.values("campaign_id"))[:100]:
            timeline.record(
                campaign,
                kind,
                mailbox=self.mailbox.address,
                until=f"{until:%Y-%m-%d %H:%M}" if until else "",
            )
