"""Writing the demo networks (network/demo.py) to the database, and removing them again.

Each contact's addresses, phones and organisation key are worked out by the import's own
`importing_entries.prepare`, so a demo person is stored exactly as the same person imported from
an export would be, and a later import of that person merges into them instead of adding a twin.

Installing twice adds nothing the second time: a contact whose source fingerprint is already
there is left as it is (with any correction the person made to it). `remove_demo` deletes only the
demo accounts, and with them, by cascade, only their own rows: a real person's network, which
never has a demo account as its owner, is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from sixdegrees.accounts.models import User
from sixdegrees.network.demo import DEMO_DOMAIN, FINGERPRINT_PREFIX, DemoContact, DemoNetwork, build_demo
from sixdegrees.network.formats import Entry
from sixdegrees.network.importing_entries import Prepared, prepare
from sixdegrees.network.models import DuplicateCandidate, Person, PersonEmail, PersonPhone, PersonSource
from sixdegrees.network.names import likely_same_person
from sixdegrees.network.people import effective_strength
from sixdegrees.network.strength import strength


class DemoConflict(Exception):
    """The demo data already here was made with other options."""


@dataclass
class OwnerReport:
    email: str
    name: str
    contacts: int = 0
    added: int = 0
    unchanged: int = 0
    duplicates: int = 0  # open for review
    shared: int = 0  # also in another demo person's network


@dataclass
class DemoReport:
    seed: int
    owners: list[OwnerReport] = field(default_factory=list)


def demo_accounts() -> list[User]:
    return list(User.objects.filter(email__iendswith="@" + DEMO_DOMAIN).order_by("email"))


@transaction.atomic
def install_demo(seed: int, people: int, contacts: int, now: dt.datetime) -> DemoReport:
    """Create the demo accounts and their networks; what is already there is left as it is.

    Raises DemoConflict when a demo network here was made with other options (a different seed or
    size), rather than mixing two data sets; `remove_demo` first.
    """
    report = DemoReport(seed)
    networks = build_demo(seed, people, contacts, now)
    for network in networks:
        owner = _install_network(network, now)
        elsewhere = {contact.key for other in networks if other is not network for contact in other.contacts}
        owner.shared = sum(1 for contact in network.contacts if contact.key in elsewhere)
        report.owners.append(owner)
    return report


def _install_network(network: DemoNetwork, now: dt.datetime) -> OwnerReport:
    owner = User.objects.filter(email=network.email).first()
    if owner is None:
        owner = User.objects.create_user(network.email, name=network.name, language=network.language)
    report = OwnerReport(network.email, network.name, contacts=len(network.contacts))
    present = set(
        PersonSource.objects.filter(owner=owner, fingerprint__startswith=FINGERPRINT_PREFIX).values_list(
            "fingerprint", flat=True
        )
    )
    planned = {source.fingerprint for contact in network.contacts for source in contact.sources}
    if present - planned:
        raise DemoConflict(
            f"the demo network of {network.email} was made with other options (--seed, --people or --contacts); "
            "run `sixdegrees demo --reset` first, then `sixdegrees demo` again"
        )
    taken_emails = set(PersonEmail.objects.filter(owner=owner).values_list("key", flat=True))
    taken_phones = set(PersonPhone.objects.filter(owner=owner).values_list("key", flat=True))
    people: list[Person] = []
    emails: list[PersonEmail] = []
    phones: list[PersonPhone] = []
    sources: list[PersonSource] = []
    made: dict[int, Person] = {}
    for index, contact in enumerate(network.contacts):
        if any(source.fingerprint in present for source in contact.sources):
            report.unchanged += 1
            continue
        item = _prepared(contact)
        person = _person(owner, contact, item, now)
        made[index] = person
        people.append(person)
        for position, (address, key) in enumerate(item.emails):
            if key not in taken_emails:
                taken_emails.add(key)
                emails.append(PersonEmail(person=person, owner=owner, address=address, key=key, position=position))
        for number, key in item.phones:
            if key not in taken_phones:
                taken_phones.add(key)
                phones.append(PersonPhone(person=person, owner=owner, number=number, key=key))
        for source in contact.sources:
            sources.append(
                PersonSource(
                    person=person,
                    owner=owner,
                    kind=source.kind,
                    fingerprint=source.fingerprint,
                    connected_on=source.connected_on,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
    Person.objects.bulk_create(people, batch_size=500)
    PersonEmail.objects.bulk_create(emails, batch_size=500)
    PersonPhone.objects.bulk_create(phones, batch_size=500)
    PersonSource.objects.bulk_create(sources, batch_size=500)
    duplicates = []
    for index, person in made.items():
        original = network.contacts[index].duplicate_of
        if original is not None and original in made:
            other = made[original]
            score = likely_same_person((other.name, other.organisation_key), (person.name, person.organisation_key))
            duplicates.append(DuplicateCandidate(owner=owner, person=other, other=person, score=score or 0.0))
    DuplicateCandidate.objects.bulk_create(duplicates)
    report.added = len(people)
    report.duplicates = DuplicateCandidate.objects.filter(owner=owner, status=DuplicateCandidate.Status.OPEN).count()
    return report


def _prepared(contact: DemoContact) -> Prepared:
    """The contact as an export row, through the import's rules; every address and phone must survive."""
    item = prepare(
        Entry(
            line=0,
            source=contact.sources[0].kind,
            full_name=contact.name,
            given_name=contact.given_name,
            family_name=contact.family_name,
            emails=contact.emails,
            phones=contact.phones,
            profile_url=contact.profile_url,
            organisation=contact.organisation,
            title=contact.title,
            connected_on=None,
        )
    )
    if len(item.emails) != len(contact.emails) or len(item.phones) != len(contact.phones):
        # The data set is ours: an address the import would drop is a bug in demo.py, not data to skip.
        raise ValueError(f"demo contact {contact.key}: an address or phone the import would not keep")
    return item


def _person(owner: User, contact: DemoContact, item: Prepared, now: dt.datetime) -> Person:
    person = Person(
        owner=owner,
        name=contact.name,
        given_name=contact.given_name,
        family_name=contact.family_name,
        organisation=contact.organisation,
        organisation_key=item.organisation_key,
        title=contact.title,
        profile_url=contact.profile_url,
        strength_override=contact.strength_override,
        hidden=contact.hidden,
        created_at=now,
    )
    if contact.observations:
        tie = strength(contact.observations, now)
        person.measured_strength = tie.score
        person.strength_evidence = tie.evidence
        person.emails_sent, person.emails_received = tie.sent, tie.received
        person.last_emailed_at = tie.last_at
    person.strength = min(1.0, max(0.0, effective_strength(person, {source.kind for source in contact.sources})))
    return person


@dataclass
class Removed:
    accounts: int
    people: int


@transaction.atomic
def remove_demo() -> Removed:
    """Delete the demo accounts and, by cascade, only what belongs to them (networks, campaigns)."""
    owners = demo_accounts()
    people = Person.objects.filter(owner__in=owners).count()
    for owner in owners:
        owner.delete()
    return Removed(len(owners), people)
