"""Who the person writes to and hears from, read from their mailbox's headers (IMAP, read-only).

Only Sent and INBOX are read: Sent is found by its RFC 6154 special-use flag (`\\Sent`), or by
the usual provider names when the server does not flag it (outreach/imap.py `find_sent_folder`).
Each folder is selected read-only (EXAMINE) and only the header fields below are fetched with
BODY.PEEK, so no message is ever marked read, flagged, moved or deleted, and no subject or body
is ever read.

A scan resumes from a `FolderCursor` per folder (UIDVALIDITY and the last UID read). When the
server has renumbered a folder (a new UIDVALIDITY) the folder is read again from the start and
`ScanResult.notes` says so; observations carry their Message-ID so storing them again is
idempotent.

Every message gives one `Observed` per counterpart: the recipients (To and Cc) of a sent message,
the sender of a received one. A message is bulk, and so never a tie, when it has List-Id or
List-Unsubscribe, Precedence bulk/list/junk, Auto-Submitted other than "no", a no-reply address
as the counterpart, or more than `MAX_RECIPIENTS` recipients (an announcement, not a
conversation; 4Degrees draws the line at 5 participants, we allow small group threads).
Malformed headers are tolerated: an unreadable date falls back to INTERNALDATE, an address that
is not one is skipped, undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Literal

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from sixdegrees.mail.server import network_words
from sixdegrees.network.keys import is_no_reply
from sixdegrees.network.observed import Observed
from sixdegrees.outreach.imap import ImapError, ImapSettings, _quietly_logout, connect, find_sent_folder

__all__ = ["FolderCursor", "Observed", "ScanResult", "observe", "scan"]

HEADER_FIELDS = "FROM TO CC DATE MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID LIST-UNSUBSCRIBE PRECEDENCE AUTO-SUBMITTED"
FETCH_HEADERS = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]"
INBOX = "INBOX"

# More recipients than this (To + Cc, the owner included) make a message an announcement.
MAX_RECIPIENTS = 10
# A Date header this far after the server's arrival time is forged or wrong (spam dates itself
# in the future to stay on top); believing it would keep a tie "recent" for ever.
DATE_TOLERANCE = dt.timedelta(days=1)

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})


@dataclass(frozen=True)
class FolderCursor:
    """Where the last scan of a folder stopped: a UID is only meaningful with its UIDVALIDITY."""

    folder: str
    uidvalidity: int
    last_uid: int


@dataclass
class ScanResult:
    cursors: dict[str, FolderCursor]
    observations: list[Observed] = field(default_factory=list)
    fetched: int = 0  # messages whose headers were fetched
    skipped: int = 0  # messages with no usable counterpart or date
    notes: list[str] = field(default_factory=list)  # plain words for the person
    error: str = ""  # set when the scan stopped early; cursors cover what was read


def scan(
    config: ImapSettings,
    owner_addresses: set[str],
    cursors: dict[str, FolderCursor],
    *,
    batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    """Read the headers of Sent and INBOX messages newer than `cursors`; raises ImapError on login.

    `progress(done, total)` is called after every batch, `total` being every new message in both
    folders. A connection lost midway ends the scan with `error` set and the cursors at the last
    batch read, so the next scan continues from there and nothing is read twice or lost.
    """
    owners = {address.strip().lower() for address in owner_addresses}
    result = ScanResult(cursors=dict(cursors))
    client = connect(config)
    client.normalise_times = False  # INTERNALDATE with its zone, not in this machine's local time
    try:
        try:
            sent = find_sent_folder(client)
        except (OSError, IMAPClientError) as exc:
            raise ImapError(f"could not list the folders on {config.where}: {network_words(exc)}") from None
        folders: list[tuple[str, Literal["out", "in"]]] = [(INBOX, "in")]
        if sent is None:
            result.notes.append("No Sent folder was found, so only received mail was read.")
        else:
            folders.insert(0, (sent, "out"))
        _read_folders(client, folders, owners, batch, progress, result, config)
    finally:
        _quietly_logout(client)
    return result


def _read_folders(
    client: IMAPClient,
    folders: list[tuple[str, Literal["out", "in"]]],
    owners: set[str],
    batch: int,
    progress: Callable[[int, int], None] | None,
    result: ScanResult,
    config: ImapSettings,
) -> None:
    try:
        pending = [(folder, direction, _new_uids(client, folder, result)) for folder, direction in folders]
        total, done = sum(len(uids) for _f, _d, uids in pending), 0
        if progress is not None:
            progress(0, total)
        for folder, direction, uids in pending:
            if not uids:
                continue
            client.select_folder(folder, readonly=True)
            cursor = result.cursors[folder]
            for start in range(0, len(uids), max(1, batch)):
                chunk = uids[start : start + max(1, batch)]
                data = client.fetch(chunk, [FETCH_HEADERS, "INTERNALDATE"])
                for uid in chunk:
                    found = _observe_item(data.get(uid), direction, owners, folder)
                    result.observations.extend(found)
                    result.skipped += 0 if found else 1
                result.fetched += len(chunk)
                cursor = FolderCursor(folder, cursor.uidvalidity, chunk[-1])
                result.cursors[folder] = cursor
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except (OSError, IMAPClientError) as exc:
        result.error = f"reading {config.where} stopped: {network_words(exc)}"


def _observe_item(
    item: dict[bytes, Any] | None, direction: Literal["out", "in"], owners: set[str], folder: str
) -> list[Observed]:
    if not item:
        return []  # expunged between SEARCH and FETCH
    try:
        return observe(_headers(item), direction, owners, _internaldate(item), folder)
    except Exception:  # one message the parser cannot read must not stop the scan; it is counted
        return []


def _new_uids(client: IMAPClient, folder: str, result: ScanResult) -> list[int]:
    info = client.select_folder(folder, readonly=True)  # EXAMINE: changes nothing
    validity = int(info.get(b"UIDVALIDITY", 0) or 0)
    cursor = result.cursors.get(folder)
    if cursor is not None and cursor.uidvalidity != validity:
        result.notes.append(f"The server renumbered {folder}, so it was read again from the start.")
        cursor = None
    last = cursor.last_uid if cursor is not None else 0
    result.cursors[folder] = FolderCursor(folder, validity, last)
    # "UID n:*" always matches the newest message, even when its UID is below n.
    return sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)


def _headers(item: dict[bytes, Any]) -> bytes:
    # The server names the item after what it sent (BODY[HEADER.FIELDS (…)]), its spelling its own.
    for key, value in item.items():
        if key.upper().startswith(b"BODY[HEADER.FIELDS") and isinstance(value, bytes):
            return value
    return b""


def _internaldate(item: dict[bytes, Any] | None) -> dt.datetime | None:
    value = (item or {}).get(b"INTERNALDATE")
    if not isinstance(value, dt.datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


# --- One message's headers (pure) ------------------------------------------------------------------


def observe(
    raw: bytes,
    direction: Literal["out", "in"],
    owners: set[str],
    internaldate: dt.datetime | None = None,
    folder: str = "",
) -> list[Observed]:
    """The observations one message's header block gives; [] when it names nobody or has no date."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    at = _message_time(msg, internaldate)
    if at is None:
        return []
    addressed = _addresses(msg, "To") + _addresses(msg, "Cc")
    everyone = {address for _name, address in addressed}
    if direction == "out":
        counterparts = _unique((name, address) for name, address in addressed if address not in owners)
        recipients = len(counterparts)
    else:
        counterparts = [pair for pair in _addresses(msg, "From")[:1] if pair[1] not in owners]
        recipients = len(everyone) or 1  # Bcc'd to the owner: they were its one visible reader
    message_reason = _bulk_reason(msg, len(everyone))
    message_id = _text(msg, "Message-ID")[:255]
    found = []
    for name, address in counterparts:
        reason = message_reason or ("no-reply address" if is_no_reply(address) else "")
        found.append(
            Observed(direction, address, name, at, max(1, recipients), bool(reason), reason, message_id, folder)
        )
    return found


