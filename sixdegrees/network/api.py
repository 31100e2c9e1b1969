"""Contacts endpoints: the signed-in person's network (list, add, correct, hide, remove, import, review).

Only the signed-in owner's rows are ever read: every lookup goes through people.person_of /
duplicates.pair_of / the owner's imports, and anyone else's id is 404, the same answer as a
made-up one. Adding an address that is in someone else's network behaves as a fresh address,
because nothing here looks outside the owner's network.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from sixdegrees.accounts.models import User
from sixdegrees.lib.http import BadRequest, media_type, read_json_object
from sixdegrees.network import duplicates, editing, explain, listing, people
from sixdegrees.network.importing import FORMAT_CHOICES, MAX_IMPORT_BYTES, TOO_BIG, ImportRefused, start_import
from sixdegrees.network.importing_entries import NAME_MAX, ORG_MAX, URL_MAX
from sixdegrees.network.models import ContactImport
from sixdegrees.network.serialize import import_json, pair_json, person_json

router = Router(tags=["contacts"])

PER_PAGE_MAX = 100
IMPORT_LIMIT_MB = MAX_IMPORT_BYTES // 1024 // 1024


# --- Shapes for the API document (the checks are editing.clean's, with our own messages) ---------


class ContactIn(Schema):
    name: str = Field("", max_length=NAME_MAX)
    emails: list[str] = Field(default_factory=list, max_length=editing.MAX_EMAILS)
    phones: list[str] = Field(default_factory=list, max_length=editing.MAX_PHONES)
    organisation: str = Field("", max_length=ORG_MAX)
    title: str = Field("", max_length=ORG_MAX)
    profile_url: str = Field("", max_length=URL_MAX, description="https://… (a LinkedIn /in/ URL matches exactly)")
    notes: str = Field("", max_length=editing.NOTES_MAX)


class ContactPatch(Schema):
    name: str | None = Field(None, max_length=NAME_MAX)
    emails: list[str] | None = Field(None, max_length=editing.MAX_EMAILS, description="replaces the addresses")
    phones: list[str] | None = Field(None, max_length=editing.MAX_PHONES, description="replaces the numbers")
    organisation: str | None = Field(None, max_length=ORG_MAX)
    title: str | None = Field(None, max_length=ORG_MAX)
    profile_url: str | None = Field(None, max_length=URL_MAX)
    notes: str | None = Field(None, max_length=editing.NOTES_MAX)
    strength: float | None = Field(
        None,
        ge=0,
        le=1,
        description="your correction (always wins); null clears it and the measured or prior one is back",
    )
    hidden: bool | None = Field(None, description="true: never suggested in a plan, and left out of the list")


class SourceOut(Schema):
    kind: str
    label: str
    connected_on: str | None
    since: str = Field(description="“connected 16 Jul 2026”, in the caller's language; empty when unknown")
    first_seen_at: str | None
    last_seen_at: str | None


class ContactOut(Schema):
    id: str
    name: str
    organisation: str
    title: str
    profile_url: str
    notes: str
    emails: list[str]
    phones: list[str]
    sources: list[SourceOut]
    strength: float
    strength_bucket: Literal["strong", "medium", "weak", "none"]
    strength_basis: Literal["corrected", "measured", "prior"]
    strength_override: float | None
    measured_strength: float | None
    evidence: str = Field(
        description="why this strength, in the caller's language: “14 emails, both ways, last on 3 Nov 2026”"
    )
    emails_sent: int
    emails_received: int
    last_emailed_at: str | None
    hidden: bool
    created_at: str | None
    updated_at: str | None


class OrganisationOut(Schema):
    key: str
    name: str
    count: int


class ContactListOut(Schema):
    contacts: list[ContactOut]
    organisations: list[OrganisationOut]
    page: int
    per_page: int
    total: int
    pages: int


class ContactSaved(Schema):
    success: bool
    outcome: Literal["added", "merged", "unchanged", "review"] | None = None
    contact: ContactOut


class SkippedLineOut(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    import_id: str
    filename: str
    format: str
    encoding: str
    status: Literal["queued", "running", "done", "failed"]
    rows_total: int
    rows_done: int
    added: int
    merged: int
    unchanged: int
    needs_review: int
    skipped: int
    skipped_lines: list[SkippedLineOut] = Field(description="the first 200, with the line and the reason")
    error: str = Field(description="why the file was refused, in the caller's language; nothing was changed")
    error_line: int | None
    created_at: str | None
    finished_at: str | None


class ImportStarted(ImportOut):
    success: bool


class BriefOut(Schema):
    id: str
    name: str
    organisation: str
    title: str
    strength: float


class DuplicateOut(Schema):
    duplicate_id: int
    score: float
    person: BriefOut
    other: BriefOut


class DuplicateListOut(Schema):
    duplicates: list[DuplicateOut]


class DoneOut(Schema):
    success: bool


class ErrorOut(Schema):
    success: bool = False
    error: str
    fields: dict[str, str] = {}


ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {status: ErrorOut for status in (400, 401, 403, 404, 409, 413, 415, 429)}


def _ok(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _owner(request: HttpRequest) -> User:
    user = request.user
    if not user.is_authenticated:
        raise BadRequest(_("Please sign in to see your network."), status=401)
    return user


def _with_details(person_id: str, owner: User) -> dict[str, Any]:
    person = people.people_of(owner).prefetch_related("emails", "phones", "sources").get(pk=person_id)
    return person_json(person)


def _person_or_404(owner: User, person_id: str):
    person = people.person_of(owner, person_id)
    if person is None:
        raise BadRequest(_("Not found."), status=404)
    return person


def _cleaned(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    known = set(editing.EDITABLE if partial else ContactIn.model_fields)
    unknown = sorted(set(data) - known)
    if unknown:
        raise BadRequest(
            _("Some parameters are not valid."), fields={name: _("Not a field you can set.") for name in unknown}
        )
    cleaned = editing.clean(data, partial=partial)
    if cleaned.errors:
        raise BadRequest(_("Please check the highlighted fields."), fields=cleaned.errors)
    return cleaned.values


# --- Imports and the review queue first: their paths would otherwise match /contacts/{person_id} ---


@router.post(
    "/contacts/import",
    summary="Import a contacts file (LinkedIn, Google, Outlook, vCard)",
    description=f"multipart/form-data with the file in `file` (at most {IMPORT_LIMIT_MB} MB) and optionally "
    "`format` (auto, linkedin, google, outlook, vcard; auto reads the header). A file of up to 2,000 contacts "
    "is imported before the answer (status done); a larger one is queued: poll GET /api/contacts/imports/{id}. "
    "A file that cannot be read is refused with 400 and changes nothing.",
    response={200: ImportStarted, **WRITE_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "format": {"type": "string", "enum": list(FORMAT_CHOICES), "default": "auto"},
                        },
                    }
                }
            },
        }
    },
)
def import_contacts(request: HttpRequest):
    owner = _owner(request)
    if media_type(request) != "multipart/form-data":
        raise BadRequest(_("Send the file as multipart/form-data, in a field named “file”."), status=415)
    upload = request.FILES.get("file")
    if upload is None:
        raise BadRequest(_("Choose a file to import."), fields={"file": _("This field is required.")})
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        message = explain.message(TOO_BIG, {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": IMPORT_LIMIT_MB})
        raise BadRequest(message, status=413, fields={"file": message})
    chosen = (request.POST.get("format") or "auto").strip().lower()
    if chosen not in FORMAT_CHOICES:
        raise BadRequest(
            _("Please check the highlighted fields."),
            fields={"format": _("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMAT_CHOICES)}},
        )
    data = b"".join(upload.chunks())
    try:
        started = start_import(owner, filename=upload.name or "", data=data, format=chosen)
    except ImportRefused as exc:
        message = explain.message(exc.template, exc.params, exc.line)
        raise BadRequest(message, fields={"file": message}) from None
    return _ok({"success": True, **import_json(started)})


@router.get(
    "/contacts/imports/{import_id}",
    summary="One import's progress and report",
    description="Counts (added, merged, unchanged, needs review, skipped), the skipped lines with their reason, "
    "or the error that refused the file.",
    response={200: ImportOut, **ERRORS},
)
def import_status(request: HttpRequest, import_id: str):
    owner = _owner(request)
    found = ContactImport.objects.filter(owner=owner, pk=import_id).defer("data").first()
    if found is None:
        raise BadRequest(_("Not found."), status=404)
    return _ok(import_json(found))


@router.get(
    "/contacts/duplicates",
    summary="People who may be one (same name and organisation), for review",
    response={200: DuplicateListOut, **ERRORS},
)
def list_duplicates(request: HttpRequest):
    owner = _owner(request)
    return _ok({"duplicates": [pair_json(pair) for pair in duplicates.open_pairs(owner)[:200]]})


def _pair_or_404(owner: User, duplicate_id: int):
    pair = duplicates.pair_of(owner, duplicate_id)
    if pair is None:
        raise BadRequest(_("Not found."), status=404)
    return pair


@router.post(
    "/contacts/duplicates/{duplicate_id}/merge",
    summary="They are one person: merge the second into the first",
    response={200: ContactSaved, **WRITE_ERRORS},
)
def merge_duplicate(request: HttpRequest, duplicate_id: int):
    owner = _owner(request)
    kept = duplicates.merge(_pair_or_404(owner, duplicate_id))
    return _ok({"success": True, "outcome": "merged", "contact": _with_details(kept.pk, owner)})


@router.post(
    "/contacts/duplicates/{duplicate_id}/separate",
    summary="They are different people: keep both, and stop asking",
    response={200: DoneOut, **WRITE_ERRORS},
)
def separate_duplicate(request: HttpRequest, duplicate_id: int):
    owner = _owner(request)
    duplicates.keep_separate(_pair_or_404(owner, duplicate_id))
    return _ok({"success": True})


# --- People ---------------------------------------------------------------------------------------


@router.get(
    "/contacts",
    summary="My network: search, filter, strongest first",
    description="`q` searches names, organisations, titles and addresses; `org` is an organisation (name or key); "
    "`strength` a bucket (strong ≥ 0.6, medium ≥ 0.3, weak > 0, none); hidden people are left out unless "
    "`hidden` is include or only.",
    response={200: ContactListOut, **ERRORS},
)
def list_contacts(
    request: HttpRequest,
    q: str = "",
    org: str = "",
    strength: Literal["", "strong", "medium", "weak", "none"] = "",
    hidden: Literal["exclude", "include", "only"] = "exclude",
    page: int = 1,
    per_page: int = 50,
):
    owner = _owner(request)
    per_page = min(max(per_page, 1), PER_PAGE_MAX)
    found = listing.find(owner, q=q, org=org, strength=strength, hidden=hidden)
    paginator = Paginator(found.prefetch_related("emails", "phones", "sources"), per_page)
    current = paginator.get_page(page)
    return _ok(
        {
            "contacts": [person_json(person) for person in current.object_list],
            "organisations": listing.organisations(owner),
            "page": current.number,
            "per_page": per_page,
            "total": paginator.count,
            "pages": paginator.num_pages,
        }
    )


@router.post(
    "/contacts",
    summary="Add someone by hand",
    description="At least a name, an email address or a phone number. Someone already in your network with the "
    "same address, phone or LinkedIn URL is merged with what you typed (outcome merged).",
    response={200: ContactSaved, **WRITE_ERRORS},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": ContactIn.model_json_schema()}}}
    },
)
def add_contact(request: HttpRequest):
    owner = _owner(request)
    values = _cleaned(read_json_object(request), partial=False)
    outcome, person = editing.add_typed_in(owner, values)
    return _ok({"success": True, "outcome": outcome, "contact": _with_details(person.pk, owner)})


@router.get("/contacts/{person_id}", summary="One person in my network", response={200: ContactOut, **ERRORS})
def get_contact(request: HttpRequest, person_id: str):
    owner = _owner(request)
    return _ok(_with_details(_person_or_404(owner, person_id).pk, owner))


@router.patch(
    "/contacts/{person_id}",
    summary="Correct a strength, hide or unhide, or edit someone",
    description="Send only what changes. `strength` 0–1 is your correction and always wins; `strength: null` "
    "clears it.",
    response={200: ContactSaved, **WRITE_ERRORS},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": ContactPatch.model_json_schema()}}}
    },
)
def edit_contact(request: HttpRequest, person_id: str):
    owner = _owner(request)
    person = _person_or_404(owner, person_id)
    values = _cleaned(read_json_object(request), partial=True)
    if not values:
        raise BadRequest(_("Nothing to change: send the fields that change."))
    try:
        editing.edit(person, values)
    except editing.KeyTaken as exc:
        message = _("%(value)s already belongs to %(name)s in your network; merge the two instead.") % {
            "value": exc.value,
            "name": exc.other.name or exc.value,
        }
        raise BadRequest(message, status=409, fields={exc.field: message}) from None
    return _ok({"success": True, "contact": _with_details(person.pk, owner)})


@router.delete(
    "/contacts/{person_id}",
    summary="Remove someone from my network",
    description="Deletes them with their addresses, numbers, sources and the mail figures of their addresses.",
    response={200: DoneOut, **WRITE_ERRORS},
)
def delete_contact(request: HttpRequest, person_id: str):
    owner = _owner(request)
    editing.remove(_person_or_404(owner, person_id))
    return _ok({"success": True})
