"""The reply and bounce watcher: reads each mailbox's inbox over IMAP, strictly read-only.

Folders are selected read-only (EXAMINE) and messages fetched with BODY.PEEK, so nothing in a
person's mailbox is ever marked read, flagged, moved or deleted (listmonk and Mautic users lost
mail to watchers that did). Per mailbox and folder a `MailboxCursor` remembers UIDVALIDITY and the
last UID looked at, so each message is read once; when UIDVALIDITY changes the folder is read again
from the first sent email's date, and matching stays idempotent because every applied message is
stored as a `Reply` under its own Message-ID.

Two passes per batch: headers first (In-Reply-To/References, From, bounce signs), then the full
message only for those that concern an outbox email. Unrelated mail is never downloaded whole and
never stored.

Matching: a reply's In-Reply-To/References name a Message-ID we stored before sending; failing
that, the sender's address plus the thread's subject ("Re: <subject>"). A bounce names the
original's Message-ID in its returned headers, or the recipient that failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from imapclient.exceptions import IMAPClientError

from sixdegrees.outreach import crypto, imap, mailboxes, parsing
from sixdegrees.outreach.chain import bounces, replies
from sixdegrees.outreach.intent import Intent, classify
from sixdegrees.outreach.models import EmailOutreach, Mailbox, MailboxCursor, Reply

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status

FOLDERS = ("INBOX",)
BATCH = 100  # messages per FETCH
LEASE = dt.timedelta(minutes=5)
LOOKBACK = dt.timedelta(days=1)  # a first read starts a day before the first email went out
MATCHABLE = (Status.SENT, Status.REPLIED, Status.BOUNCED, Status.FAILED, Status.SENDING, Status.QUEUED)


@dataclass
class WatchResult:
    mailbox: str
    examined: int = 0
    replies: int = 0
    bounces: int = 0
    auto_replies: int = 0
    already_seen: int = 0
    errors: list[str] = field(default_factory=list)
    busy: bool = False

    def summary(self) -> dict[str, object]:
        return {
            "mailbox": self.mailbox,
            "examined": self.examined,
            "replies": self.replies,
            "bounces": self.bounces,
            "auto_replies": self.auto_replies,
            "already_seen": self.already_seen,
            "errors": self.errors,
            "busy": self.busy,
        }


# --- Which mailboxes ---------------------------------------------------------------------------


def watched_mailboxes() -> list[Mailbox]:
    """Active mailboxes with IMAP settings (the operator's default kept in step with the environment)."""
    mailboxes.operator_mailbox()
    return list(Mailbox.objects.filter(is_active=True).exclude(imap_host="").order_by("created_at"))


def watch_all() -> list[WatchResult]:
    return [watch_mailbox(mailbox) for mailbox in watched_mailboxes()]


def watch_mailbox(mailbox: Mailbox, folders: Iterable[str] = FOLDERS) -> WatchResult:
    """Read each folder's new messages and apply the ones that answer an outbox email."""
    result = WatchResult(mailbox=mailbox.address)
    try:
        config = mailboxes.imap_settings(mailbox)
    except crypto.CredentialError as exc:
        result.errors.append(str(exc))
        return result
    if config is None:
        return result
    try:
        client = imap.connect(config)
    except imap.ImapError as exc:
        result.errors.append(exc.message)
        mailboxes.record_error(mailbox, f"IMAP (reply watcher): {exc.message}")
        return result
    try:
        for folder in folders:
            FolderWatch(client, mailbox, folder, result).run()
    finally:
        imap._quietly_logout(client)
    if result.errors:
        logger.warning(
            "reply watcher errors",
            extra={"event": "watcher_errors", "mailbox": mailbox.pk, "errors": result.errors[:5]},
        )
    return result


# --- One folder ----------------------------------------------------------------------------------


class FolderWatch:
    def __init__(self, client, mailbox: Mailbox, folder: str, result: WatchResult) -> None:
        self.client = client
        self.mailbox = mailbox
        self.folder = folder
        self.result = result
        self.cursor, _ = MailboxCursor.objects.get_or_create(mailbox=mailbox, folder=folder)

    def run(self) -> None:
        now = timezone.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        if MailboxCursor.objects.filter(free, pk=self.cursor.pk).update(lease_until=now + LEASE) != 1:
            self.result.busy = True  # another worker is reading this folder right now
            return
        error = ""
        try:
            self._read()
        except (OSError, IMAPClientError) as exc:
            error = f"IMAP {self.folder}: {exc}"
            self.result.errors.append(error)
        finally:
            MailboxCursor.objects.filter(pk=self.cursor.pk).update(
                lease_until=None, last_checked_at=timezone.now(), last_error=error[:2000]
            )

    def _read(self) -> None:
        info = self.client.select_folder(self.folder, readonly=True)  # EXAMINE: changes nothing
        validity = int(info.get(b"UIDVALIDITY", 0) or 0)
        uidnext = int(info.get(b"UIDNEXT", 0) or 0)
        cursor = self.cursor
        cursor.refresh_from_db()
        last = cursor.last_uid if cursor.uidvalidity == validity else 0
        if cursor.uidvalidity != validity:
            # New UIDVALIDITY (or first read): read from the start; `Reply` rows keep it idempotent.
            MailboxCursor.objects.filter(pk=cursor.pk).update(uidvalidity=validity, last_uid=0)
        first_sent = EmailOutreach.objects.filter(mailbox=self.mailbox, sent_at__isnull=False).aggregate(
            first=Min("sent_at")
        )["first"]
        if first_sent is None:
            # Nothing sent from here yet: nothing can answer it. Start after what is there now.
            if uidnext > 1 and last < uidnext - 1:
                self._advance(validity, uidnext - 1)
            return
        criteria: list = ["UID", f"{last + 1}:*"]
        if last == 0:
            criteria += ["SINCE", (first_sent - LOOKBACK).date()]
        uids = sorted(uid for uid in self.client.search(criteria) if uid > last)
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            self._batch(batch)
            self._advance(validity, batch[-1])

    def _advance(self, validity: int, uid: int) -> None:
        MailboxCursor.objects.filter(pk=self.cursor.pk, uidvalidity=validity, last_uid__lt=uid).update(last_uid=uid)

    def _batch(self, uids: list[int]) -> None:
        headers = self.client.fetch(uids, ["BODY.PEEK[HEADER]"])
        parsed = {uid: parsing.parse_bytes(data.get(b"BODY[HEADER]", b"")) for uid, data in headers.items()}
        wanted = self._worth_reading(parsed)
        self.result.examined += len(uids)
        if not wanted:
            return
        bodies = self.client.fetch(sorted(wanted), ["BODY.PEEK[]"])
        for uid in sorted(wanted):
            raw = bodies.get(uid, {}).get(b"BODY[]")
            if not raw:
                continue
            try:
                outcome = apply_message(self.mailbox, raw, folder=self.folder, uid=uid)
            except Exception as exc:  # one odd message must not stop the others (it is logged)
                logger.exception(
                    "could not apply a message",
                    extra={"event": "watcher_message_failed", "mailbox": self.mailbox.pk, "uid": uid},
                )
                self.result.errors.append(f"{self.folder} uid {uid}: {type(exc).__name__}: {exc}")
                continue
            if outcome == "reply":
                self.result.replies += 1
            elif outcome in ("bounce", "delay"):
                self.result.bounces += 1
            elif outcome == "auto_reply":
                self.result.auto_replies += 1
            elif outcome == "seen":
                self.result.already_seen += 1

    def _worth_reading(self, parsed: dict) -> set[int]:
        """UIDs whose headers point at an outbox email (or look like a bounce), not yet applied."""
        own_ids = {uid: parsing.message_ids(parsing.header(msg, "Message-ID"))[:1] for uid, msg in parsed.items()}
        known = set(
            Reply.objects.filter(message_id__in=[i[0] for i in own_ids.values() if i]).values_list(
                "message_id", flat=True
            )
        )
        referenced = {uid: parsing.thread_ids(msg) for uid, msg in parsed.items()}
        all_refs = {ref for refs in referenced.values() for ref in refs}
        ours = set(
            EmailOutreach.objects.filter(mailbox=self.mailbox, message_id__in=all_refs).values_list(
                "message_id", flat=True
            )
        )
        senders = {uid: parsing.sender(msg)[1] for uid, msg in parsed.items()}
        recipients = set(
            EmailOutreach.objects.filter(
                mailbox=self.mailbox, recipient_email__in={s for s in senders.values() if s}, sent_at__isnull=False
            ).values_list("recipient_email", flat=True)
        )
        recipients = {r.lower() for r in recipients}
        wanted = set()
        for uid, msg in parsed.items():
            if own_ids[uid] and own_ids[uid][0] in known:
                self.result.already_seen += 1
                continue
            if set(referenced[uid]) & ours or senders[uid] in recipients or parsing.looks_like_bounce(msg):
                wanted.add(uid)
        return wanted


# --- Matching and applying -------------------------------------------------------------------------


def find_email(mailbox: Mailbox, incoming: parsing.Incoming) -> tuple[EmailOutreach | None, str]:
    """The outbox email a message answers, and how it was found (thread | subject | bounce)."""
    rows = EmailOutreach.objects.select_related("campaign", "campaign__owner").filter(mailbox=mailbox)
    ids = list(incoming.thread_ids)
    if incoming.bounce and incoming.bounce.original_message_id:
        ids.insert(0, incoming.bounce.original_message_id)
    if ids:
        by_id = {row.message_id: row for row in rows.filter(message_id__in=ids)}
        for message_id in ids:  # the closest reference first
            if message_id in by_id:
                return by_id[message_id], "bounce" if incoming.bounce else "thread"
    if incoming.bounce:
        for address in incoming.bounce.recipients:
            row = rows.filter(recipient_email__iexact=address, sent_at__isnull=False).order_by("-sent_at").first()
            if row is not None:
                return row, "bounce"
        return None, ""
    if not incoming.from_address:
        return None, ""
    subject = parsing.normalize_subject(incoming.subject)
    candidates = rows.filter(
        recipient_email__iexact=incoming.from_address, sent_at__isnull=False, status__in=MATCHABLE
    ).order_by("-sent_at")
    for row in candidates[:50]:
        if subject and parsing.normalize_subject(row.subject) == subject:
            return row, "subject"
    return None, ""


def apply_message(mailbox: Mailbox, raw: bytes, *, folder: str = "", uid: int | None = None) -> str:
    """Read one message and apply it; returns reply | bounce | delay | auto_reply | seen | own | unmatched."""
    incoming = parsing.read(raw)
    if incoming.kind != "bounce" and incoming.from_address in {mailbox.address.lower(), mailbox.login.lower()}:
        return "own"  # a copy of something sent from this mailbox
    if Reply.objects.filter(message_id=incoming.message_id).exists():
        return "seen"
    email, matched_by = find_email(mailbox, incoming)
    if email is None:
        return "unmatched"
    kind, intent = _kind_and_intent(mailbox, incoming)
    bounce = incoming.bounce
    with transaction.atomic():
        reply, created = Reply.objects.get_or_create(
            message_id=incoming.message_id,
            defaults={
                "email": email,
                "mailbox": mailbox,
                "folder": folder,
                "uid": uid,
                "kind": kind,
                "matched_by": matched_by,
                "from_address": incoming.from_address[:254],
                "from_name": incoming.from_name[:200],
                "subject": incoming.subject[:300],
                "text": incoming.text,
                "intent": intent.intent if kind in (Reply.Kind.REPLY, Reply.Kind.AUTO_REPLY) else "",
                "intent_source": "rules" if kind == Reply.Kind.REPLY else "",
                "bounce_status": bounce.status[:16] if bounce else "",
                "hard_bounce": bool(bounce and bounce.hard),
                "detail": bounce.reason if bounce else "",
                "return_date": _return_date(incoming) if kind == Reply.Kind.AUTO_REPLY else None,
                "received_at": incoming.received_at,
            },
        )
        if not created:
            return "seen"
        reply.email = email
        if kind == Reply.Kind.REPLY:
            replies.apply_reply(reply, intent)
        elif kind in (Reply.Kind.BOUNCE, Reply.Kind.DELAY):
            bounces.apply_bounce(reply)
        else:
            bounces.apply_auto_reply(reply)
    logger.info(
        "reply matched",
        extra={"event": "watcher_matched", "kind": kind, "email_id": email.pk, "intent": reply.intent},
    )
    return kind


def _kind_and_intent(mailbox: Mailbox, incoming: parsing.Incoming) -> tuple[str, Intent]:
    if incoming.bounce is not None:
        return (Reply.Kind.DELAY if incoming.bounce.delayed else Reply.Kind.BOUNCE), Intent("")
    if incoming.kind == "auto_reply":
        return Reply.Kind.AUTO_REPLY, Intent("out_of_office")
    ours = tuple(a for a in (mailbox.address, mailbox.reply_to, mailbox.login, incoming.from_address) if a)
    return Reply.Kind.REPLY, classify(incoming.text, subject=incoming.subject, exclude_emails=ours)


def _return_date(incoming: parsing.Incoming) -> dt.date | None:
    today = (incoming.received_at or timezone.now()).date()
    return parsing.return_date(f"{incoming.subject}\n{incoming.full_text}", today)
