"""The mail the service itself sends to a person (sign-in codes, notices), and its retries.

Every message is built from templates by `build.build` and goes out through one transport:
- `smtp`: the operator's mailbox (GMAIL_ADDRESS on the SMTP_* server, SMTP_CAFILE honoured),
  through the same `mail/smtp.py` connection layer as outreach;
- `folder`: no mailbox configured, so the message is a file in the local outbox (OUTBOX_DIR);
- `memory`: the test settings' choice; messages collect in `outbox`, as Django's `mail.outbox`.

An email that cannot be sent at once is stored (`ServiceEmail`) and `send` raises `NotSent`, so
the caller tells the person the truth; `retry_due` (a periodic task) sends it later with backoff.
"""

from __future__ import annotations

import datetime as dt
import email
import logging
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import timezone

from sixdegrees.mail import build, localbox
from sixdegrees.mail.models import ServiceEmail
from sixdegrees.mail.server import ServerSettings
from sixdegrees.mail.smtp import SendError, SmtpConnection

logger = logging.getLogger(__name__)
Status = ServiceEmail.Status
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 60  # 1, 2, 4 … minutes, capped at 30
RETRY_MAX_SECONDS = 30 * 60
CLAIM_SECONDS = 5 * 60  # a claimed row whose worker died is tried again after this


class NotSent(Exception):
    """The email could not be sent now; it is stored and will be retried."""


@dataclass(frozen=True)
class Sent:
    """A message the `memory` transport kept (the attributes tests read, like Django's)."""

    to: list[str]
    subject: str
    body: str
    message: EmailMessage


outbox: list[Sent] = []


def smtp_settings() -> ServerSettings | None:
    """The operator's mailbox from the environment, or None (then mail lands in the local outbox)."""
    if not (settings.GMAIL_ADDRESS and settings.GMAIL_APP_PASSWORD):
        return None
    return ServerSettings(
        host=settings.SMTP_HOST,
        port=settings.SMTP_PORT,
        security=settings.SMTP_SECURITY,
        username=settings.GMAIL_ADDRESS,
        password=settings.GMAIL_APP_PASSWORD,
        cafile=settings.SMTP_CAFILE,
        timeout=settings.OUTBOX_SMTP_TIMEOUT,
    )


def send(
    template: str,
    context: dict[str, Any],
    *,
    to: str,
    language: str,
    expires_at: dt.datetime | None = None,
    replaces_earlier: bool = False,
) -> None:
    """Build email `template` for `to` in `language` and send it now; raise NotSent if that failed.

    `replaces_earlier`: an earlier email from this template to this address still waiting for a
    retry is dropped (a new sign-in code makes the old one useless). `expires_at`: after this a
    retry is pointless and the email is dropped instead.
    """
    message = build.build(
        template,
        context,
        language=language,
        to=to,
        from_address=settings.DEFAULT_FROM_EMAIL,
        headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no auto-replies to us
    )
    if replaces_earlier:
        ServiceEmail.objects.filter(template=template, to_address=to, status=Status.PENDING).update(
            status=Status.EXPIRED, message=b"", updated_at=timezone.now()
        )
    try:
        deliver(message, to)
    except SendError as exc:
        now = timezone.now()
        row = ServiceEmail.objects.create(
            template=template,
            to_address=to,
            message=message.as_bytes(),
            status=Status.FAILED if exc.permanent else Status.PENDING,
            attempts=1,
            next_attempt_at=now + backoff(1),
            expires_at=expires_at,
            last_error=exc.message[:2000],
            created_at=now,
            updated_at=now,
        )
        # Never the message itself: it may hold a live sign-in code.
        logger.error(
            "service email not sent; will retry",
            extra={
                "event": "service_email_failed",
                "template": template,
                "service_email_id": row.pk,
                "error": exc.message,
            },
        )
        raise NotSent(exc.message) from None


def deliver(message: EmailMessage, to: str) -> None:
    """Hand `message` to the configured transport; raises SendError."""
    transport = settings.SERVICE_MAIL_TRANSPORT
    if transport == "memory":
        body = message.get_body(("plain",))
        text = body.get_content().replace("\r\n", "\n") if body is not None else ""
        outbox.append(Sent(to=[to], subject=str(message["Subject"]), body=text, message=message))
        return
    config = smtp_settings() if transport == "smtp" else None
    if config is None:
        localbox.write(f"service-{secrets.token_hex(8)}", message)
        return
    sender = parseaddr(str(message["From"]))[1]
    with SmtpConnection(config) as connection:
        connection.send(message, sender, [to])


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS))


def retry_due(limit: int = 50) -> dict[str, int]:
    """Try each stored email whose time has come once; return how many went which way."""
    now = timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0, "expired": 0}
    due = ServiceEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    for row in due[:limit]:
        # Claim it: another worker that read the same row finds next_attempt_at moved and skips it.
        claimed = ServiceEmail.objects.filter(
            pk=row.pk, status=Status.PENDING, next_attempt_at=row.next_attempt_at
        ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        if claimed != 1:
            continue
        counts[_retry(row, now)] += 1
    return counts


def _retry(row: ServiceEmail, now: dt.datetime) -> str:
    if row.expires_at is not None and row.expires_at <= now:
        ServiceEmail.objects.filter(pk=row.pk).update(status=Status.EXPIRED, message=b"", updated_at=now)
        return "expired"
    message = email.message_from_bytes(bytes(row.message), _class=EmailMessage, policy=build.POLICY)
    attempts = row.attempts + 1
    try:
        deliver(message, row.to_address)
    except SendError as exc:
        gave_up = exc.permanent or attempts >= MAX_ATTEMPTS
        ServiceEmail.objects.filter(pk=row.pk).update(
            status=Status.FAILED if gave_up else Status.PENDING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=exc.message[:2000],
            updated_at=now,
            **({"message": b""} if gave_up else {}),
        )
        logger.warning(
            "service email retry failed",
            extra={"event": "service_email_retry_failed", "service_email_id": row.pk, "error": exc.message},
        )
        return "failed" if gave_up else "retrying"
    # Sent: the rendered message (and any code in it) is not kept.
    ServiceEmail.objects.filter(pk=row.pk).update(
        status=Status.SENT, attempts=attempts, sent_at=now, message=b"", last_error="", updated_at=now
    )
    logger.info("service email sent on retry", extra={"event": "service_email_sent", "service_email_id": row.pk})
    return "sent"
