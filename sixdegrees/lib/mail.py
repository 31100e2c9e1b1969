"""Mail the service itself sends to a person (sign-in codes, notices), via Django's mail backend.

Without a configured mailbox the backend writes each message to the local outbox folder
(settings.OUTBOX_DIR); outreach emails to third parties go through outreach's own sender.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


def send_to_person(to: str, subject: str, body: str) -> bool:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        # The person can ask again; the failure is ours to see in the logs, not theirs in a page.
        logger.error("could not send mail to a person", extra={"event": "person_mail_failed", "error": str(exc)})
        return False
    return True
