"""The one place messages are built: the service's own mail and outreach, UTF-8 throughout.

Service mail (sign-in codes, notices) is rendered from templates, `mail/<name>.subject.txt`,
`mail/<name>.txt` and optionally `mail/<name>.html`, inside `translation.override(language)`,
so a template's `{% blocktranslate %}` sentences come from the same catalogue as the pages.

An outreach body is exactly what the person approved (plain text, no footer added). Subjects
and names may be in any language (RFC 2047 encoded words); bodies go base64 or quoted-printable
so any server takes them without 8BITMIME or SMTPUTF8.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, Any

from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone, translation

if TYPE_CHECKING:  # only read its attributes: the mail package does not depend on outreach
    from sixdegrees.outreach.models import EmailOutreach

# Headers whose value mostly repeats from one message to the next (one sender, one campaign).
REPEATING = frozenset(
    {
        "from",
        "reply-to",
        "subject",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "list-unsubscribe-post",
    }
)


if TYPE_CHECKING:
    _EmailPolicy = policy.EmailPolicy[EmailMessage]
else:  # not subscriptable at run time
    _EmailPolicy = policy.EmailPolicy


class RepeatingHeadersPolicy(_EmailPolicy):
    """The SMTP policy, which parses and folds a header it has seen before only once.

    Parsing a header into the email package's tree and folding it back (RFC 2047 words for a
    Chinese name) is most of the cost of building a message; a batch from one person repeats the
    same From, Reply-To and Subject. The cache holds headers by their text, so the output is the
    same bytes as without it (tests compare them).
    """

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if name.lower() in REPEATING and isinstance(value, str | Address) and not hasattr(value, "name"):
            text = str(value)
            if len(text.splitlines()) > 1:  # the check the base policy makes: no header injection
                raise ValueError("Header values may not contain linefeed or carriage return characters")
            return (name, _parsed(self, name, text))
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        # Only a header this policy made; one parsed from a message's source keeps its own folding.
        if name.lower() in REPEATING and hasattr(value, "name"):
            return _folded(self, name, str(value))
        return super().fold_binary(name, value)


@functools.lru_cache(maxsize=1024)
def _parsed(policy_: RepeatingHeadersPolicy, name: str, text: str) -> Any:
    return policy_.header_factory(name, text)  # header objects are immutable: safe to share


@functools.lru_cache(maxsize=1024)
def _folded(policy_: RepeatingHeadersPolicy, name: str, text: str) -> bytes:
    return policy.EmailPolicy.fold_binary(policy_, name, _parsed(policy_, name, text))


# CRLF line endings and 7-bit transfer encodings: safe for every SMTP server and for .eml files.
POLICY = RepeatingHeadersPolicy(linesep="\r\n", cte_type="7bit")
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
    html: str = "",
    headers: Mapping[str, str] | None = None,
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
        for header, value in (headers or {}).items():
            message[header] = value
    except ValueError as exc:  # e.g. a line break smuggled into a header
        raise MessageError(str(exc)) from None
    message.set_content(body, charset="utf-8")
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8")
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


# --- Templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = ""


def render(name: str, context: Mapping[str, Any], language: str) -> Rendered:
    """Subject, text and (if the template exists) HTML of email `name`, in `language`."""
    subject = _render_part(name, "subject.txt", context, language)
    return Rendered(
        subject=" ".join(subject.splitlines()).strip(),
        text=render_text(name, context, language),
        html=_render_part(name, "html", context, language, optional=True),
    )


def render_text(name: str, context: Mapping[str, Any], language: str) -> str:
    """The plain text of `name` in `language` (also for drafts, whose subject is made elsewhere)."""
    # Template files end with a newline the text never had: drop exactly that one.
    return _render_part(name, "txt", context, language).removesuffix("\n")


def _render_part(name: str, part: str, context: Mapping[str, Any], language: str, optional: bool = False) -> str:
    """`mail/<name>.<language>.<part>` if the text differs by language, else `mail/<name>.<part>`
    (whose `{% blocktranslate %}` sentences come from the catalogue), rendered in `language`."""
    language = language or "en"
    try:
        template = select_template([f"mail/{name}.{language}.{part}", f"mail/{name}.{part}"])
    except TemplateDoesNotExist:
        if optional:
            return ""
        raise
    with translation.override(language):
        return template.render(dict(context))


def build(
    name: str,
    context: Mapping[str, Any],
    *,
    language: str,
    to: str,
    from_address: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """The message for template `name` rendered in `language`, from `from_address` ("Name <a@b>" or "a@b")."""
    rendered = render(name, context, language)
    from_name, from_addr = parseaddr(from_address)
    return compose(
        from_name=from_name,
        from_address=from_addr or from_address,
        to_name="",
        to_address=to,
        subject=rendered.subject,
        body=rendered.text,
        html=rendered.html,
        message_id=new_message_id(name, from_addr or from_address),
        headers=headers,
    )
