"""Running the sender from a command: drain the outbox now, or record one email and send it at once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach import mailboxes, outbox
from sixdegrees.outreach.models import EmailOutreach, Mailbox, Suppression
from sixdegrees.outreach.sender import BatchResult, routes_with_due_rows, send_batch

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
        outbox.reclaim_expired(now)
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
    state: str  # "sent"; "queued": the worker sends it later (pacing, a cap, a retry); "failed": never
    words: str
    message_id: str = ""
    email_id: str = ""

    @property
    def ok(self) -> bool:
        return self.state != "failed"


def one_off_owner(address: str) -> User:
    """Whose account a one-off email goes in: the sending address's (made, without reminder emails, if new).

    The operator can sign in with that address to see these emails' timelines like any campaign's.
    """
    owner = User.objects.filter(email__iexact=address).first()
    if owner is None:
        try:
            with transaction.atomic():
                owner = User.objects.create_user(address, name="SixDegrees operator", reminder_emails=False)
        except IntegrityError:  # another command made it first
            owner = User.objects.get(email__iexact=address)
    return owner


def send_one_off(*, to: str, subject: str, body: str, name: str = "", from_name: str = "") -> OneOff:
    """Record one email in the outbox and send it now, through the same pipeline as every email.

    It gets a campaign of its own in the sending address's account (so its status and timeline
    show in `sixdegrees outbox` and the dashboard), goes out through the operator's mailbox (or
    into the local outbox folder), and, like any email, waits for pacing or the daily cap and is
    retried by the worker after a transient failure.
    """
    if Suppression.is_suppressed(to):
        return OneOff("failed", f"{to} asked not to be contacted (suppression list); nothing was sent.")
    mailbox = mailboxes.operator_mailbox()
    from_address = mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
    owner = one_off_owner(from_address)
    route = mailboxes.route_for_owner(owner.pk)
    now = timezone.now()
    campaign = Campaign.objects.create(
        owner=owner,
        email=from_address,
        user_name=from_name or (route.display_name if route else ""),
        target_name=(name or to)[:200],
        # Nothing to follow up or wait for: the chain leaves a finished campaign alone.
        status=Campaign.Status.COMPLETED,
    )
    email = outbox.add_queued(campaign, now, recipient_email=to, recipient_name=name[:200], subject=subject, body=body)
    result = send_batch(route, campaign_id=campaign.id, first_id=email.id, limit=1)
    email.refresh_from_db()
    message_id = email.message_id or ""
    if email.status == Status.SENT:
        if route is None:
            return OneOff("sent", email.delivery_note, message_id, email.id)
        where = f"{route.smtp_host}:{route.smtp_port}"
        reply = email.delivery_note.partition(": ")[2]
        return OneOff("sent", f"Sent to {to} from {route.address} via {where} ({reply}).", message_id, email.id)
    if email.status == Status.FAILED:
        return OneOff("failed", f"Not sent: {email.error_message}", message_id, email.id)
    waits = {
        "paused": f"{route.address} is {route.pause_words()}" if route else "",
        "busy": "another worker is sending from this mailbox right now",
        "pacing": "it waits for the pause between messages",
        "cap": "the mailbox reached its daily cap; it goes out tomorrow (UTC)",
        "window": "the mailbox is outside its sending window",
    }
    why = waits.get(result.stopped) or email.error_message or "it waits for its next try"
    words = f"Queued, not sent yet: {why}. The worker sends it; see `sixdegrees outbox` ({email.id})."
    return OneOff("queued", words, message_id, email.id)
