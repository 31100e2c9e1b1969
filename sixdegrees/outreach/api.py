"""Email endpoints: edit a draft, approve (send) an email."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from sixdegrees.accounts.access import (
    get_campaign_for_request,
    get_email_for_request,
    require_signed_in_owner,
)
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.serialize import email_json
from sixdegrees.lib.http import BadRequest, read_json_object
from sixdegrees.lib.ratelimit import enforce
from sixdegrees.lib.shapes import request_schema
from sixdegrees.outreach.approval import EDIT_FIELDS, approve, clean_edits, edit_draft
from sixdegrees.outreach.chain.overrides import override_intent
from sixdegrees.outreach.intent import INTENTS
from sixdegrees.outreach.models import EmailOutreach

router = Router(tags=["emails"])


# Built from the fields `clean_edits` checks, so the document cannot drift from them. /api/send
# calls the recipient's address `to`.
_SEND_NAMES = {"recipient_email": "to"}
EmailEdit = request_schema("EmailEdit", EDIT_FIELDS, partial=True)
SendIn = request_schema(
    "SendIn",
    EDIT_FIELDS,
    partial=True,
    names=_SEND_NAMES,
    before={"campaign_id": (str, Field(..., min_length=1)), "email_id": (str | None, None)},
)


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
    description="Queues a draft (or, without email_id, a new email for the campaign: then to, subject and body "
    "are required). Idempotent: the same email is queued once.",
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
    overrides = {f.name: data.get(_SEND_NAMES.get(f.name, f.name)) for f in EDIT_FIELDS}
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


# --- Replies and the chain (outreach/chain/) --------------------------------------------------


class IntentIn(Schema):
    intent: str


class AutopilotIn(Schema):
    autopilot: bool


@router.post(
    "/email/{email_id}/intent",
    summary="Say what a reply meant",
    description="Overrides the classifier: " + ", ".join(INTENTS) + ". The chain acts on the new intent.",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": IntentIn.model_json_schema()}}}},
)
def set_intent(request: HttpRequest, email_id: str):
    email = get_email_for_request(request, email_id)
    require_signed_in_owner(request.user, email.campaign)
    intent = read_json_object(request).get("intent")
    if not isinstance(intent, str) or not intent.strip():
        raise BadRequest(_("Say what the reply meant."), fields={"intent": _("This field is required.")})
    root = override_intent(email, intent.strip())
    return _ok({"success": True, "email": email_json(root)})


@router.post(
    "/campaign/{campaign_id}/autopilot",
    summary="Switch auto-pilot on or off",
    description="On auto-pilot the chain's next emails and follow-ups are queued without asking first.",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": AutopilotIn.model_json_schema()}}}},
)
def set_autopilot(request: HttpRequest, campaign_id: str):
    campaign = get_campaign_for_request(request, campaign_id)
    require_signed_in_owner(request.user, campaign)
    value = read_json_object(request).get("autopilot")
    if not isinstance(value, bool):
        raise BadRequest(_("Say true or false."), fields={"autopilot": _("Say true or false.")})
    if Campaign.objects.filter(pk=campaign.pk).exclude(autopilot=value).update(autopilot=value) == 1:
        timeline.record(campaign, "autopilot_on" if value else "autopilot_off")
    return _ok({"success": True, "campaign_id": campaign.pk, "autopilot": value})
