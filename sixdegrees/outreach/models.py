"""The outbox: each row is one email and the single source of truth for its state."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.ids import ID_MAX_LENGTH, email_id, new_id
from sixdegrees.outreach import crypto


def mailbox_id() -> str:
    return new_id("mbox")


class Mailbox(models.Model):
    """A mailbox that sends outreach: a person's own, or (owner empty) the operator's default.

    The password is stored encrypted (outreach/crypto.py); the operator's default keeps it in the
    environment (`from_env`). Pausing is data: the sender skips a paused mailbox and its emails
    wait as `queued`. The reply watcher reads the same IMAP settings.
    """

    class Security(models.TextChoices):
        STARTTLS = "starttls", "STARTTLS"
        SSL = "ssl", "SSL/TLS"
        NONE = "none", "None (loopback only)"

    class PauseReason(models.TextChoices):
        NONE = "", "Not paused"
        QUOTA = "quota", "Daily sending quota reached"
        AUTH = "auth", "The server refused the password"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=mailbox_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="mailboxes"
    )
    address = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=100, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True, help_text="Empty: replies come back to the address.")
    smtp_host = models.CharField(max_length=255)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(max_length=10, choices=Security.choices, default=Security.STARTTLS)
    smtp_cafile = models.CharField(max_length=500, blank=True)
    imap_host = models.CharField(max_length=255, blank=True, help_text="Empty: no Sent-folder check, no replies.")
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    imap_cafile = models.CharField(max_length=500, blank=True)
    username = models.CharField(max_length=254, blank=True, help_text="Empty: the address.")
    password_encrypted = models.TextField(blank=True)
    from_env = models.BooleanField(default=False, help_text="The operator's default: credentials from the environment.")
    is_active = models.BooleanField(default=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=16, choices=PauseReason.choices, blank=True)
    # Which password the server refused: a new password (or a new env value) lifts an auth pause.
    paused_credential = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    daily_cap = models.PositiveIntegerField(default=400)
    min_interval_seconds = models.PositiveIntegerField(default=30)
    # Optional sending window in the mailbox's time zone (end before start wraps past midnight).
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    window_timezone = models.CharField(max_length=64, default="UTC")
    # One sender per mailbox at a time, so pacing and the daily cap hold across workers.
    sender_lease_until = models.DateTimeField(null=True, blank=True)
    next_send_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "mailboxes"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "address"], name="mailbox_owner_address"),
            models.UniqueConstraint(
                fields=["address"], condition=models.Q(owner__isnull=True), name="mailbox_operator_address"
            ),
        ]

    def __str__(self) -> str:
        return self.address if self.owner_id else f"{self.address} (operator default)"

    @property
    def login(self) -> str:
        return self.username or self.address

    def set_password(self, raw: str) -> None:
        """Store a new password encrypted; a new password also lifts a pause for a refused one."""
        self.password_encrypted = crypto.encrypt(raw)
        if self.pause_reason == self.PauseReason.AUTH:
            self.pause_reason, self.paused_until, self.paused_credential = "", None, ""

    def password(self) -> str:
        if self.from_env:
            return settings.GMAIL_APP_PASSWORD
        return crypto.decrypt(self.password_encrypted) if self.password_encrypted else ""

    def pause_words(self, now: dt.datetime | None = None) -> str:
        """Why this mailbox is not sending right now, or "" when it may send."""
        now = now or timezone.now()
        if self.pause_reason == self.PauseReason.AUTH:
            if self.paused_credential and self.paused_credential != crypto.fingerprint(self.password_or_blank()):
                return ""  # the password changed since the server refused it
            return f"paused: the server refused the password ({self.last_error or 'authentication failed'})"
        if self.paused_until and self.paused_until > now:
            reason = self.get_pause_reason_display() if self.pause_reason else "paused"
            return f"paused until {self.paused_until:%Y-%m-%d %H:%M} UTC: {reason}"
        return ""

    def password_or_blank(self) -> str:
        try:
            return self.password()
        except Exception:
            return ""


class EmailOutreachManager(models.Manager["EmailOutreach"]):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        unknown = {o.campaign_id for o in objs if o.owner_id is None and "campaign" not in o._state.fields_cache}
        owners = dict(Campaign.objects.filter(pk__in=unknown).values_list("pk", "owner_id")) if unknown else {}
        for obj in objs:
            if obj.owner_id is None:
                cached = obj._state.fields_cache.get("campaign")
                obj.owner_id = cached.owner_id if cached is not None else owners.get(obj.campaign_id)
        return super().bulk_create(objs, *args, **kwargs)


class EmailOutreach(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "", "Email"
        FOLLOW_UP = "follow_up", "Follow-up"  # no reply in 48 h: one polite nudge in the same thread
        BLURB = "blurb", "Note to forward"  # answers "send me a blurb", in the same thread

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        REPLIED = "replied", "Replied"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=email_id, editable=False)
    # No database constraint: imported data holds emails whose campaign is gone (orphans),
    # reported by import-d1 and cleared by `sixdegrees db prune-orphans`.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="emails", db_constraint=False)
    # The campaign's owner, copied when the row is made (a campaign never changes hands): the sender
    # finds one person's due emails in one index range, however many others are due elsewhere.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    hop = models.PositiveSmallIntegerField(default=1)
    recipient_email = models.EmailField(max_length=254, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Generated and stored before the SMTP conversation so replies and retries can be matched.
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True)
    reply_intent = models.CharField(max_length=32, blank=True)
    # A follow-up names the email it follows, for In-Reply-To/References and the stale check.
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups", db_constraint=False
    )
    # The mailbox that last tried (or managed) to send it: its Sent folder is where to look after a
    # crash, its inbox is where the reply will arrive, its daily cap counts this email.
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails")
    # Set when an attempt ended without knowing whether the server accepted the message (worker
    # died, connection dropped after the data): the sender looks in the Sent folder first.
    needs_sent_check = models.BooleanField(default=False)
    # The server's acceptance reply, or where a locally delivered email was written.
    delivery_note = models.TextField(blank=True)
    # The reply watcher and the chain (outreach/watcher.py, outreach/chain/):
    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True, default="")
    # When silence earns a follow-up, if not 48 h after sending (an out-of-office named a return date).
    follow_up_after = models.DateTimeField(null=True, blank=True)
    # When the next-best path was offered because this email stayed unanswered, follow-up included.
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailOutreachManager()

    class Meta:
        db_table = "email_outreach"
        ordering = ["campaign_id", "hop", "created_at"]
        indexes = [
            models.Index(fields=["campaign", "hop"], name="emails_campaign_hop"),
            models.Index(fields=["status", "next_attempt_at"], name="emails_status_next"),
            # One route's due emails, oldest first (`sender.due_rows`).
            models.Index(fields=["status", "owner", "next_attempt_at", "created_at"], name="emails_due_by_owner"),
            # `status`: failures of the last day, without reading the whole failed history.
            models.Index(fields=["status", "updated_at"], name="emails_status_updated"),
            models.Index(fields=["mailbox", "sent_at"], name="emails_mailbox_sent"),
        ]
        constraints = [
            # Exactly one automatic follow-up per email, even with two workers checking at once.
            models.UniqueConstraint(
                fields=["in_reply_to"], condition=models.Q(kind="follow_up"), name="one_follow_up_per_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} to {self.recipient_email} ({self.status})"

    def save(self, *args, **kwargs):
        self.fill_owner()
        super().save(*args, **kwargs)

    def fill_owner(self) -> None:
        if self.owner_id is None and self.campaign_id is not None:
            campaign = self._state.fields_cache.get("campaign")
            self.owner_id = (
                campaign.owner_id
                if campaign is not None
                else Campaign.objects.filter(pk=self.campaign_id).values_list("owner_id", flat=True).first()
            )


class OutboxTally(models.Model):
    """Outbox rows per status, written only by the database's triggers (see `outreach.tallies`)."""

    pk = models.CompositePrimaryKey("status", "shard")
    status = models.CharField(max_length=16)
    shard = models.SmallIntegerField(default=0)  # PostgreSQL: the writing connection's pid % SHARDS
    total = models.BigIntegerField(default=0)

    class Meta:
        db_table = "outbox_tallies"

    def __str__(self) -> str:
        return f"{self.status}/{self.shard}: {self.total}"


