"""Where intake is validated and a campaign is born.

`validate_intake` checks the six fields (trimmed, required, bounded, no control characters, an
address the mailer can send to) and answers field messages in the active language; `start_campaign`
creates the campaign, remembers it for this browser, and hands planning to the worker. Unless
this browser is signed in as the address given, the campaign is pending (see accounts.access)
and a sign-in code goes to the address.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sixdegrees.accounts.access import is_signed_in_as, remember_campaign, visible_campaigns
from sixdegrees.accounts.models import User
from sixdegrees.accounts.signin import find_or_create_user, send_code
from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.signals import request_plan
from sixdegrees.lib.addresses import validate_sendable_email
from sixdegrees.lib.shapes import TextField
from sixdegrees.mail.service import NotSent

logger = logging.getLogger(__name__)


# The one declaration of the intake: the page, `validate_intake` and the API document read it.
FIELDS = (
    TextField("user_name", 50, gettext_lazy("Your name")),
    TextField("user_email", 254, gettext_lazy("Your email"), email=True),
    TextField("user_background", 500, gettext_lazy("A short intro of yourself"), multiline=True),
    TextField("target_name", 200, gettext_lazy("Who you want to reach")),
    TextField("target_company", 200, gettext_lazy("Their title and company")),
    TextField("target_reason", 500, gettext_lazy("Why them"), multiline=True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)

# Bidirectional overrides can make text display differently from what it says.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _bad_character(value: str, multiline: bool) -> bool:
    for ch in value:
        if ch in "\n\r\t" and multiline:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co") or ch in _BIDI_CONTROLS or ch in "\ufffe\uffff":
            return True
    return False


def validate_intake(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (cleaned, errors); errors maps field name → a message for the person."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        raw = data.get(field.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors[field.name] = _("Please fill in “%(field)s”.") % {"field": field.label}
            continue
        if not isinstance(raw, str):
            errors[field.name] = _("“%(field)s” must be text.") % {"field": field.label}
            continue
        value = unicodedata.normalize("NFC", raw.strip())
        if field.multiline:
            value = value.replace("\r\n", "\n")
        if _bad_character(value, field.multiline):
            errors[field.name] = _("“%(field)s” contains characters we cannot accept.") % {"field": field.label}
            continue
        if len(value) > field.max_length:
            errors[field.name] = _("“%(field)s” can be at most %(max)d characters (you have %(count)d).") % {
                "field": field.label,
                "max": field.max_length,
                "count": len(value),
            }
            continue
        cleaned[field.name] = value
    for field in FIELDS:
        if field.email and field.name in cleaned:
            try:
                validate_sendable_email(cleaned[field.name])
            except ValidationError:
                errors[field.name] = _("Please enter a valid email address, like name@example.com.")
            else:
                cleaned[field.name] = cleaned[field.name].lower()
    return cleaned, errors


def find_active_duplicate(request: HttpRequest, cleaned: dict[str, str]) -> Campaign | None:
    """An active campaign for the same target that this browser can already see."""
    return (
        visible_campaigns(request)
        .filter(
            email__iexact=cleaned["user_email"],
            target_name__iexact=cleaned["target_name"],
            target_company__iexact=cleaned["target_company"],
            status__in=Campaign.ACTIVE_STATUSES,
        )
        .order_by("-created_at")
        .first()
    )


def start_campaign(request: HttpRequest, cleaned: dict[str, str], language: str) -> tuple[Campaign, User]:
    # Typing an address proves nothing: until this browser signs in as it, the campaign stays out
    # of that account (its owner would otherwise find, and could send, what a stranger wrote).
    proven = is_signed_in_as(request, cleaned["user_email"])
    with transaction.atomic():
        user, created = find_or_create_user(cleaned["user_email"], cleaned["user_name"], language)
        campaign = Campaign.objects.create(
            owner=user,
            owner_confirmed=proven,
            email=cleaned["user_email"],
            user_name=cleaned["user_name"],
            background=cleaned["user_background"],
            target_name=cleaned["target_name"],
            target_company=cleaned["target_company"],
            motivation=cleaned["target_reason"],
            language=language,
            status=Campaign.Status.PROCESSING,
        )
        timeline.record(campaign, "created")
        transaction.on_commit(lambda: request_plan(campaign.id))
    remember_campaign(request, campaign)
    if not proven:
        # Proving the address unlocks sending; the code goes to the address, never to this browser.
        with translation.override(language):
            try:
                send_code(request, user)
            except NotSent:
                pass  # the campaign stands; the code is stored and the mail task retries it
    logger.info(
        "campaign created",
        extra={"event": "campaign_created", "campaign_id": campaign.id, "new_user": created},
    )
    return campaign, user
