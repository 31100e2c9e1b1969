"""The person's word: they say what a reply meant, and the chain acts on that instead."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sixdegrees.campaigns import timeline
from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach.chain.replies import apply_intent
from sixdegrees.outreach.chain.shape import root_of, who
from sixdegrees.outreach.intent import INTENTS, Intent
from sixdegrees.outreach.models import EmailOutreach, Reply

logger = logging.getLogger(__name__)
Status = EmailOutreach.Status
Kind = EmailOutreach.Kind


def override_intent(email: EmailOutreach, intent_name: str) -> EmailOutreach:
    """The person says what a reply meant; the chain acts on that instead."""
    if intent_name not in INTENTS:
        raise BadRequest(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(INTENTS)},
            fields={"intent": _("Not a known intent.")},
        )
    root = root_of(email)
    if root.status != Status.REPLIED:
        raise BadRequest(_("This email has no reply yet, so there is nothing to mark."), status=409)
    with transaction.atomic():
        EmailOutreach.objects.filter(pk=root.pk).update(reply_intent=intent_name, updated_at=timezone.now())
        thread = [root.pk, *root.follow_ups.values_list("pk", flat=True)]
        latest = Reply.objects.filter(email__in=thread, kind=Reply.Kind.REPLY).order_by("-created_at").first()
        if latest is not None:
            Reply.objects.filter(pk=latest.pk).update(intent=intent_name, intent_source="person")
        root.refresh_from_db()
        timeline.record(root.campaign, "intent_changed", recipient=who(root), intent=intent_name)
        apply_intent(root, Intent(intent_name), latest, by_person=True)
    root.refresh_from_db()
    return root
