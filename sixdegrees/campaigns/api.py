"""Campaign endpoints: intake, read one, list mine, choose a path, regenerate, fill a role."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ValidationError as PydanticValidationError

from sixdegrees.accounts.access import get_campaign_for_request, is_signed_in_owner, visible_campaigns
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.fill_role import fill_role, from_network, typed_in
from sixdegrees.campaigns.intake import FIELDS, find_active_duplicate, start_campaign, validate_intake
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.planning import redraft_for_path
from sixdegrees.campaigns.serialize import campaign_detail, campaign_summary
from sixdegrees.campaigns.signals import request_plan
from sixdegrees.lib.addresses import validate_sendable_email
from sixdegrees.lib.http import BadRequest, read_json_object, read_json_or_form
from sixdegrees.lib.ratelimit import enforce
from sixdegrees.lib.shapes import request_schema
from sixdegrees.network.candidates import Candidate, search
from sixdegrees.outreach.models import EmailOutreach

router = Router(tags=["campaigns"])

# Built from the fields `validate_intake` checks, so the document cannot drift from them.
IntakeIn = request_schema("IntakeIn", FIELDS)


class IntakeOut(Schema):
    success: bool
    campaign_id: str
    message: str
    duplicate: bool = False
    dashboard_url: str


class ErrorOut(Schema):
    success: bool = False
    error: str
    fields: dict[str, str] = {}


def _ok(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@router.post(
    "/intake",
    summary="Start a campaign",
    description="Six required fields; answers at once with the campaign id while planning runs in the background.",
    response={200: IntakeOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 429: ErrorOut},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": IntakeIn.model_json_schema()}}}
    },
)
def intake(request: HttpRequest):
    enforce(request, "intake", settings.RATE_LIMIT_INTAKE)
    data = read_json_or_form(request)
    cleaned, errors = validate_intake(data)
    if errors:
        raise BadRequest(_("Please check the highlighted fields."), fields=errors)
    language = translation.get_language() or "en"
    language = "zh-hans" if language.startswith("zh") else "en"
    duplicate = find_active_duplicate(request, cleaned)
    if duplicate is not None:
        return _ok(
            {
                "success": True,
                "campaign_id": duplicate.id,
                "duplicate": True,
                "message": _("You already have an active campaign to reach %(name)s; here it is.")
                % {"name": duplicate.target_name},
                "dashboard_url": f"/dashboard?campaign={duplicate.id}",
            }
        )
    campaign, user = start_campaign(request, cleaned, language)
    message = _("Campaign created. We are researching %(name)s and finding the best path.") % {
        "name": campaign.target_name
    }
    if not campaign.owner_confirmed:
        message += " " + _("We sent a sign-in code to %(email)s; use it to approve and send emails.") % {
            "email": user.email
        }
    return _ok(
        {
            "success": True,
            "campaign_id": campaign.id,
            "duplicate": False,
            "message": message,
            "dashboard_url": f"/dashboard?campaign={campaign.id}",
        }
    )


@router.get("/campaign/{campaign_id}", summary="One campaign, with paths, chain, emails and timeline")
def campaign(request: HttpRequest, campaign_id: str):
    found = get_campaign_for_request(request, campaign_id)
    return _ok(campaign_detail(found))


@router.get("/campaigns", summary="My campaigns, newest first")
def campaigns(request: HttpRequest, page: int = 1, per_page: int = 20):
    per_page = min(max(per_page, 1), 100)
    paginator = Paginator(visible_campaigns(request).order_by("-created_at", "-id"), per_page)
    current = paginator.get_page(page)
    return _ok(
        {
            "campaigns": [campaign_summary(c) for c in current.object_list],
            "page": current.number,
            "per_page": per_page,
            "total": paginator.count,
            "pages": paginator.num_pages,
        }
    )


@router.post("/campaign/{campaign_id}/select-path", summary="Choose another of the ranked paths")
def select_path(request: HttpRequest, campaign_id: str):
    found = get_campaign_for_request(request, campaign_id)
    data = read_json_object(request)
    index = data.get("path_index")
    paths = found.plan_view().paths
    if not isinstance(index, int) or isinstance(index, bool) or not paths or not 0 <= index < len(paths):
        raise BadRequest(_("Choose one of the listed paths."), fields={"path_index": _("Not a valid path.")})
    if found.status != Campaign.Status.READY or found.emails.exclude(status=EmailOutreach.Status.DRAFT).exists():
        raise BadRequest(_("The path can only change before the first email is sent."), status=409)
    redraft_for_path(found, index)
    timeline.record(found, "path_selected", path=index + 1)
    found.refresh_from_db()
    return _ok({"success": True, "campaign": campaign_detail(found)})


@router.post("/campaign/{campaign_id}/regenerate", summary="Make a new plan (before anything was sent)")
def regenerate(request: HttpRequest, campaign_id: str):
    found = get_campaign_for_request(request, campaign_id)
    if (
        found.status not in (Campaign.Status.READY, Campaign.Status.FAILED)
        or found.emails.exclude(status=EmailOutreach.Status.DRAFT).exists()
    ):
        raise BadRequest(_("A new plan can only be made before the first email is sent."), status=409)
    with transaction.atomic():
        Campaign.objects.filter(id=found.id).update(
            status=Campaign.Status.PROCESSING,
            plan_lease_until=None,
            plan_attempts=0,
            error_message="",
            updated_at=timezone.now(),
        )
        timeline.record(found, "regenerate")
        transaction.on_commit(lambda: request_plan(found.id))
    return _ok({"success": True, "campaign_id": found.id, "status": Campaign.Status.PROCESSING})


class FillRoleIn(Schema):
    """Either someone from the owner's network (person_id) or a name and address typed in."""

    hop: int
    person_id: str | None = None
    name: str | None = None
    email: str | None = None


