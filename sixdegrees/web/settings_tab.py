"""The settings tab's forms: shared by the dashboard page and the account views that re-render it.

Its own module so that web.account (the settings views) imports web.dashboard (the page) and both
import this, instead of each importing the other.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest

from sixdegrees.accounts.models import User
from sixdegrees.outreach.mailboxes import owner_mailbox
from sixdegrees.web.forms import DeleteAccountForm, MailboxForm, ProfileForm

MAILBOX_REPORT_KEY = "mailbox_test_report"


def settings_forms(request: HttpRequest, **bound: Any) -> dict[str, Any]:
    user = cast(User, request.user)
    report = request.session.pop(MAILBOX_REPORT_KEY, None) if hasattr(request, "session") else None
    return {
        "profile_form": bound.get("profile_form") or ProfileForm(instance=user),
        "mailbox": owner_mailbox(user.pk),
        "mailbox_form": bound.get("mailbox_form") or MailboxForm(),
        "mailbox_report": report,
        "operator_mailbox": bool(settings.GMAIL_ADDRESS and settings.GMAIL_APP_PASSWORD),
        "delete_form": bound.get("delete_form") or DeleteAccountForm(user),
    }