def _bulk_reason(msg: Message, recipients: int) -> str:
    if _text(msg, "List-Id"):
        return "List-Id"
    if _text(msg, "List-Unsubscribe"):
        return "List-Unsubscribe"
    precedence = _text(msg, "Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    auto = _text(msg, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto.split(';')[0].strip()}"
    if recipients > MAX_RECIPIENTS:
        return f"{recipients} recipients (more than {MAX_RECIPIENTS})"
    return ""


def _message_time(msg: Message, internaldate: dt.datetime | None) -> dt.datetime | None:
    stated: dt.datetime | None
    try:
        stated = parsedate_to_datetime(_text(msg, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        stated = None
    if stated is not None:
        stated = (stated if stated.tzinfo else stated.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        if internaldate is None or stated <= internaldate + DATE_TOLERANCE:
            return stated
    return internaldate


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs of a header, dropping whatever is not an address."""
    pairs: list[tuple[str, str]] = []
    try:
        values = msg.get_all(name) or []
        for value in values:
            structured = getattr(value, "addresses", None)
            if structured is not None:
                pairs += [(item.display_name, item.addr_spec) for item in structured]
            else:
                pairs += getaddresses([str(value)])
    except Exception:  # a header the parser chokes on names nobody we could write to
        try:
            pairs = getaddresses([_text(msg, name)])
        except Exception:
            return []
    found = []
    for display, address in pairs:
        address = _clean(address or "").strip().strip("<>").lower()
        if _ADDRESS.match(address):
            found.append((" ".join(_clean(display or "").split()).strip('"'), address))
    return found


def _unique(pairs: Any) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for name, address in pairs:
        if address not in seen or (name and not seen[address][0]):
            seen[address] = (name, address)
    return list(seen.values())


def _text(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header must not stop the scan
        return ""
    return " ".join(_clean(str(value)).split()) if value is not None else ""


def _clean(text: str) -> str:
    # Raw 8-bit header bytes arrive as surrogate escapes; they must not reach storage or JSON.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
