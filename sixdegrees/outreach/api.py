"""Email endpoints: edit a draft, approve (send) an email."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sixdegrees.accounts.access import get_campaign_for_request, get_email_for_request
from sixdegrees.campaigns.serialize import email_json
from sixdegrees.lib.http import BadRequest, read_json_object
from sixdegrees.lib.ratelimit import enforce
from sixdegrees.outreach.approval import approve, clean_edits, edit_draft
from sixdegrees.outreach.models import EmailOutreach

router = Router(tags=["emails"])


class SendIn(Schema):
    campaign_id: str
    email_id: str | None = None
    to: str | None = None
    subject: str | None = None
    body: str | None = None
    recipient_name: str | None = None


class EmailEdit(Schema):
    subject: str | None = None
    body: str | None = None
    recipient_email: str | None = None
    recipient_name: str | None = None


def _ok(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@router.patch(
    "/email/{email_id}",
    summary="Edit a draft's subject, body or recipient",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": EmailEdit.model_json_schema()}}}},
)
def edit_email(request: HttpRequest, email_id: str):
    email = get_email_for_request(request, email_id)
    edits = clean_edits(read_json_object(request))
    if not edits:
        raise BadRequest(_("Nothing to change: send subject, body, recipient_email or recipient_name."))
    return _ok({"success": True, "email": email_json(edit_draft(email, edits))})


@router.post(
    "/send",
    summary="Approve an email for sending",
    description="Queues a draft (or a new email for the campaign). Idempotent: the same email is queued once.",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": SendIn.model_json_schema()}}}},
)
def send(request: HttpRequest):
    enforce(request, "send", settings.RATE_LIMIT_SEND)
    data = read_json_object(request)
    campaign_id = data.get("campaign_id")
    if not isinstance(campaign_id, str) or not campaign_id.strip():
        raise BadRequest(
            _("Say which campaign this email belongs to."), fields={"campaign_id": _("This field is required.")}
        )
    campaign = get_campaign_for_request(request, campaign_id.strip())
    overrides = {"recipient_email": data.get("to"), **{k: data.get(k) for k in ("subject", "body", "recipient_name")}}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    email_id = data.get("email_id")
    if email_id:
        if not isinstance(email_id, str):
            raise BadRequest(_("Not a valid email id."), fields={"email_id": _("Not a valid email id.")})
        email = get_email_for_request(request, email_id)
        if email.campaign_id != campaign.id:
            raise BadRequest(_("That email is not part of this campaign."), status=404)
        edits = clean_edits(overrides)
        if edits and email.status == EmailOutreach.Status.DRAFT:
            email = edit_draft(email, edits)
    else:
        edits = clean_edits(overrides, require_all=True)
        next_hop = (campaign.emails.aggregate(h=Max("hop"))["h"] or 0) + 1
        email = EmailOutreach.objects.create(campaign=campaign, hop=next_hop, **edits)
    email, newly = approve(email, request.user)
    message = _("Queued for sending.") if newly else _("This email was already approved.")
    return _ok({"success": True, "email_id": email.id, "status": email.status, "message": message})
