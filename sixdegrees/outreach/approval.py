"""Approving an email: the one place a draft becomes `queued` (the sender picks it up from there)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sixdegrees.accounts.access import require_signed_in_owner
from sixdegrees.billing.ledger import charge_campaign_start
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.addresses import validate_sendable_email
from sixdegrees.lib.http import BadRequest
from sixdegrees.lib.shapes import TextField
from sixdegrees.outreach import outbox
from sixdegrees.outreach.chain.gate import check_gate
from sixdegrees.outreach.models import EmailOutreach, Suppression
from sixdegrees.outreach.signals import email_queued

# The one declaration of what a person may change in an email: `clean_edits`, the edit dialog's
# `maxlength`s and the API document (EmailEdit, SendIn) read it. A name may be blank; the rest not.
EDIT_FIELDS = (
    TextField("subject", 300),
    TextField("body", 20000, multiline=True),
    TextField("recipient_email", 254, email=True),
    TextField("recipient_name", 200, required=False),
)


def clean_edits(data: dict[str, Any], *, require_all: bool = False) -> dict[str, str]:
    """Validate subject/body/recipient fields; raise BadRequest with field messages.

    `require_all`: a new email, so every required field must be there.
    """
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in EDIT_FIELDS:
        name = field.name
        if data.get(name) is None:
            if require_all and field.required:
                errors[name] = _("This field is required.")
            continue
        value = data[name]
        if not isinstance(value, str):
            errors[name] = _("This must be text.")
            continue
        value = value.replace("\r\n", "\n").strip() if field.multiline else value.strip()
        if "\x00" in value or (not field.multiline and any(c in value for c in "\r\n")):
            errors[name] = _("This contains characters we cannot accept.")
        elif not value and field.required:
            errors[name] = _("This field cannot be empty.")
        elif len(value) > field.max_length:
            errors[name] = _("At most %(max)d characters.") % {"max": field.max_length}
        elif field.email:
            try:
                validate_sendable_email(value)
                value = value.lower()
            except ValidationError:
                errors[name] = _("Please enter a valid email address, like name@example.com.")
        cleaned[name] = value
    if errors:
        raise BadRequest(_("Please check the highlighted fields."), fields=errors)
    return cleaned


def edit_draft(email: EmailOutreach, edits: dict[str, str]) -> EmailOutreach:
    with transaction.atomic():
        if not outbox.edit_draft(email.id, edits):
            raise BadRequest(_("Only a draft can be edited; this email was already approved."), status=409)
        timeline.record(email.campaign, "email_edited", recipient=edits.get("recipient_name") or email.recipient_name)
    email.refresh_from_db()
    return email


def approve(email: EmailOutreach, approver: Any) -> tuple[EmailOutreach, bool]:
    """Queue a draft for sending. Returns (email, newly_queued); approving twice queues once.

    Only the owner, signed in with a code sent to their address, may approve: a browser that
    merely typed the address into the intake can read and edit drafts but never send them.
    """
    campaign = email.campaign
    require_signed_in_owner(approver, campaign, approving=True)
    if not email.recipient_email:
        raise BadRequest(
            _("Add the recipient's email address before sending."),
            fields={"recipient_email": _("This field is required.")},
        )
    if Suppression.is_suppressed(email.recipient_email):
        raise BadRequest(_("This person asked not to be contacted, so SixDegrees will not email them."), status=403)
    if email.status == EmailOutreach.Status.DRAFT:
        check_gate(email)  # double opt-in: hop k+1 waits until hop k said yes (409)
    with transaction.atomic():
        now = timezone.now()
        queued = outbox.queue(email, now)
        if queued:
            charge_campaign_start(campaign, approver)  # the first send spends the credit; NoCredits rolls back
            Campaign.objects.filter(id=campaign.id, status=Campaign.Status.READY).update(
                status=Campaign.Status.IN_PROGRESS, updated_at=now
            )
            timeline.record(campaign, "email_queued", recipient=email.recipient_name or email.recipient_email)
            transaction.on_commit(lambda: _enqueue_delivery(email.id))
    email.refresh_from_db()
    if not queued and email.status == EmailOutreach.Status.DRAFT:
        raise BadRequest(_("This email could not be queued. Please try again."), status=409)
    return email, queued


def _enqueue_delivery(email_id: str) -> None:
    # The outbox row is the truth; the sender (outreach.tasks, listening) looks at queued rows by id.
    email_queued.send(sender=EmailOutreach, email_id=email_id)
