"""The owner changing their network by hand: add someone, correct a strength, hide, edit, remove.

One home for these changes, for the API and the page alike. Every function takes the owner's own
Person (looked up with people.person_of, which answers None for anyone else's).

- Adding goes through the importer's rules (importing.apply_entry with a "typed in" entry): it
  merges on the same exact keys, and the owner's network alone is looked at, so an address in
  someone else's network is, here, an address never seen.
- A correction always wins (people.effective_strength); clearing it falls back to what the
  mailbox measured or the prior.
- An edit of the organisation or title adds a "typed in" source, so a later LinkedIn import does
  not overwrite what the owner wrote (importing_apply's rule for manual sources).
- Removing deletes the person with their emails, phones, sources and review pairs, and the mail
  observations of their addresses: what is removed is removed, not kept behind the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sixdegrees.accounts.models import User
from sixdegrees.network import people
from sixdegrees.network.formats import Entry
from sixdegrees.network.importing import apply_entry
from sixdegrees.network.importing_entries import (
    NAME_MAX,
    ORG_MAX,
    URL_MAX,
    fingerprint,
    usable_email,
    usable_phone,
)
from sixdegrees.network.keys import linkedin_handle
from sixdegrees.network.models import MailObservation, Person, PersonEmail, PersonPhone, PersonSource, SourceKind
from sixdegrees.network.organisations import domain_organisation_key, organisation_key

MAX_EMAILS = 10
MAX_PHONES = 10
NOTES_MAX = 5000
TEXT_FIELDS = {"name": NAME_MAX, "organisation": ORG_MAX, "title": ORG_MAX, "profile_url": URL_MAX}
EDITABLE = (*TEXT_FIELDS, "notes", "emails", "phones", "strength", "hidden")


@dataclass(frozen=True)
class Cleaned:
    values: dict[str, Any]  # only the fields that were sent, cleaned
    errors: dict[str, str]  # field -> message in the active language


def _text_list(value: Any, limit: int, name: str, errors: dict[str, str]) -> list[str] | None:
    if isinstance(value, str):
        value = [value] if value.strip() else []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[name] = _("Send a list of text values.")
        return None
    items = [item.strip() for item in value if item.strip()]
    if len(items) > limit:
        errors[name] = _("At most %(count)s.") % {"count": limit}
        return None
    return items


def clean(data: dict[str, Any], *, partial: bool) -> Cleaned:
    """Check what the owner sent (for adding: name, emails, phones, organisation, title, profile_url, notes).

    `partial` (an edit) also takes `strength` (0–1, or null to clear the correction) and `hidden`.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXT_FIELDS.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if not isinstance(value, str):
            errors[name] = _("Send text.")
            continue
        value = " ".join(value.split())
        if len(value) > limit:
            errors[name] = _("At most %(count)s characters.") % {"count": limit}
            continue
        values[name] = value
    if values.get("profile_url") and not values["profile_url"].lower().startswith(("https://", "http://")):
        errors["profile_url"] = _("Enter a web address starting with https://.")
    if isinstance(data.get("notes"), str):
        if len(data["notes"]) > NOTES_MAX:
            errors["notes"] = _("At most %(count)s characters.") % {"count": NOTES_MAX}
        else:
            values["notes"] = data["notes"].strip()
    elif data.get("notes") is not None:
        errors["notes"] = _("Send text.")
    for name, limit, usable, wrong in (
        ("emails", MAX_EMAILS, usable_email, _("“%(value)s” is not an email address.")),
        ("phones", MAX_PHONES, usable_phone, _("“%(value)s” is not a phone number.")),
    ):
        if name not in data or data[name] is None:
            continue
        items = _text_list(data[name], limit, name, errors)
        if items is None:
            continue
        bad = next((item for item in items if usable(item) is None), None)
        if bad is not None:
            errors[name] = wrong % {"value": bad[:80]}
            continue
        values[name] = items
    if partial and "strength" in data:
        value = data["strength"]
        if value is None:
            values["strength"] = None
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            errors["strength"] = _("Choose a strength from 0 to 1.")
        else:
            values["strength"] = round(float(value), 3)
    if partial and "hidden" in data:
        if isinstance(data["hidden"], bool):
            values["hidden"] = data["hidden"]
        else:
            errors["hidden"] = _("Say true or false.")
    if not partial and not errors and not (values.get("name") or values.get("emails") or values.get("phones")):
        errors["name"] = _("Give at least a name, an email address or a phone number.")
    return Cleaned(values, errors)


def add_typed_in(owner: User, values: dict[str, Any]) -> tuple[str, Person]:
    """Add (or merge) one person the owner typed in: ("added" | "merged" | "unchanged" | "review", them)."""
    name = values.get("name", "")
    entry = Entry(
        line=0,
        source=SourceKind.MANUAL,
        full_name=name,
        given_name="",
        family_name="",
        emails=tuple(values.get("emails", ())),
        phones=tuple(values.get("phones", ())),
        profile_url=values.get("profile_url", ""),
        organisation=values.get("organisation", ""),
        title=values.get("title", ""),
        connected_on=None,
        notes=values.get("notes", ""),
    )
    with transaction.atomic():
        outcome = apply_entry(owner, entry, None)
        source = PersonSource.objects.select_related("person").get(
            owner=owner, kind=SourceKind.MANUAL, fingerprint=fingerprint(entry)
        )
    return outcome, source.person


