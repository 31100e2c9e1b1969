"""Campaign endpoints: intake, read one, list mine, choose a path, regenerate."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sixdegrees.accounts.access import get_campaign_for_request, visible_campaigns
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.intake import FIELDS, find_active_duplicate, start_campaign, validate_intake
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.planning import redraft_for_path
from sixdegrees.campaigns.serialize import campaign_detail, campaign_summary
from sixdegrees.campaigns.signals import request_plan
from sixdegrees.lib.http import BadRequest, read_json_object, read_json_or_form
from sixdegrees.lib.ratelimit import enforce
from sixdegrees.lib.shapes import request_schema
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
