"""A person's network as it goes into their account export (accounts/export.py): everything kept.

People with every address, number and source, the strength figures and the owner's corrections,
the imports' reports, the review pairs and the mailbox observations (headers only, as stored).
"""

from __future__ import annotations

from typing import Any

from sixdegrees.accounts.models import User
from sixdegrees.network.models import ContactImport, DuplicateCandidate, MailObservation, Person
from sixdegrees.network.serialize import iso, person_details


def network_export(owner: User) -> dict[str, Any]:
    people = (
        Person.objects.filter(owner=owner).prefetch_related("emails", "phones", "sources").order_by("created_at", "id")
    )
    return {
        "people": [
            {
                "id": person.pk,
                "name": person.name,
                "given_name": person.given_name,
                "family_name": person.family_name,
                **person_details(person),
                "sources": [
                    {
                        "kind": source.kind,
                        "import_id": source.contact_import_id,
                        "connected_on": source.connected_on.isoformat() if source.connected_on else None,
                        "first_seen_at": iso(source.first_seen_at),
                        "last_seen_at": iso(source.last_seen_at),
                    }
                    for source in sorted(person.sources.all(), key=lambda s: (s.first_seen_at, s.pk))
                ],
                "strength": person.strength,
                "strength_correction": person.strength_override,
                "measured_strength": person.measured_strength,
                "strength_evidence": person.strength_evidence,
                "emails_sent": person.emails_sent,
                "emails_received": person.emails_received,
                "last_emailed_at": iso(person.last_emailed_at),
                "hidden": person.hidden,
                "created_at": iso(person.created_at),
            }
            for person in people
        ],
        "imports": [
            {
                "import_id": row.pk,
                "filename": row.filename,
                "format": row.format,
                "status": row.status,
                **row.counts(),
                "error": row.error,
                "created_at": iso(row.created_at),
            }
            for row in ContactImport.objects.filter(owner=owner).defer("data").order_by("created_at")
        ],
        "duplicates": [
            {"person_id": row.person_id, "other_id": row.other_id, "score": row.score, "status": row.status}
            for row in DuplicateCandidate.objects.filter(owner=owner).order_by("id")
        ],
        "mail_observations": [
            {
                "address": row.address,
                "name": row.name,
                "direction": row.direction,
                "at": iso(row.at),
                "recipients": row.recipients,
                "bulk": row.bulk,
            }
            for row in MailObservation.objects.filter(owner=owner).order_by("at", "id")
        ],
    }