class KeyTaken(ValueError):
    """An address or number belongs to another person in the same network (merge them instead)."""

    def __init__(self, field: str, value: str, other: Person):
        super().__init__(value)
        self.field = field
        self.value = value
        self.other = other


def _organisation_key(person: Person) -> str:
    if person.organisation:
        return organisation_key(person.organisation)[:ORG_MAX]
    first = PersonEmail.objects.filter(person=person).order_by("position", "id").first()
    return (domain_organisation_key(first.address) or "") if first else ""


def edit(person: Person, values: dict[str, Any]) -> Person:
    """Apply cleaned `values` (from clean(partial=True)) to the owner's `person`; KeyTaken on a clash."""
    owner = person.owner
    with transaction.atomic():
        changed: list[str] = []
        for name in (*TEXT_FIELDS, "notes"):
            if name in values and getattr(person, name) != values[name]:
                setattr(person, name, values[name])
                changed.append(name)
        if "profile_url" in changed:
            handle = (linkedin_handle(person.profile_url) or "")[:100]
            taken = Person.objects.filter(owner=owner, linkedin_handle=handle).exclude(pk=person.pk).first()
            if handle and taken is not None:
                raise KeyTaken("profile_url", person.profile_url, taken)
            person.linkedin_handle = handle
            changed.append("linkedin_handle")
        if "emails" in values:
            _replace_emails(person, values["emails"])
        if "phones" in values:
            _replace_phones(person, values["phones"])
        if "organisation" in changed or "emails" in values:
            key = _organisation_key(person)
            if key != person.organisation_key:
                person.organisation_key = key
                changed.append("organisation_key")
        if "strength" in values and person.strength_override != values["strength"]:
            person.strength_override = values["strength"]
            changed.append("strength_override")
        if "hidden" in values and person.hidden != values["hidden"]:
            person.hidden = values["hidden"]
            changed.append("hidden")
        if changed:
            person.save(update_fields=[*changed, "updated_at"])
        if {"organisation", "title"} & set(changed):
            # The owner's words now outrank a LinkedIn row's (see the module docstring).
            PersonSource.objects.get_or_create(
                owner=owner,
                kind=SourceKind.MANUAL,
                fingerprint=hashlib.sha256(f"edited:{person.pk}".encode()).hexdigest(),
                defaults={"person": person},
            )
        people.refresh_strength(person)
    return person


def _wanted(values: list[str], usable: Callable[[str], tuple[str, str] | None]) -> dict[str, str]:
    """key → the value as written, for the usable values, the first of each key, in the order given."""
    wanted: dict[str, str] = {}
    for raw in values:
        found = usable(raw)
        if found and found[1] not in wanted:
            wanted[found[1]] = found[0]
    return wanted


def _keep_only(model: type[PersonEmail] | type[PersonPhone], person: Person, wanted: dict[str, str]) -> None:
    """Refuse a key someone else in the network holds (merging is the review queue's job), then
    drop this person's rows whose key is no longer wanted."""
    clash = model.objects.filter(owner=person.owner, key__in=wanted).exclude(person=person).select_related("person")
    taken = clash.first()
    if taken is not None:
        shown = taken.address if isinstance(taken, PersonEmail) else taken.number
        raise KeyTaken("emails" if model is PersonEmail else "phones", shown, taken.person)
    model.objects.filter(person=person).exclude(key__in=wanted).delete()


def _replace_emails(person: Person, addresses: list[str]) -> None:
    wanted = _wanted(addresses, usable_email)
    _keep_only(PersonEmail, person, wanted)
    existing = {row.key: row for row in PersonEmail.objects.filter(person=person)}
    for position, (key, address) in enumerate(wanted.items()):
        row = existing.get(key) or PersonEmail(person=person, owner=person.owner, key=key)
        if row.pk is None or row.position != position or row.address != address:
            row.address, row.position = address, position
            row.save()


def _replace_phones(person: Person, numbers: list[str]) -> None:
    wanted = _wanted(numbers, usable_phone)
    _keep_only(PersonPhone, person, wanted)
    have = set(PersonPhone.objects.filter(person=person).values_list("key", flat=True))
    PersonPhone.objects.bulk_create(
        PersonPhone(person=person, owner=person.owner, number=number, key=key)
        for key, number in wanted.items()
        if key not in have
    )


def remove(person: Person) -> None:
    with transaction.atomic():
        keys = list(PersonEmail.objects.filter(person=person).values_list("key", flat=True))
        MailObservation.objects.filter(owner=person.owner, address__in=keys).delete()
        person.delete()
