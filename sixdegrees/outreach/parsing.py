"""Reading incoming mail: what kind of message it is, whom it answers, and what the person wrote.

Pure functions over `email.message` objects, no database and no network, so every rule is tested
on plain bytes. The reply watcher (outreach/watcher.py) calls `read()` on each candidate message.

- Bounces: RFC 3464 delivery-status reports and the common non-standard formats, recognised by
  Mailman's detectors (`flufl.bounce`), with the status code and the server's words kept as the
  reason. A 5.1.x status (no such mailbox) is a hard bounce; a delayed report is not a bounce.
- Automatic replies: RFC 3834 `Auto-Submitted`, the de-facto `X-Autoreply`/`X-Autorespond` and
  `Precedence` headers, and subjects such as "Out of Office" or "自动回复"; a stated return date
  ("back on December 3", "12月3日回来") is read so the follow-up can wait for it.
- Replies: the newest text only, with quoted history and signatures stripped (`mail-parser-reply`,
  plus the quote headers of Chinese mail clients it does not know).
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from flufl.bounce import all_failures
from mailparser_reply.parser import EmailMessage as ReplyBody

# Mailman's detectors log every detector they try at INFO: one line per detector per message.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

MESSAGE_ID_RE = re.compile(r"<[^<>\s]+@[^<>\s]+>")
MAX_TEXT = 20000  # characters of a reply we keep

# --- Headers -----------------------------------------------------------------------------------


def header(msg: Message, name: str) -> str:
    """A header as text, decoded, with folding removed ("" when absent or unreadable)."""
    try:
        value = msg.get(name)
    except Exception:  # a malformed header must not stop the watcher
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def message_ids(value: str) -> list[str]:
    """The <…@…> ids in a References / In-Reply-To header, in order, without duplicates."""
    seen: list[str] = []
    for found in MESSAGE_ID_RE.findall(value or ""):
        if found not in seen:
            seen.append(found)
    return seen


def thread_ids(msg: Message) -> list[str]:
    """Ids this message answers, the closest first (In-Reply-To, then References newest first)."""
    ids = message_ids(header(msg, "In-Reply-To"))
    for found in reversed(message_ids(header(msg, "References"))):
        if found not in ids:
            ids.append(found)
    return ids


def own_message_id(msg: Message, raw: bytes) -> str:
    """The message's Message-ID, or a stable stand-in made from its bytes when it has none."""
    found = message_ids(header(msg, "Message-ID"))
    if found:
        return found[0][:255]
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def sender(msg: Message) -> tuple[str, str]:
    """(display name, lower-case address) of From."""
    try:
        addresses = getattr(msg["From"], "addresses", None)
    except Exception:
        addresses = None
    if addresses:
        first = addresses[0]
        return first.display_name.strip(), (first.addr_spec or "").strip().lower()
    name, address = parseaddr(header(msg, "From"))
    return name.strip().strip('"'), address.strip().lower()


_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|r|回复|回覆|答复|转发|轉寄)\s*(?:\[\d+\])?\s*[:：]\s*|\[[^\]]{1,30}\]\s*)",
    re.IGNORECASE,
)


def normalize_subject(subject: str) -> str:
    """The subject without "Re:", "Fwd:", "回复：" prefixes and case or spacing differences."""
    text = " ".join((subject or "").split())
    while True:
        shorter = _SUBJECT_PREFIX.sub("", text, count=1)
        if shorter == text:
            break
        text = shorter
    return text.casefold().strip()