class PersonOut(Schema):
    person_id: str
    name: str
    email: str | None
    organisation: str
    title: str
    strength: float
    evidence: str


class PeopleOut(Schema):
    people: list[PersonOut]


def _owned_campaign(request: HttpRequest, campaign_id: str) -> Campaign:
    """The campaign, only for its signed-in owner: the same 404 for everyone else.

    A browser that merely typed the owner's address (a pending campaign) sees the campaign but
    must learn nothing about the owner's network, so it gets the 404 a stranger gets.
    """
    found = get_campaign_for_request(request, campaign_id)
    if not is_signed_in_owner(request.user, found):
        raise Http404("campaign")
    return found


@router.get(
    "/campaign/{campaign_id}/people",
    summary="Search my network to fill a step of this campaign's path",
    response={200: PeopleOut, 404: ErrorOut},
)
def campaign_people(request: HttpRequest, campaign_id: str, q: str = ""):
    found = _owned_campaign(request, campaign_id)
    people = search(found.owner, q[:100])
    return _ok({"people": [_person_json(c) for c in people]})


def _person_json(candidate: Candidate) -> dict:
    return {
        "person_id": candidate.person_id,
        "name": candidate.name,
        "email": candidate.email,
        "organisation": candidate.organisation,
        "title": candidate.title,
        "strength": candidate.strength,
        "evidence": candidate.evidence,
    }


@router.post(
    "/campaign/{campaign_id}/fill-role",
    summary="I know who this is: make a step still to find a real person",
    description="Pick someone from your network (person_id) or type a name and email. The unsent draft for "
    "that step is re-addressed (To and greeting); an email already sent is never changed.",
    response={200: dict, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": FillRoleIn.model_json_schema()}}}
    },
)
def fill_role_endpoint(request: HttpRequest, campaign_id: str):
    found = _owned_campaign(request, campaign_id)
    data = read_json_object(request)
    try:
        spec = FillRoleIn.model_validate(data, strict=True)
    except PydanticValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "request": str(e["msg"]) for e in exc.errors()}
        raise BadRequest(_("Please check the highlighted fields."), fields=fields) from None
    if found.status not in (Campaign.Status.READY, Campaign.Status.IN_PROGRESS):
        raise BadRequest(_("The path can only change once the plan is ready."), status=409)
    if spec.person_id:
        filled = from_network(found, spec.person_id[:64])
    else:
        filled = typed_in(*_typed_person(spec), found.language)
    fill_role(found, spec.hop, filled)
    found.refresh_from_db()
    return _ok({"success": True, "campaign": campaign_detail(found)})


def _typed_person(spec: FillRoleIn) -> tuple[str, str]:
    name = " ".join((spec.name or "").split())
    email = (spec.email or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Please fill in their name.")
    elif len(name) > 100 or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        errors["name"] = _("Please write their name in at most 100 characters.")
    if not email:
        errors["email"] = _("Add their email address.")
    else:
        try:
            validate_sendable_email(email)
        except ValidationError:
            errors["email"] = _("Please enter a valid email address, like name@example.com.")
    if errors:
        raise BadRequest(_("Please check the highlighted fields."), fields=errors)
    return name, email
