"""Applying prepared records to one owner's network, a chunk at a time: match, merge, add, flag.

The rules (issue 12 part 2):
- A record already seen (same kind of source, same fingerprint) is "unchanged": nothing is written
  but its source's `last_seen_at`.
- Otherwise it is matched on exact keys only, in this order: email keys, the LinkedIn handle,
  phone keys (see importing_entries for which phones have keys). No match: a new person ("added").
  One match: merged into that person ("merged").
- Keys pointing at two or more different people: merged into the first (in the order above) and a
  DuplicateCandidate (score 1.0) is opened between it and each other one ("review"); the keys
  the others hold stay theirs. Nothing merges two existing people without the owner's yes.
- A new person with the same organisation key as someone already there and a name
  `names.likely_same_person` scores at or above REVIEW_THRESHOLD is created all the same, with a
  DuplicateCandidate for the pair ("review"); never merged.
- Merging fills empty fields (name, given and family name, profile URL and handle, organisation,
  title), appends notes it has not seen, and adds new emails and phones after the ones there.
  It never overwrites what another source said, with one exception: organisation and title from a
  LinkedIn row replace an address book's, unless the owner typed the person in (a "manual"
  source). A LinkedIn export is the member's own, current profile; an address-book entry was
  typed once and goes stale when people change jobs. Among LinkedIn rows the newest import wins.
- Strength is stored from `people.effective_strength` (the one rule) for every touched person.

Everything a chunk needs from the database is read in a few queries up front and written back
in a few bulk statements, inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.network import people
from sixdegrees.network.importing_entries import (
    NAME_MAX,
    ORG_MAX,
    PART_MAX,
    URL_MAX,
    Prepared,
)
from sixdegrees.network.models import (
    ContactImport,
    DuplicateCandidate,
    Person,
    PersonEmail,
    PersonPhone,
    PersonSource,
    SourceKind,
)
from sixdegrees.network.names import Colleagues

ADDED, MERGED, UNCHANGED, REVIEW = "added", "merged", "unchanged", "review"
KEY_CONFLICT_SCORE = 1.0  # the pair shares an exact key: as sure as it gets, still the owner's call
UPDATED_FIELDS = [
    "name",
    "given_name",
    "family_name",
    "organisation",
    "organisation_key",
    "title",
    "profile_url",
    "linkedin_handle",
    "notes",
    "strength",
    "updated_at",
]


@dataclass
class Known:
    """A person this run has read or created, with what merging into them needs."""

    person: Person
    is_new: bool
    kinds: set[str]
    next_position: int
    changed: bool = False


@dataclass
class Pending:
    """What a chunk writes at the end, in bulk."""

    people: list[Person] = field(default_factory=list)
    emails: list[PersonEmail] = field(default_factory=list)
    phones: list[PersonPhone] = field(default_factory=list)
    sources: list[PersonSource] = field(default_factory=list)
    duplicates: list[DuplicateCandidate] = field(default_factory=list)
    seen_again: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # kind -> fingerprints
    touched: dict[str, Known] = field(default_factory=dict)  # person id -> state, for the strength


class Applier:
    """One owner's network as far as this run has seen it; `apply()` one chunk per transaction.

    The caches only ever hold this owner's rows. After a failed chunk (its transaction rolled
    back) call `forget()`: the caches may name rows that were never written.
    """

    def __init__(self, owner: User, contact_import: ContactImport | None) -> None:
        self.owner = owner
        self.contact_import = contact_import
        self.forget()

    def forget(self) -> None:
        self.known: dict[str, Known] = {}
        self.by_email: dict[str, str] = {}  # email key -> person id
        self.by_phone: dict[str, str] = {}
        self.by_handle: dict[str, str] = {}
        self.fingerprints: set[tuple[str, str]] = set()  # (kind, fingerprint) already stored
        self.looked_up: set[tuple[str, str]] = set()  # ("email"|"phone"|"handle"|"fp:<kind>", value)
        self.by_organisation: dict[str, Colleagues] = {}  # organisation key -> the people there
        self.pairs: set[frozenset[str]] = set()  # duplicate pairs known to exist

    # --- reading what a chunk needs -------------------------------------------------------------

    def _unseen(self, kind: str, values: Iterable[str]) -> list[str]:
        fresh = sorted({value for value in values if value and (kind, value) not in self.looked_up})
        self.looked_up.update((kind, value) for value in fresh)
        return fresh

    def _load(self, chunk: list[Prepared]) -> None:
        owner = self.owner
        for kind in {item.entry.source for item in chunk}:
            fresh = self._unseen(f"fp:{kind}", (item.fingerprint for item in chunk if item.entry.source == kind))
            if fresh:
                stored = PersonSource.objects.filter(owner=owner, kind=kind, fingerprint__in=fresh)
                self.fingerprints.update((kind, fp) for fp in stored.values_list("fingerprint", flat=True))
        emails = self._unseen("email", (key for item in chunk for _, key in item.emails))
        if emails:
            rows = PersonEmail.objects.filter(owner=owner, key__in=emails).values_list("key", "person_id")
            self.by_email.update(rows)
        phones = self._unseen("phone", (key for item in chunk for _, key in item.phones))
        if phones:
            self.by_phone.update(
                PersonPhone.objects.filter(owner=owner, key__in=phones).values_list("key", "person_id")
            )
        handles = self._unseen("handle", (item.handle for item in chunk))
        if handles:
            handle_rows = Person.objects.filter(owner=owner, linkedin_handle__in=handles).values_list(
                "linkedin_handle", "id"
            )
            self.by_handle.update(handle_rows)
        wanted = {self.by_email.get(key) for item in chunk for _, key in item.emails}
        wanted |= {self.by_phone.get(key) for item in chunk for _, key in item.phones}
        wanted |= {self.by_handle.get(item.handle) for item in chunk if item.handle}
        self._load_people({person_id for person_id in wanted if person_id and person_id not in self.known})
        organisations = self._unseen("org", (item.organisation_key for item in chunk))
        for org in organisations:
            self.by_organisation.setdefault(org, Colleagues())
        if organisations:
            org_rows = Person.objects.filter(owner=owner, organisation_key__in=organisations).values_list(
                "organisation_key", "id", "name"
            )
            for org, person_id, name in org_rows:
                self.by_organisation[org].add(person_id, name)

    def _load_people(self, ids: set[str]) -> None:
        if not ids:
            return
        kinds: dict[str, set[str]] = defaultdict(set)
        for person_id, kind in PersonSource.objects.filter(owner=self.owner, person_id__in=ids).values_list(
            "person_id", "kind"
        ):
            kinds[person_id].add(kind)
        positions = dict(
            PersonEmail.objects.filter(owner=self.owner, person_id__in=ids)
            .values("person_id")
            .annotate(last=Max("position"))
            .values_list("person_id", "last")
        )
        for person in Person.objects.filter(owner=self.owner, pk__in=ids):
            last = positions.get(person.pk)
            self.known[person.pk] = Known(person, False, kinds[person.pk], 0 if last is None else last + 1)

    # --- applying -------------------------------------------------------------------------------

    def apply(self, chunk: list[Prepared]) -> list[str]:
        """The outcome of each record ("added", "merged", "unchanged", "review"), in order.

        Records must be usable (`Prepared.usable`); the caller counts the others as skipped.
        """
        self._load(chunk)
        pending = Pending()
        outcomes = [self._apply_one(item, pending) for item in chunk]
        self._write(pending)
        return outcomes

    def _apply_one(self, item: Prepared, pending: Pending) -> str:
        kind = item.entry.source
        if (kind, item.fingerprint) in self.fingerprints:
            pending.seen_again[kind].append(item.fingerprint)
            return UNCHANGED
        self.fingerprints.add((kind, item.fingerprint))
        matches: list[str] = []
        for person_id in (
            *(self.by_email.get(key) for _, key in item.emails),
            self.by_handle.get(item.handle) if item.handle else None,
            *(self.by_phone.get(key) for _, key in item.phones),
        ):
            if person_id and person_id not in matches:
                matches.append(person_id)
        if matches:
            known = self.known[matches[0]]
            opened = sum(self._open_pair(known.person.pk, other, KEY_CONFLICT_SCORE, pending) for other in matches[1:])
            self._merge(known, item)
            outcome = REVIEW if opened else MERGED
        else:
            known = self._create(item, pending)
            outcome = REVIEW if self._flag_lookalikes(known.person, pending) else ADDED
        self._add_keys(known, item, pending)
        pending.sources.append(
            PersonSource(
                person=known.person,
                owner=self.owner,
                kind=kind,
                fingerprint=item.fingerprint,
                contact_import=self.contact_import,
                connected_on=item.entry.connected_on,
            )
        )
        known.kinds.add(kind)
        pending.touched[known.person.pk] = known
        return outcome

    def _create(self, item: Prepared, pending: Pending) -> Known:
        entry = item.entry
        person = Person(
            owner=self.owner,
            name=entry.full_name[:NAME_MAX],
            given_name=entry.given_name[:PART_MAX],
            family_name=entry.family_name[:PART_MAX],
            organisation=entry.organisation[:ORG_MAX],
            organisation_key=item.organisation_key,
            title=entry.title[:ORG_MAX],
            profile_url=entry.profile_url[:URL_MAX],
            notes=entry.notes,
        )
        if item.handle and item.handle not in self.by_handle:
            person.linkedin_handle = item.handle
            self.by_handle[item.handle] = person.pk
        known = Known(person, True, set(), 0)
        self.known[person.pk] = known
        pending.people.append(person)
        return known

    def _merge(self, known: Known, item: Prepared) -> None:
        person, entry = known.person, item.entry
        before = [getattr(person, name) for name in UPDATED_FIELDS[:9]]
        for name, value, limit in (
            ("name", entry.full_name, NAME_MAX),
            ("given_name", entry.given_name, PART_MAX),
            ("family_name", entry.family_name, PART_MAX),
            ("profile_url", entry.profile_url, URL_MAX),
        ):
            if value and not getattr(person, name):
                setattr(person, name, value[:limit])
        if item.handle and not person.linkedin_handle and item.handle not in self.by_handle:
            person.linkedin_handle = item.handle
            self.by_handle[item.handle] = person.pk
        linkedin_wins = entry.source == SourceKind.LINKEDIN and SourceKind.MANUAL not in known.kinds
        if entry.organisation and (linkedin_wins or not person.organisation):
            self._move_organisation(person, item.organisation_key)
            person.organisation = entry.organisation[:ORG_MAX]
        elif item.organisation_key and not person.organisation_key:
            self._move_organisation(person, item.organisation_key)  # a work email's domain
        if entry.title and (linkedin_wins or not person.title):
            person.title = entry.title[:ORG_MAX]
        if entry.notes and entry.notes not in person.notes:
            person.notes = f"{person.notes}\n\n{entry.notes}" if person.notes else entry.notes
        if before != [getattr(person, name) for name in UPDATED_FIELDS[:9]]:
            known.changed = True

    def _move_organisation(self, person: Person, org_key: str) -> None:
        if person.organisation_key == org_key:
            return
        if person.organisation_key in self.by_organisation:
            self.by_organisation[person.organisation_key].remove(person.pk)
        person.organisation_key = org_key
        if org_key in self.by_organisation:
            self.by_organisation[org_key].add(person.pk, person.name)

    def _add_keys(self, known: Known, item: Prepared, pending: Pending) -> None:
        for address, key in item.emails:
            if key in self.by_email:
                continue  # already this person's, or another person's (then the pair is under review)
            self.by_email[key] = known.person.pk
            pending.emails.append(
                PersonEmail(
                    person=known.person, owner=self.owner, address=address, key=key, position=known.next_position
                )
            )
            known.next_position += 1
        for number, key in item.phones:
            if key not in self.by_phone:
                self.by_phone[key] = known.person.pk
                pending.phones.append(PersonPhone(person=known.person, owner=self.owner, number=number, key=key))

    def _flag_lookalikes(self, person: Person, pending: Pending) -> bool:
        org = person.organisation_key
        if not org:
            return False
        colleagues = self.by_organisation.setdefault(org, Colleagues())
        opened = False
        for other_id, score in colleagues.lookalikes(person.name, org):
            opened = self._open_pair(other_id, person.pk, score, pending) or opened
        colleagues.add(person.pk, person.name)
        return opened

    def _open_pair(self, first: str, second: str, score: float, pending: Pending) -> bool:
        """Queue (first, second) for review unless the pair is already there, either way round."""
        pair = frozenset((first, second))
        if pair in self.pairs:
            return False
        self.pairs.add(pair)
        if not (self.known.get(first, None) and self.known[first].is_new) and not (
            self.known.get(second, None) and self.known[second].is_new
        ):
            # Both existed before this run: the owner may have decided about them already.
            existing = DuplicateCandidate.objects.filter(owner=self.owner, person_id__in=pair, other_id__in=pair)
            if existing.exists():
                return False
        pending.duplicates.append(
            DuplicateCandidate(owner=self.owner, person_id=first, other_id=second, score=round(score, 3))
        )
        return True

    # --- writing --------------------------------------------------------------------------------

    def _write(self, pending: Pending) -> None:
        now = timezone.now()
        changed: list[Person] = []
        for known in pending.touched.values():
            strength = min(1.0, max(0.0, people.effective_strength(known.person, known.kinds)))
            if strength != known.person.strength:
                known.person.strength = strength
                known.changed = True
            if known.changed and not known.is_new:
                known.person.updated_at = now
                changed.append(known.person)
        Person.objects.bulk_create(pending.people)
        if changed:
            Person.objects.bulk_update(changed, UPDATED_FIELDS)
        for known in pending.touched.values():
            known.is_new = known.changed = False
        PersonEmail.objects.bulk_create(pending.emails)
        PersonPhone.objects.bulk_create(pending.phones)
        PersonSource.objects.bulk_create(pending.sources)
        DuplicateCandidate.objects.bulk_create(pending.duplicates)
        for kind, fingerprints in pending.seen_again.items():
            PersonSource.objects.filter(owner=self.owner, kind=kind, fingerprint__in=fingerprints).update(
                last_seen_at=now
            )
