"""What a contacts file yields, format by format: one Entry per person, one Skipped per unusable record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

# Marks a message for the translation catalogue without translating it: the parsers run in the
# worker and the CLI, with no person's language at hand, so they keep the English template and its
# values, and a page translates them when it shows them (network/import_messages.py).


def gettext_noop(message: str) -> str:
    """Mark `message` for the catalogue (makemessages looks for this name) and return it as it is.

    Django's own needs its settings, and the CLI imports the parsers before Django is set up
    (`sixdegrees contacts import --format` lists them).
    """
    return message


@dataclass(frozen=True)
class Entry:
    """One person as the file describes them, before any matching or merging."""

    line: int  # 1-based line where the record starts, so a report can point at it
    source: str  # "linkedin" | "google" | "outlook" | "vcard"
    full_name: str
    given_name: str
    family_name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    profile_url: str
    organisation: str
    title: str
    connected_on: datetime.date | None
    notes: str = ""


@dataclass(frozen=True)
class Skipped:
    """A record that held something but nothing to reach or name a person by."""

    line: int
    reason: str


class FormatError(ValueError):
    """The file as a whole cannot be read; the message names the line and what is wrong.

    `template` is an English msgid with %(name)s placeholders and `params` their values, so the
    words can be shown in the reader's language later; `detail` and str() are the English.
    """

    def __init__(self, template: str, line: int | None = None, **params: Any) -> None:
        self.line = line
        self.template = template
        self.params = params
        message = template % params if params else template
        self.detail = message  # without the "line N: " prefix, for a page that shows the line apart
        super().__init__(f"line {line}: {message}" if line is not None else message)


NOTHING_TO_KEEP = gettext_noop("no name, email or phone")


def unique(values: list[str]) -> tuple[str, ...]:
    """Trimmed, non-empty values in file order; a repeat differing only in case is the same value."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        value = value.strip()
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def join_name(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part.strip())


def is_linkedin_profile(url: str) -> bool:
    # Only a LinkedIn member URL is a matching key; a personal home page is not.
    return "linkedin.com/in/" in url.casefold()


def make_entry(
    line: int,
    source: str,
    *,
    full_name: str = "",
    given_name: str = "",
    family_name: str = "",
    emails: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
    profile_url: str = "",
    organisation: str = "",
    title: str = "",
    connected_on: datetime.date | None = None,
    notes: str = "",
) -> Entry | Skipped:
    """An Entry, or a Skipped when the record has no name, email or phone to keep."""
    full_name = full_name.strip()
    if not (full_name or emails or phones):
        return Skipped(line=line, reason=NOTHING_TO_KEEP)
    return Entry(
        line=line,
        source=source,
        full_name=full_name,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        emails=emails,
        phones=phones,
        profile_url=profile_url.strip(),
        organisation=organisation.strip(),
        title=title.strip(),
        connected_on=connected_on,
        notes=notes.replace("\r\n", "\n").strip(),
    )
