"""The review queue: two people who may be one. The owner merges them or keeps them apart.

Nothing here merges by itself (network/models.py): `merge` runs only on the owner's yes. The pair's
first person stays; the second's emails, phones and sources move to it, empty fields are filled
from it, and the mailbox figures of whichever was measured stronger are kept (the scan measures
per address, so the stronger address's figures are the evidence). A correction the owner made to
either stays (the first's if both), and a person hidden on either side stays hidden.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.network import people
from sixdegrees.network.models import DuplicateCandidate, Person, PersonEmail, PersonPhone, PersonSource

FILLED = ("name", "given_name", "family_name", "organisation", "organisation_key", "title", "profile_url")
FIGURES = ("measured_strength", "strength_evidence", "emails_sent", "emails_received", "last_emailed_at")


def open_pairs(owner: User) -> QuerySet[DuplicateCandidate]:
    return (
        DuplicateCandidate.objects.filter(owner=owner, status=DuplicateCandidate.Status.OPEN)
        .select_related("person", "other")
        .order_by("-score", "id")
    )


def pair_of(owner: User, pair_id: int) -> DuplicateCandidate | None:
    """The owner's open pair with this id; None for anyone else's (callers answer 404)."""
    return open_pairs(owner).filter(pk=pair_id).first()


def keep_separate(pair: DuplicateCandidate) -> None:
    DuplicateCandidate.objects.filter(pk=pair.pk, status=DuplicateCandidate.Status.OPEN).update(
        status=DuplicateCandidate.Status.SEPARATE, decided_at=timezone.now()
    )


def merge(pair: DuplicateCandidate) -> Person:
    """Merge the pair's second person into its first (see the module docstring); the first, updated."""
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=pair.person_id, owner_id=pair.owner_id)
        gone = Person.objects.select_for_update().get(pk=pair.other_id, owner_id=pair.owner_id)
        for name in FILLED:
            if not getattr(keep, name) and getattr(gone, name):
                setattr(keep, name, getattr(gone, name))
        if gone.notes and gone.notes not in keep.notes:
            keep.notes = f"{keep.notes}\n\n{gone.notes}" if keep.notes else gone.notes
        if (gone.measured_strength or 0) > (keep.measured_strength or 0):
            for name in FIGURES:
                setattr(keep, name, getattr(gone, name))
        if keep.strength_override is None:
            keep.strength_override = gone.strength_override
        keep.hidden = keep.hidden or gone.hidden
        handle = "" if keep.linkedin_handle else gone.linkedin_handle
        last = PersonEmail.objects.filter(person=keep).aggregate(last=Max("position"))["last"]
        for offset, row in enumerate(PersonEmail.objects.filter(person=gone).order_by("position", "id")):
            row.person, row.position = keep, (-1 if last is None else last) + 1 + offset
            row.save(update_fields=["person", "position"])
        PersonPhone.objects.filter(person=gone).update(person=keep)
        PersonSource.objects.filter(person=gone).update(person=keep)
        # Other pairs the second person was in now concern the first; a pair of one person is none.
        involved = DuplicateCandidate.objects.filter(owner_id=pair.owner_id).exclude(pk=pair.pk)
        for other in involved.filter(person_id=gone.pk) | involved.filter(other_id=gone.pk):
            first = keep.pk if other.person_id == gone.pk else other.person_id
            second = keep.pk if other.other_id == gone.pk else other.other_id
            ids = {first, second}
            exists = DuplicateCandidate.objects.filter(person_id__in=ids, other_id__in=ids).exclude(pk=other.pk)
            if first == second or exists.exists():
                other.delete()
                continue
            other.person_id, other.other_id = first, second
            other.save(update_fields=["person", "other"])
        gone.delete()  # its pair with `keep` goes with it (cascade): decided, and nothing left to review
        if handle:
            keep.linkedin_handle = handle
        keep.save()
        people.refresh_strength(keep)
    return keep
