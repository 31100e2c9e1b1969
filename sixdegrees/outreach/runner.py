"""Running the sender from a command: drain the outbox now, or send one email at once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from sixdegrees.mail import build as message
from sixdegrees.mail import localbox
from sixdegrees.mail.smtp import SendError, SmtpConnection
from sixdegrees.outreach import mailboxes, unsubscribe
from sixdegrees.outreach.models import EmailOutreach, Mailbox, Suppression
from sixdegrees.outreach.sender import BatchResult, reclaim_expired, routes_with_due_rows, send_batch

Status = EmailOutreach.Status


def _never() -> bool:
    return False


def drain(
    *,
    campaign_id: str | None = None,
    max_wait: float = 0,
    should_stop: Callable[[], bool] = _never,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchResult:
    """Send everything due now, route by route. With `max_wait`, also wait for what comes free
    soon (pacing, a dead worker's lease, a busy mailbox) when that is at most max_wait seconds away."""
    total = BatchResult()
    while not should_stop():
        now = timezone.now()
        reclaim_expired(now)
        progressed = False
        for route, first_id in routes_with_due_rows(now, campaign_id):
            batch = send_batch(route, campaign_id=campaign_id, first_id=first_id, should_stop=should_stop)
            progressed = progressed or batch.handled > 0
            total.merge(batch)
        if progressed:
            continue
        wake = next_chance(campaign_id)
        if wake is None or max_wait <= 0 or (wake - timezone.now()).total_seconds() > max_wait:
            break
        sleep(min(max(0.05, (wake - timezone.now()).total_seconds()), 1.0))
    if should_stop():
        total.stopped = "stop"
    return total


def next_chance(campaign_id: str | None = None) -> dt.datetime | None:
    """When something still waiting might become sendable (None: nothing waits on a clock)."""
    pending = EmailOutreach.objects.filter(status__in=[Status.QUEUED, Status.SENDING], campaign__owner_id__isnull=False)
    if campaign_id:
        pending = pending.filter(campaign_id=campaign_id)
    if not pending.exists():
        return None
    now = timezone.now()
    moments = [
        pending.filter(status=Status.QUEUED, next_attempt_at__gt=now).order_by("next_attempt_at").first(),
        pending.filter(status=Status.SENDING).order_by("lease_until").first(),
    ]
    candidates = [moments[0].next_attempt_at if moments[0] else None, moments[1].lease_until if moments[1] else None]
    for mailbox in Mailbox.objects.filter(is_active=True):
        candidates += [mailbox.next_send_at, mailbox.sender_lease_until]
        if mailbox.pause_reason == Mailbox.PauseReason.QUOTA:
            candidates.append(mailbox.paused_until)
    future = [moment for moment in candidates if moment is not None and moment > now]
    return min(future) if future else None


@dataclass
class OneOff:
    ok: bool
    words: str
    message_id: str = ""


def send_now(*, to: str, subject: str, body: str, name: str = "", from_name: str = "") -> OneOff:
    """Send one email at once through the operator's mailbox (or into the local outbox folder).

    The old script's interface: no campaign and no outbox row, so no retries and no daily cap;
    the suppression list still applies.
    """
    if Suppression.is_suppressed(to):
        return OneOff(False, f"{to} asked not to be contacted (suppression list); nothing was sent.")
    mailbox = mailboxes.operator_mailbox()
    from_address = mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
    message_id = message.new_message_id("oneoff", from_address)
    try:
        built = message.compose(
            from_name=from_name or (mailbox.display_name if mailbox else ""),
            from_address=from_address,
            to_name=name,
            to_address=to,
            subject=subject,
            body=body,
            message_id=message_id,
            reply_to=mailbox.reply_to if mailbox else "",
            unsubscribe_url=unsubscribe.url_for(to),
        )
    except message.MessageError as exc:
        return OneOff(False, f"This email cannot be built: {exc}")
    if mailbox is None:
        path = localbox.write(message_id.strip("<>").split("@")[0], built)
        return OneOff(True, localbox.note(path), message_id)
    paused = mailbox.pause_words()
    if paused:
        return OneOff(False, f"Not sent: {mailbox.address} is {paused}.")
    try:
        with SmtpConnection(mailboxes.smtp_settings(mailbox)) as connection:
            reply = connection.send(built, from_address, [to])
    except SendError as error:
        if error.kind == "auth":
            mailboxes.pause(mailbox, Mailbox.PauseReason.AUTH, error.message)
        return OneOff(False, f"Not sent: {error.message}")
    where = f"{mailbox.smtp_host}:{mailbox.smtp_port}"
    return OneOff(True, f"Sent to {to} from {mailbox.address} via {where} ({reply}).", message_id)
