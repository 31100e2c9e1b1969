"""Incoming mail as real servers and clients write it, for the reply-watcher tests.

Each builder returns bytes ready for IMAP APPEND. The bounce shapes follow what Postfix and Gmail
actually send (RFC 3464 multipart/report), plus Gmail's older plain-text form.
"""

from __future__ import annotations

import datetime as dt
import itertools
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_counter = itertools.count(1)
MAILBOX = "sender@example.test"


def _date(when: dt.datetime | None = None) -> str:
    return format_datetime(when or dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))


def reply(
    *,
    in_reply_to: str | None,
    from_name: str,
    from_address: str,
    text: str,
    subject: str = "Re: A small favour",
    quoted: str = "Hi,\nCould you introduce me?\n\nThanks,\nAlice",
    headers: dict[str, str] | None = None,
    chinese_client: bool = False,
) -> bytes:
    message = EmailMessage()
    message["From"] = Address(from_name, addr_spec=from_address)
    message["To"] = Address("Alice Chen", addr_spec=MAILBOX)
    message["Subject"] = subject
    message["Date"] = _date()
    message["Message-ID"] = make_msgid(f"reply{next(_counter)}", domain="mail.example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    quote = "\n".join(f"> {line}" for line in quoted.split("\n"))
    if chinese_client:
        history = f"\n\n在 2026年12月1日 周一 10:00，Alice Chen <{MAILBOX}> 写道：\n{quote}\n"
    else:
        history = f"\n\nOn Mon, Dec 1, 2026 at 10:00 AM Alice Chen <{MAILBOX}>\nwrote:\n{quote}\n"
    message.set_content(text + history, charset="utf-8")
    return message.as_bytes()


def unrelated(subject: str = "Your weekly digest") -> bytes:
    message = EmailMessage()
    message["From"] = Address("Newsletter", addr_spec="news@example.net")
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = _date()
    message["Message-ID"] = make_msgid("news", domain="example.net")
    message.set_content("Ten things that happened this week.\n")
    return message.as_bytes()


def dsn_bounce(*, original_message_id: str, recipient: str, status: str = "5.1.1", diagnostic: str = "") -> bytes:
    """A Postfix-style RFC 3464 report with the original message attached."""
    diagnostic = diagnostic or f"smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown"
    action = "delayed" if status.startswith("4.") else "failed"
    boundary = f"dsn-boundary-{next(_counter)}"
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.test (Mail Delivery System)
To: {MAILBOX}
Subject: Undelivered Mail Returned to Sender
Date: {_date()}
Message-ID: <dsn{next(_counter)}@mx.example.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.example.org said: 550 {status} User unknown

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test
X-Postfix-Queue-ID: 4ABCD123
Arrival-Date: {_date()}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.org
Diagnostic-Code: {diagnostic}

--{boundary}
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: Alice Chen <{MAILBOX}>
To: <{recipient}>
Subject: A small favour
Message-ID: {original_message_id}
Date: {_date()}

Hi, could you introduce me?

--{boundary}--
""".replace("\n", "\r\n").encode()


def gmail_bounce(*, original_message_id: str, recipient: str) -> bytes:
    """Gmail's "Delivery Status Notification (Failure)" (multipart/report, headers of the original)."""
    outer, inner = f"gmail-outer-{next(_counter)}", f"gmail-inner-{next(_counter)}"
    return f"""From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {MAILBOX}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Date: {_date()}
Message-ID: <gmail-dsn-{next(_counter)}@mx.google.com>
References: {original_message_id}
In-Reply-To: {original_message_id}
X-Failed-Recipients: {recipient}
MIME-Version: 1.0
Content-Type: multipart/report; boundary="{outer}"; report-type=delivery-status

--{outer}
Content-Type: multipart/related; boundary="{inner}"

--{inner}
Content-Type: multipart/alternative; boundary="{inner}-alt"

--{inner}-alt
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to {recipient} because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.

--{inner}-alt--
--{inner}--
--{outer}
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; sender@example.test
Arrival-Date: {_date()}
X-Original-Message-ID: {original_message_id}

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org. (203.0.113.5, the server for the domain example.org.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: {_date()}

--{outer}
Content-Type: text/rfc822-headers

From: Alice Chen <{MAILBOX}>
To: <{recipient}>
Subject: A small favour
Message-ID: {original_message_id}
Date: {_date()}

--{outer}--
""".replace("\n", "\r\n").encode()


def old_gmail_bounce(*, recipient: str, original_message_id: str) -> bytes:
    """Gmail's older plain-text bounce (no DSN part), still sent by some Google Workspace relays."""
    return f"""From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {MAILBOX}
Subject: Delivery Status Notification (Failure)
Date: {_date()}
Message-ID: <old-gmail-{next(_counter)}@mx.google.com>
Content-Type: text/plain; charset=UTF-8

Delivery to the following recipient failed permanently:

     {recipient}

Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the server for the recipient domain example.org by mx.example.org. [203.0.113.5].

The error that the other server returned was:
550 5.1.1 <{recipient}>... User unknown

----- Original message -----

Message-ID: {original_message_id}
Subject: A small favour
""".replace("\n", "\r\n").encode()


def out_of_office(
    *,
    in_reply_to: str | None,
    from_name: str,
    from_address: str,
    text: str = "Thank you for your email. I am out of the office with limited access to email and will be back on December 3.",
    subject: str = "Automatic reply: A small favour",
    headers: dict[str, str] | None = None,
) -> bytes:
    base = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes", "Precedence": "auto_reply"}
    return reply(
        in_reply_to=in_reply_to,
        from_name=from_name,
        from_address=from_address,
        text=text,
        subject=subject,
        headers=base if headers is None else headers,
    )
