"""Which mailbox sends what, its connection settings, pausing, and "test connection".

A campaign's emails go out through its owner's connected mailbox if there is one, else through
the operator's default mailbox from the environment (GMAIL_ADDRESS + GMAIL_APP_PASSWORD on the
SMTP_* server), else into the local outbox folder (`route` None).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sixdegrees.mail.smtp import SmtpSettings
from sixdegrees.mail.smtp import check_login as smtp_check_login
from sixdegrees.outreach import crypto
from sixdegrees.outreach.imap import ImapSettings
from sixdegrees.outreach.imap import check_login as imap_check_login
from sixdegrees.outreach.models import Mailbox

logger = logging.getLogger(__name__)

# The operator's default mailbox mirrors these settings into its row on each use.
_OPERATOR_FIELDS = ("smtp_host", "smtp_port", "smtp_security", "smtp_cafile")


def operator_mailbox() -> Mailbox | None:
    """The operator's default mailbox (a row kept in step with the environment), if configured."""
    address = settings.GMAIL_ADDRESS.strip().lower()
    # A row for an address the environment no longer names is retired (kept for its history).
    Mailbox.objects.filter(owner__isnull=True, from_env=True, is_active=True).exclude(address=address).update(
        is_active=False
    )
    if not (address and settings.GMAIL_APP_PASSWORD):
        return None
    wanted = {
        "smtp_host": settings.SMTP_HOST,
        "smtp_port": settings.SMTP_PORT,
        "smtp_security": settings.SMTP_SECURITY,
        "smtp_cafile": settings.SMTP_CAFILE,
        "imap_host": settings.IMAP_HOST,
        "imap_port": settings.IMAP_PORT,
        "imap_security": settings.IMAP_SECURITY,
        "imap_cafile": settings.IMAP_CAFILE,
        "daily_cap": settings.OUTBOX_DAILY_CAP,
        "min_interval_seconds": settings.OUTBOX_MIN_INTERVAL_SECONDS,
        "from_env": True,
        "is_active": True,
    }
    mailbox = Mailbox.objects.filter(owner__isnull=True, address=address).first()
    if mailbox is None:
        try:
            with transaction.atomic():
                mailbox = Mailbox.objects.create(owner=None, address=address, **wanted)
        except IntegrityError:  # another process created it first
            mailbox = Mailbox.objects.get(owner__isnull=True, address=address)
    changed = [name for name, value in wanted.items() if getattr(mailbox, name) != value]
    if changed:
        for name in changed:
            setattr(mailbox, name, wanted[name])
        mailbox.save(update_fields=[*changed, "updated_at"])
    return mailbox


def owner_mailbox(owner_id: str) -> Mailbox | None:
    return Mailbox.objects.filter(owner_id=owner_id, is_active=True).order_by("-created_at").first()


def route_for_owner(owner_id: str) -> Mailbox | None:
    """The mailbox that sends for this person now: theirs, the operator's, or None (local outbox)."""
    return owner_mailbox(owner_id) or operator_mailbox()


def owners_with_mailboxes() -> QuerySet:
    return Mailbox.objects.filter(is_active=True, owner__isnull=False).values("owner_id")


def smtp_settings(mailbox: Mailbox) -> SmtpSettings:
    return SmtpSettings(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        security=mailbox.smtp_security,
        username=mailbox.login,
        password=mailbox.password(),
        cafile=mailbox.smtp_cafile,
        timeout=settings.OUTBOX_SMTP_TIMEOUT,
    )


def imap_settings(mailbox: Mailbox) -> ImapSettings | None:
    if not mailbox.imap_host:
        return None
    return ImapSettings(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        security=mailbox.imap_security,
        username=mailbox.login,
        password=mailbox.password(),
        cafile=mailbox.imap_cafile,
        timeout=settings.OUTBOX_SMTP_TIMEOUT,
    )


def record_error(mailbox: Mailbox, words: str) -> None:
    mailbox.last_error, mailbox.last_error_at = words[:2000], timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error=mailbox.last_error, last_error_at=mailbox.last_error_at, updated_at=mailbox.last_error_at
    )


def next_utc_day(now: dt.datetime) -> dt.datetime:
    today = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + dt.timedelta(days=1)


def pause(mailbox: Mailbox, reason: str, words: str, now: dt.datetime | None = None) -> None:
    """Stop sending from this mailbox: quota until the next UTC day, auth until the password changes."""
    now = now or timezone.now()
    mailbox.pause_reason = reason
    mailbox.last_error, mailbox.last_error_at = words[:2000], now
    if reason == Mailbox.PauseReason.QUOTA:
        mailbox.paused_until, mailbox.paused_credential = next_utc_day(now), ""
    else:
        mailbox.paused_until, mailbox.paused_credential = None, crypto.fingerprint(mailbox.password_or_blank())
    mailbox.save(
        update_fields=["pause_reason", "paused_until", "paused_credential", "last_error", "last_error_at", "updated_at"]
    )
    logger.warning(
        "mailbox paused",
        extra={"event": "mailbox_paused", "mailbox": mailbox.pk, "reason": reason, "error": words},
    )


def in_window(mailbox: Mailbox, now: dt.datetime) -> dt.datetime | None:
    """None when the mailbox may send now, else when its sending window opens next."""
    if mailbox.window_start is None or mailbox.window_end is None or mailbox.window_start == mailbox.window_end:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(mailbox.window_timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end, clock = mailbox.window_start, mailbox.window_end, local.time()
    open_now = start <= clock < end if start < end else (clock >= start or clock < end)
    if open_now:
        return None
    opens = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if opens <= local:
        opens += dt.timedelta(days=1)
    return opens.astimezone(dt.UTC)


@dataclass
class ConnectionReport:
    mailbox: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def add(self, ok: bool, line: str) -> None:
        self.ok = self.ok and ok
        self.lines.append(line)


def test_connection(mailbox: Mailbox | None) -> ConnectionReport:
    """Log in to SMTP and IMAP and say what happened, in plain words."""
    if mailbox is None:
        report = ConnectionReport(mailbox="local outbox")
        report.add(
            True,
            f"No mailbox is configured: emails are written to {settings.OUTBOX_DIR} instead of being sent. "
            "Set GMAIL_ADDRESS and GMAIL_APP_PASSWORD to send through Gmail.",
        )
        return report
    report = ConnectionReport(mailbox=str(mailbox))
    try:
        smtp_config = smtp_settings(mailbox)
    except crypto.CredentialError as exc:
        report.add(False, f"SMTP: {exc}")
        record_error(mailbox, report.lines[-1])
        return report
    smtp_ok, smtp_line = smtp_check_login(smtp_config)
    report.add(smtp_ok, smtp_line)
    if smtp_ok and mailbox.pause_reason == Mailbox.PauseReason.AUTH:
        # The server takes the password again (fixed on the provider's side): resume sending.
        mailbox.pause_reason, mailbox.paused_credential = "", ""
        mailbox.save(update_fields=["pause_reason", "paused_credential", "updated_at"])
        report.lines.append("Sending resumes: the password works again.")
    imap_config = imap_settings(mailbox)
    if imap_config is None:
        report.add(True, "IMAP: not configured (no Sent-folder check before a resend, and no reply watching)")
    else:
        report.add(*imap_check_login(imap_config))
    if report.ok:
        if mailbox.last_error:
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error="", last_error_at=None)
    else:
        record_error(mailbox, "; ".join(line for line in report.lines if line))
    words = mailbox.pause_words()
    if words:
        report.lines.append(f"Sending is {words}.")
    return report
