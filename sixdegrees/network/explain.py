"""What a person reads about their network, in their language: import errors, skipped lines, evidence.

The parsers, the importer and the mailbox scan run in the worker and the CLI with no reader's
language at hand, so they store English msgids (marked with gettext_noop) and their values. These
functions translate them when a page or the API shows them, in the active language.

The evidence for a strength is worded from the figures behind it (emails each way, the last one),
not from the English sentence the scan stored, so it reads naturally in Chinese too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sixdegrees.network.models import Person, SourceKind

SOURCE_LABELS: dict[str, Any] = {
    SourceKind.LINKEDIN: gettext_lazy("LinkedIn"),
    SourceKind.GOOGLE: gettext_lazy("Google Contacts"),
    SourceKind.OUTLOOK: gettext_lazy("Outlook"),
    SourceKind.VCARD: gettext_lazy("vCard"),
    SourceKind.MAILBOX: gettext_lazy("Mailbox"),
    SourceKind.MANUAL: gettext_lazy("Typed in"),
}
ADDRESS_BOOK_KINDS = frozenset({SourceKind.GOOGLE, SourceKind.OUTLOOK, SourceKind.VCARD, SourceKind.MANUAL})


def message(template: str, params: dict[str, Any] | None = None, line: int | None = None) -> str:
    """A stored English template with its values, in the active language, "Line 12: …" when it has a line."""
    text = _(template)
    if params:
        try:
            text = text % params
        except (KeyError, TypeError, ValueError):
            text = template % params  # a translation that lost a placeholder: the English is still right
    if line is not None:
        return _("Line %(line)s: %(reason)s") % {"line": line, "reason": text}
    return text


def reason(text: str) -> str:
    """A skipped line's reason (a constant msgid such as records.NOTHING_TO_KEEP), translated."""
    return _(text)


def source_label(kind: str) -> str:
    return str(SOURCE_LABELS.get(kind, kind))


def day(when: dt.datetime | dt.date) -> str:
    """A date as the reader writes it: "3 Nov 2026", "2026年11月3日"."""
    if isinstance(when, dt.datetime):
        when = when.astimezone(dt.UTC)
    # Translators: a date format (Django's `date` filter letters); j day, M short month, n month, Y year.
    return dateformat.format(when, _("j M Y"))


def since(kind: str, connected_on: dt.date | None, first_seen_at: dt.datetime | None) -> str:
    """When a source first knew the person: "connected 16 Jul 2026" for LinkedIn, "since …" for mail."""
    if connected_on is not None:
        return _("connected %(date)s") % {"date": day(connected_on)}
    if kind == SourceKind.MAILBOX and first_seen_at is not None:
        return _("first email %(date)s") % {"date": day(first_seen_at)}
    return ""


def evidence(person: Person, kinds: Iterable[str]) -> str:
    """Why the person has the strength they have, in one sentence."""
    kinds = set(kinds)
    sent, received = person.emails_sent, person.emails_received
    total = sent + received
    last = person.last_emailed_at
    if person.measured_strength is not None and total and last is not None:
        if sent and received:
            words = ngettext(
                "%(count)s email, both ways, last on %(date)s",
                "%(count)s emails, both ways, last on %(date)s",
                total,
            )
        elif sent:
            words = ngettext(
                "%(count)s email you sent, never answered, last on %(date)s",
                "%(count)s emails you sent, never answered, last on %(date)s",
                total,
            )
        else:
            words = ngettext(
                "%(count)s email received, never answered, last on %(date)s",
                "%(count)s emails received, never answered, last on %(date)s",
                total,
            )
        text = words % {"count": total, "date": day(last)}
    elif person.measured_strength is not None and SourceKind.MAILBOX in kinds:
        text = _("Only bulk mail (mailing lists, automated or mass mail), which does not count.")
    elif kinds & ADDRESS_BOOK_KINDS:
        text = _("In your address book; no emails measured yet.")
    elif SourceKind.LINKEDIN in kinds:
        text = _("A LinkedIn connection; no emails measured yet.")
    else:
        text = _("No emails measured yet.")
    if person.strength_override is not None:
        text = _("You set this strength. %(evidence)s") % {"evidence": text}
    return text
