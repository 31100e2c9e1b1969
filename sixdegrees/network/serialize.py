"""People, imports and review pairs as the API and the page show them (in the active language)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sixdegrees.network import explain
from sixdegrees.network.listing import bucket_of
from sixdegrees.network.models import ContactImport, DuplicateCandidate, Person


def iso(value: dt.datetime | None) -> str | None:
    # As campaigns/serialize.py writes times; not imported from there, so the network stays below campaigns.
    return value.isoformat().replace("+00:00", "Z") if value else None


def strength_basis(person: Person) -> str:
    """Where the strength comes from: "corrected", "measured" or "prior" (people.effective_strength's order)."""
    if person.strength_override is not None:
        return "corrected"
    if person.measured_strength is not None and person.measured_strength > 0:
        return "measured"
    return "prior"


def person_details(person: Person) -> dict[str, Any]:
    """Who someone is and how to reach them, as every view of a person gives it (emails in their order)."""
    return {
        "organisation": person.organisation,
        "title": person.title,
        "profile_url": person.profile_url,
        "notes": person.notes,
        "emails": [row.address for row in sorted(person.emails.all(), key=lambda e: (e.position, e.pk))],
        "phones": [row.number for row in person.phones.all()],
    }


def person_json(person: Person) -> dict[str, Any]:
    """One person; expects emails, phones and sources prefetched (or costs three queries)."""
    sources = sorted(person.sources.all(), key=lambda s: (s.first_seen_at, s.pk))
    kinds = {source.kind for source in sources}
    return {
        "id": person.pk,
        "name": person.name,
        **person_details(person),
        "sources": [
            {
                "kind": source.kind,
                "label": explain.source_label(source.kind),
                "connected_on": source.connected_on.isoformat() if source.connected_on else None,
                "since": explain.since(source.kind, source.connected_on, source.first_seen_at),
                "first_seen_at": iso(source.first_seen_at),
                "last_seen_at": iso(source.last_seen_at),
            }
            for source in sources
        ],
        "strength": round(person.strength, 3),
        "strength_bucket": bucket_of(person.strength),
        "strength_basis": strength_basis(person),
        "strength_override": person.strength_override,
        "measured_strength": person.measured_strength,
        "evidence": explain.evidence(person, kinds),
        "emails_sent": person.emails_sent,
        "emails_received": person.emails_received,
        "last_emailed_at": iso(person.last_emailed_at),
        "hidden": person.hidden,
        "created_at": iso(person.created_at),
        "updated_at": iso(person.updated_at),
    }


def person_brief(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "organisation": person.organisation,
        "title": person.title,
        "strength": round(person.strength, 3),
    }


def import_json(row: ContactImport) -> dict[str, Any]:
    detail = row.error_detail or {}
    if detail.get("template"):
        error = explain.message(detail["template"], detail.get("params"), detail.get("line"))
    else:
        error = row.error
    return {
        "import_id": row.pk,
        "filename": row.filename,
        "format": row.format,
        "encoding": row.encoding,
        "status": row.status,
        "rows_total": row.rows_total,
        "rows_done": row.rows_done,
        **row.counts(),
        "skipped_lines": [{"line": line, "reason": explain.reason(reason)} for line, reason in row.skipped_lines],
        "error": error,
        "error_line": detail.get("line"),
        "created_at": iso(row.created_at),
        "finished_at": iso(row.finished_at),
    }


def pair_json(pair: DuplicateCandidate) -> dict[str, Any]:
    return {
        "duplicate_id": pair.pk,
        "score": pair.score,
        "person": person_brief(pair.person),
        "other": person_brief(pair.other),
    }
