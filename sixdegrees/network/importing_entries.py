"""An Entry from a contacts file turned into what matching needs: its fingerprint and exact keys.

Pure: no database. `prepare()` decides, once per record, which emails and phones are usable,
which LinkedIn handle and organisation key the record carries, and the fingerprint that makes
importing the same file twice a no-op.

Phones, with the owner's country unknown (nothing in the account says it):
- a number written internationally ("+44 20 7946 0958", "tel:+1-650-555-0100") that is valid
  gets its E.164 key (`keys.phone_key`) and matches the same number however it is written;
- anything else with at least MIN_PHONE_DIGITS digits ("020 7946 0958", or a "+" number
  phonenumbers calls unallocated) is kept as written with a "raw:" key of its digits, so it
  matches only the same digits from the owner's own files ("020-7946-0958" and "020 7946 0958"),
  never an international form: without the owner's country we cannot tell which country a
  national number belongs to, and a wrong guess would merge two people;
- shorter strings (an extension, "n/a") are dropped.
Emails that are not addresses are dropped (nothing could be sent to them).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from sixdegrees.network.formats import Entry
from sixdegrees.network.keys import email_key, linkedin_handle, phone_key, validated_email
from sixdegrees.network.organisations import domain_organisation_key, organisation_key

MIN_PHONE_DIGITS = 5
NOTHING_USABLE = gettext_noop("no name, and no email address or phone number that can be used")

_NON_DIGITS = re.compile(r"\D")

# Column widths of network_people and friends: PostgreSQL refuses longer values, SQLite would keep them.
NAME_MAX, PART_MAX, ORG_MAX, URL_MAX, HANDLE_MAX = 200, 100, 200, 500, 100
ADDRESS_MAX, NUMBER_MAX = 254, 64


@dataclass(frozen=True)
class Prepared:
    entry: Entry
    fingerprint: str
    emails: tuple[tuple[str, str], ...]  # (address as written, email_key), one per key, file order
    phones: tuple[tuple[str, str], ...]  # (number as written, E.164 or "raw:" key)
    handle: str  # LinkedIn handle, "" when none
    organisation_key: str  # from the organisation's name, else a work email's domain; "" when neither

    @property
    def usable(self) -> bool:
        return bool(self.entry.full_name or self.emails or self.phones)


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def fingerprint(entry: Entry) -> str:
    """sha256 of what the record says, without its line: the same row moved in a new export still matches.

    Whitespace and Unicode composition are normalised, so re-saving a file in another editor does
    not make every row look new. Two rows saying exactly the same are one mention of one person.
    """
    content = {
        "source": entry.source,
        "name": _text(entry.full_name),
        "given": _text(entry.given_name),
        "family": _text(entry.family_name),
        "emails": [email_key(address) or _text(address).lower() for address in entry.emails],
        "phones": [_text(number) for number in entry.phones],
        "url": entry.profile_url.strip(),
        "organisation": _text(entry.organisation),
        "title": _text(entry.title),
        "connected_on": entry.connected_on.isoformat() if entry.connected_on else None,
        "notes": _text(entry.notes),
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def usable_phone(raw: str) -> tuple[str, str] | None:
    """(number as written, its key), or None when it is too short to be a phone number."""
    number = raw.strip()[:NUMBER_MAX]
    key = phone_key(number)
    if key:
        return number, key
    digits = _NON_DIGITS.sub("", number)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    plus = "+" if number.lstrip().removeprefix("tel:").startswith("+") else ""
    return number, f"raw:{plus}{digits}"[:NUMBER_MAX]


def usable_email(raw: str) -> tuple[str, str] | None:
    valid = validated_email(raw)
    key = email_key(raw)
    if valid is None or key is None:
        return None
    return valid.normalized[:ADDRESS_MAX], key[:ADDRESS_MAX]


def prepare(entry: Entry) -> Prepared:
    emails: dict[str, str] = {}
    for raw in entry.emails:
        found = usable_email(raw)
        if found and found[1] not in emails:
            emails[found[1]] = found[0]
    phones: dict[str, str] = {}
    for raw in entry.phones:
        found_phone = usable_phone(raw)
        if found_phone and found_phone[1] not in phones:
            phones[found_phone[1]] = found_phone[0]
    org_key = organisation_key(entry.organisation)[:ORG_MAX]
    if not org_key:
        org_key = next(filter(None, (domain_organisation_key(address) for address in emails.values())), "")
    return Prepared(
        entry=entry,
        fingerprint=fingerprint(entry),
        emails=tuple((address, key) for key, address in emails.items()),
        phones=tuple((number, key) for key, number in phones.items()),
        handle=(linkedin_handle(entry.profile_url) or "")[:HANDLE_MAX],
        organisation_key=org_key[:ORG_MAX],
    )