class Suppression(models.Model):
    """Addresses never to be emailed again by any campaign (unsubscribed, hard bounce, said stop)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Hard bounce"
        ASKED_TO_STOP = "asked_to_stop", "Asked to stop"
        OPERATOR = "operator", "Added by an operator"

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "suppressions"

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"

    @classmethod
    def is_suppressed(cls, address: str) -> bool:
        return cls.objects.filter(email__iexact=address.strip()).exists()


def reply_id() -> str:
    return new_id("rply")


class Reply(models.Model):
    """A message the reply watcher matched to an outbox email: a reply, a bounce or an automatic reply.

    Keyed by the message's own Message-ID, so reading a folder again (a new UIDVALIDITY, two workers)
    never applies the same reply twice. Unrelated mail is never stored.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        BOUNCE = "bounce", "Bounce"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        DELAY = "delay", "Delivery delayed"  # a DSN warning: the server is still trying

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=reply_id, editable=False)
    message_id = models.CharField(max_length=255, unique=True)
    email = models.ForeignKey(
        EmailOutreach, on_delete=models.CASCADE, related_name="replies", db_constraint=False, null=True
    )
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    folder = models.CharField(max_length=200, blank=True)
    uid = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    matched_by = models.CharField(max_length=16, blank=True)  # thread | subject | bounce
    from_address = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)  # quoted history and signature stripped
    intent = models.CharField(max_length=32, blank=True)
    intent_source = models.CharField(max_length=16, blank=True)  # rules | ai | person
    # Bounces: the DSN status ("5.1.1"), whether the address is dead, and the server's words.
    bounce_status = models.CharField(max_length=16, blank=True)
    hard_bounce = models.BooleanField(default=False)
    detail = models.TextField(blank=True)
    return_date = models.DateField(null=True, blank=True)  # automatic replies: "back on December 3"
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "email_replies"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["email", "created_at"], name="replies_email_created")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.from_address} to {self.email_id}"


class MailboxCursor(models.Model):
    """How far the reply watcher has read one folder of one mailbox (IMAP UIDVALIDITY + last UID)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="cursors")
    folder = models.CharField(max_length=200)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    last_uid = models.PositiveBigIntegerField(default=0)
    # One watcher per folder at a time; a dead worker's lease simply runs out.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "mailbox_cursors"
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder"], name="cursor_mailbox_folder")]

    def __str__(self) -> str:
        return f"{self.mailbox_id} {self.folder}: uid {self.last_uid} (validity {self.uidvalidity})"