def received_at(msg: Message) -> dt.datetime | None:
    try:
        value = parsedate_to_datetime(header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# --- Text ----------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """Visible text of an HTML body, without scripts, styles and quoted history blocks."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"}
    SKIP = {"script", "style", "head", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(value or "" for key, value in attrs if key == "class")
        skip = tag in self.SKIP or "gmail_quote" in classes or "moz-cite-prefix" in classes
        if tag not in ("br", "img", "hr", "meta", "link", "input"):
            self.stack.append(skip)
            self.skipping += skip
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        if self.stack:
            self.skipping -= self.stack.pop()
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts).replace("\xa0", " ")
        return re.sub(r"\n\s*\n\s*\n+", "\n\n", joined).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    return parser.text()


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def body_text(msg: Message) -> str:
    """The message's own text: its first text/plain part, else its HTML as text. Attachments skipped."""
    plain = html = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() == "message" or (part.get_content_disposition() == "attachment"):
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _part_text(part)
        elif kind == "text/html" and html is None:
            html = _part_text(part)
    if plain and plain.strip():
        return plain.replace("\r\n", "\n").replace("\r", "\n")
    if html:
        return html_to_text(html)
    return ""


# Quote headers that start the quoted history, for clients the library misses (it knows
# "On … wrote:" and Outlook's From:/Sent: blocks in English and Chinese).
_QUOTE_STARTS = [
    re.compile(r"^On\b.{0,300}?\bwrote:\s*$", re.MULTILINE | re.DOTALL),
    re.compile(r"^.{0,200}(?:写道|寫道)\s*[:：]\s*$", re.MULTILINE),
    re.compile(
        r"^\s*-{2,}\s*(?:Original Message|原始邮件|原始郵件|Forwarded message|转发的邮件)\s*-{2,}\s*$", re.I | re.M
    ),
    re.compile(r"^\s*(?:发件人|發件人|From)\s*[:：].*\n\s*(?:发送时间|發送時間|日期|Sent|Date)\s*[:：]", re.MULTILINE),
    re.compile(r"^_{10,}\s*$", re.MULTILINE),  # Outlook's separator line
]


def _cut_quoted_history(text: str) -> str:
    cut = len(text)
    for pattern in _QUOTE_STARTS:
        match = pattern.search(text)
        if match and match.start() < cut:
            # "On Mon, … wrote:" must start within a few lines of where it ends (Gmail wraps it).
            if pattern is _QUOTE_STARTS[0] and match.group(0).count("\n") > 2:
                continue
            cut = match.start()
    kept = text[:cut]
    lines = kept.rstrip().split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()  # quoted lines at the bottom ("> …") belong to the history too
    return "\n".join(lines)


def reply_text(text: str) -> str:
    """The newest part of a reply: quoted history and signature removed, at most MAX_TEXT chars."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    head = _cut_quoted_history(text)
    head = head.split("\n-- \n")[0]  # the standard signature delimiter
    try:
        parsed = ReplyBody(text=head, languages=["en", "zh"], keep_hyphen_lists=True).read()
        body = parsed.replies[0].body if parsed.replies else ""
    except Exception:  # a pathological body must not stop the watcher; keep the quote-free text
        body = ""
    body = body.strip() or head.strip()
    body = "\n".join(line.rstrip() for line in body.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", body)[:MAX_TEXT]


# --- Automatic replies ------------------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"(?i)\b(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response|responder)|"
    r"autoreply|away from (?:the |my )?(?:office|desk)|on vacation|on leave|on holiday|vacation reply|"
    r"abwesenheitsnotiz)\b|^auto\s*:|自动回复|自動回覆|自动答复|不在办公室|休假"
)


def is_auto_reply(msg: Message) -> bool:
    auto = header(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return True
    if header(msg, "X-Autoreply") or header(msg, "X-Autorespond") or header(msg, "X-Autoresponder"):
        return True
    if header(msg, "Precedence").lower() in ("auto_reply", "auto-reply"):
        return True
    if "oof" in header(msg, "X-Auto-Response-Suppress").lower() and header(msg, "X-MS-Exchange-Inbox-Rules-Loop"):
        return True
    return bool(_AUTO_SUBJECT.search(header(msg, "Subject")))


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_BACK = (
    r"(?:back|return(?:ing)?|returns|in the office|in office|available|reachable|away|out|absent|"
    r"travel(?:l)?ing|on (?:vacation|leave|holiday)|until|till|through|thru)"
)
_DATE_PATTERNS = [
    # "back on December 3", "returning Dec. 3rd, 2026", "until 3 December"
    re.compile(
        rf"(?i)\b{_BACK}\b[^.\n]{{0,40}}?\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(?P<year>\d{{4}}))?"
    ),
    re.compile(
        rf"(?i)\b{_BACK}\b[^.\n]{{0,40}}?\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s*(?P<year>\d{{4}}))?"
    ),
    # "back on 2026-12-03"
    re.compile(rf"(?i)\b{_BACK}\b[^\n]{{0,40}}?\b(?P<year>\d{{4}})-(?P<num_month>\d{{1,2}})-(?P<day>\d{{1,2}})\b"),
    # "12月3日回来", "2026年12月3日返回", "12月3号之后回复", "休假至12月3日"
    re.compile(
        r"(?:(?P<year>\d{4})\s*年\s*)?(?P<num_month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]"
        r"(?=[^。\n]{0,8}(?:回来|回來|返回|回到|回复|回覆|上班|返岗|之后|以後|以后|后|恢复))"
    ),
    re.compile(
        r"(?:至|到|直到)\s*(?:(?P<year>\d{4})\s*年\s*)?(?P<num_month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]"
    ),
]


def return_date(text: str, today: dt.date) -> dt.date | None:
    """The date an automatic reply says its sender is back, the next such date on or after today."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text or ""):
            parts = match.groupdict()
            month = MONTHS.get((parts.get("month") or "").lower().rstrip(".")) or int(parts.get("num_month") or 0)
            day = int(parts["day"])
            year = int(parts["year"]) if parts.get("year") else today.year
            try:
                found = dt.date(year, month, day)
            except ValueError:
                continue
            if not parts.get("year") and found < today - dt.timedelta(days=1):
                try:
                    found = found.replace(year=year + 1)  # "back on January 5" written in December
                except ValueError:
                    continue
            if today - dt.timedelta(days=1) <= found <= today + dt.timedelta(days=366):
                return found
    return None


# --- Bounces ---------------------------------------------------------------------------------------

_BOUNCE_FROM = re.compile(r"(?i)^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?|mdaemon)@")
_BOUNCE_SUBJECT = re.compile(
    r"(?i)delivery status notification|undeliver(?:able|ed)|delivery (?:has )?failed|failure notice|"
    r"returned mail|mail delivery (?:failed|failure|subsystem)|delivery failure|could not be delivered|"
    r"non[- ]?delivery|系统退信|退信|投递失败|未送达|无法投递"
)
_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_FAILED_TEXT = re.compile(
    r"(?i)does not exist|doesn't exist|no such (?:user|mailbox|address)|user unknown|unknown user|"
    r"address not found|couldn't be found|could not be found|mailbox unavailable|invalid recipient|"
    r"recipient address rejected|account (?:has been )?disabled|not a valid"
)


@dataclass
class Bounce:
    recipients: list[str] = field(default_factory=list)
    status: str = ""  # the DSN status, e.g. "5.1.1"
    reason: str = ""  # the server's words, for the person and the outbox row
    delayed: bool = False  # only a warning: the server is still trying
    hard: bool = False  # the address is dead: never email it again
    original_message_id: str = ""


def looks_like_bounce(msg: Message) -> bool:
    """Worth reading as a bounce (from headers alone, so the watcher can decide before fetching)."""
    content_type = header(msg, "Content-Type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    if header(msg, "X-Failed-Recipients"):
        return True
    _name, address = sender(msg)
    return bool(_BOUNCE_FROM.match(address)) or bool(_BOUNCE_SUBJECT.search(header(msg, "Subject")))


def _status_blocks(msg: Message) -> list[Message]:
    """The per-recipient header blocks of every message/delivery-status part."""
    blocks: list[Message] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            blocks.extend(p for p in payload if isinstance(p, Message))
        elif isinstance(payload, str | bytes):
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
                if chunk.strip():
                    blocks.append(email.message_from_string(chunk.strip() + "\n", policy=policy.compat32))
    return blocks


def _original_message_id(msg: Message) -> str:
    """The Message-ID of the message that bounced, from the returned copy or its headers."""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                found = message_ids(header(inner, "Message-ID"))
                if found:
                    return found[0]
        elif kind in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
            header_id = re.search(r"(?im)^message-id:\s*(<[^>\s]+>)", _part_text(part) or str(part.get_payload()))
            if header_id:
                return header_id.group(1)
    quoted_id = re.search(r"(?im)^\s*message-id:\s*(<[^>\s]+>)", body_text(msg))
    if quoted_id:
        return quoted_id.group(1)
    ids = thread_ids(msg)
    return ids[0] if ids else ""


def _reason_from_text(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    for line in lines:
        if _STATUS_RE.search(line) or re.search(r"\b5\d\d\b", line) or _FAILED_TEXT.search(line):
            return line[:500]
    return " ".join(lines[:3])[:500]


def detect_bounce(msg: Message) -> Bounce | None:
    """A Bounce when `msg` reports a failed (or delayed) delivery, else None."""
    if not looks_like_bounce(msg):
        return None
    bounce = Bounce(original_message_id=_original_message_id(msg))
    failed_action = delayed_action = False
    for block in _status_blocks(msg):
        action = (block.get("Action") or "").strip().lower()
        status = _STATUS_RE.search(block.get("Status") or "")
        diagnostic = " ".join((block.get("Diagnostic-Code") or "").split())
        recipient = (block.get("Final-Recipient") or block.get("Original-Recipient") or "").rpartition(";")[2]
        if action.startswith(("failed", "error")):
            failed_action = True
        elif action.startswith("delayed"):
            delayed_action = True
        else:
            continue
        if recipient.strip():
            bounce.recipients.append(recipient.strip().strip("<>").lower())
        if status and not bounce.status:
            bounce.status = status.group(0)
        if diagnostic and not bounce.reason:
            bounce.reason = re.sub(r"^(?i:smtp|x-postfix|x-unix)\s*;\s*", "", diagnostic)[:500]
    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # a detector choking on odd input is not a reason to drop the message
        temporary, permanent = frozenset(), frozenset()
    for found in sorted(permanent | temporary):
        decoded = found.decode("ascii", "replace").lower()
        if decoded and decoded not in bounce.recipients:
            bounce.recipients.append(decoded)
    failed_header = [a.lower() for _n, a in getaddresses([header(msg, "X-Failed-Recipients")]) if a]
    for address in failed_header:
        if address not in bounce.recipients:
            bounce.recipients.append(address)
    text = body_text(msg)
    if not bounce.status:
        status_in_text = _STATUS_RE.search(text)
        bounce.status = status_in_text.group(0) if status_in_text else ""
    if not bounce.reason:
        bounce.reason = _reason_from_text(text) or header(msg, "Subject")
    failed = failed_action or bool(permanent) or bool(failed_header)
    if not failed and not delayed_action and not temporary:
        # From a mailer daemon but nothing failed (e.g. a "relayed" report): only a clear failure
        # text without a DSN still counts, as old Gmail and qmail bounces have no DSN part.
        if not (bounce.recipients and _FAILED_TEXT.search(text)):
            return None
        failed = True
    bounce.delayed = not failed
    if failed:
        bounce.hard = _is_hard(bounce.status, f"{bounce.reason}\n{text}")
    return bounce


def _is_hard(status: str, words: str) -> bool:
    """The address itself is dead (5.1.x: no such mailbox; 5.2.1: disabled), not merely refusing today.

    Policy refusals (5.7.x), a full mailbox (5.2.2) or a message that was too big say nothing about
    the address, so they do not put it on the suppression list.
    """
    if status.startswith("5.1.") or status == "5.2.1":
        return True
    if status in ("", "5.0.0"):
        return bool(_FAILED_TEXT.search(words))
    return False


# --- Everything at once -------------------------------------------------------------------------


@dataclass
class Incoming:
    """What the watcher needs to know about one message."""

    message_id: str
    kind: str  # reply | bounce | auto_reply
    from_name: str
    from_address: str
    subject: str
    thread_ids: list[str]
    text: str = ""  # the reply, history and signature removed
    full_text: str = ""  # the whole body text (for return dates, and for the person to read)
    bounce: Bounce | None = None
    received_at: dt.datetime | None = None


def parse_bytes(raw: bytes) -> Message:
    # The default policy decodes RFC 2047 headers ("=?utf-8?b?…?=") into text.
    return email.message_from_bytes(raw, policy=policy.default)


def read(raw: bytes) -> Incoming:
    msg = parse_bytes(raw)
    name, address = sender(msg)
    incoming = Incoming(
        message_id=own_message_id(msg, raw),
        kind="reply",
        from_name=name,
        from_address=address,
        subject=header(msg, "Subject")[:300],
        thread_ids=thread_ids(msg),
        received_at=received_at(msg),
    )
    bounce = detect_bounce(msg)
    if bounce is not None:
        incoming.kind, incoming.bounce = "bounce", bounce
        incoming.text = bounce.reason
        return incoming
    incoming.full_text = body_text(msg)
    incoming.text = reply_text(incoming.full_text)
    if is_auto_reply(msg):
        incoming.kind = "auto_reply"
    return incoming
