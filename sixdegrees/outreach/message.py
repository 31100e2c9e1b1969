"""The one place outreach messages are built: headers, threading, unsubscribe, UTF-8 throughout.

The body is exactly what the person approved (plain text, no footer added); the subject and
names may be in any language (RFC 2047 encoded words), the body goes base64 or quoted-printable
so any server takes it without 8BITMIME or SMTPUTF8.
"""

from __future__ import annotations

import secrets
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from sixdegrees.outreach.models import EmailOutreach

# CRLF line endings and 7-bit transfer encodings: safe for every SMTP server and for .eml files.
POLICY = policy.SMTP.clone(cte_type="7bit")
MAX_THREAD_DEPTH = 20


class MessageError(ValueError):
    """The email cannot be expressed as a message (e.g. an address Python cannot encode)."""


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


def new_message_id(email_id: str, from_address: str) -> str:
    """Unique, and carries the outbox id so a reply or bounce can be matched even without a lookup."""
    return f"<{email_id}.{secrets.token_hex(6)}@{domain_of(from_address)}>"


def address(name: str, addr: str) -> Address:
    try:
        return Address(display_name=name or "", addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise MessageError(f"not a usable email address: {addr!r} ({exc})") from None


def compose(
    *,
    from_name: str,
    from_address: str,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    message_id: str,
    reply_to: str = "",
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    unsubscribe_url: str = "",
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    try:
        message["From"] = address(from_name, from_address)
        message["To"] = address(to_name, to_address)
        # Always explicit: replies must reach a mailbox the reply watcher reads, with the person's name.
        message["Reply-To"] = address(from_name, reply_to or from_address)
        message["Subject"] = subject
        message["Date"] = format_datetime(timezone.now())
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            chain = list(references) if in_reply_to in references else [*references, in_reply_to]
            message["References"] = " ".join(chain)
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    except ValueError as exc:  # e.g. a line break smuggled into a header
        raise MessageError(str(exc)) from None
    message.set_content(body, charset="utf-8")
    return message


def thread_of(email: EmailOutreach) -> tuple[str, tuple[str, ...]]:
    """(In-Reply-To, References) for a follow-up: its parent's Message-ID and the chain above it."""
    chain: list[str] = []
    parent = email.in_reply_to
    seen = {email.pk}
    while parent is not None and parent.pk not in seen and len(chain) < MAX_THREAD_DEPTH:
        seen.add(parent.pk)
        if parent.message_id:
            chain.append(parent.message_id)
        parent = parent.in_reply_to
    if not chain:
        return "", ()
    chain.reverse()  # oldest first, as References lists them
    return chain[-1], tuple(chain)


def for_outreach(email: EmailOutreach, *, from_address: str, reply_to: str = "", unsubscribe_url: str) -> EmailMessage:
    """The message for an outbox row; its Message-ID must already be stored on the row."""
    assert email.message_id, "store the Message-ID before building the message"
    in_reply_to, references = thread_of(email)
    return compose(
        from_name=email.campaign.user_name,
        from_address=from_address,
        to_name=email.recipient_name,
        to_address=email.recipient_email,
        subject=email.subject,
        body=email.body,
        message_id=email.message_id,
        reply_to=reply_to,
        in_reply_to=in_reply_to,
        references=references,
        unsubscribe_url=unsubscribe_url,
    )
