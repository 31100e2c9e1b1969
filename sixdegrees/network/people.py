"""Reading and changing one owner's people: the rules every caller shares.

Every function takes the owner and filters on it: there is no way here to reach someone else's
network. Strength follows one rule (`effective_strength`): the owner's correction always wins,
then what the mailbox measured, then the stated prior for the kinds of source alone.
"""

from __future__ import annotations

from django.db.models import QuerySet

from sixdegrees.accounts.models import User
from sixdegrees.network.models import Person, PersonSource, SourceKind
from sixdegrees.network.strength import ADDRESS_BOOK_PRIOR, LINKEDIN_PRIOR

ADDRESS_BOOKS = frozenset({SourceKind.GOOGLE, SourceKind.OUTLOOK, SourceKind.VCARD, SourceKind.MANUAL})


def people_of(owner: User) -> QuerySet[Person]:
    return Person.objects.filter(owner=owner)


def person_of(owner: User, person_id: str) -> Person | None:
    """The owner's person with this id; None for anyone else's (callers answer 404, never 403)."""
    return Person.objects.filter(owner=owner, pk=person_id).first()


def prior_for(kinds: set[str]) -> float:
    """What the sources alone say: being in an address book says more than a LinkedIn connection."""
    if kinds & ADDRESS_BOOKS:
        return ADDRESS_BOOK_PRIOR
    if SourceKind.LINKEDIN in kinds:
        return LINKEDIN_PRIOR
    return 0.0


def effective_strength(person: Person, kinds: set[str] | None = None) -> float:
    if person.strength_override is not None:
        return person.strength_override
    if person.measured_strength is not None and person.measured_strength > 0:
        return person.measured_strength
    if kinds is None:
        kinds = set(PersonSource.objects.filter(person=person).values_list("kind", flat=True))
    return prior_for(kinds)


def refresh_strength(person: Person, kinds: set[str] | None = None) -> float:
    """Store `strength` from the rule above (after a correction, a scan or a new source)."""
    strength = min(1.0, max(0.0, effective_strength(person, kinds)))
    if strength != person.strength:
        person.strength = strength
        person.save(update_fields=["strength", "updated_at"])
    return strength
