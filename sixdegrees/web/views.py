"""The public pages and the dashboard: landing, intake (with and without JavaScript), dashboard."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from sixdegrees.accounts.access import get_campaign_for_request
from sixdegrees.accounts.models import User
from sixdegrees.campaigns.intake import FIELDS, find_active_duplicate, start_campaign, validate_intake
from sixdegrees.lib.dblock import is_database_locked
from sixdegrees.lib.http import json_error
from sixdegrees.lib.ratelimit import RateLimited, enforce
from sixdegrees.web import dashboard as board
from sixdegrees.web.errors import database_busy, error_page
from sixdegrees.web.plans import landing_cards

logger = logging.getLogger(__name__)

# Per intake field: input type, autocomplete, placeholder and help (labels come from campaigns.intake).
INTAKE_EXTRA: dict[str, dict[str, Any]] = {
    "user_name": {
        "type": "text",
        "autocomplete": "name",
        "placeholder": gettext_lazy("e.g. Alice Chen"),
        "help": gettext_lazy("As it should appear in your emails."),
    },
    "user_email": {
        "type": "email",
        "autocomplete": "email",
        "placeholder": gettext_lazy("you@example.com"),
        "help": gettext_lazy("Your sign-in code goes here, and replies come back to it."),
    },
    "user_background": {
        "type": "text",
        "autocomplete": "off",
        "placeholder": gettext_lazy("e.g. Founder of a climate-tech startup; previously an ML engineer at Stripe."),
        "help": gettext_lazy("Who you are in a sentence or two. Introducers pass this on."),
    },
    "target_name": {
        "type": "text",
        "autocomplete": "off",
        "placeholder": gettext_lazy("e.g. Jane Doe"),
        "help": gettext_lazy("The person you would like a reply from."),
    },
    "target_company": {
        "type": "text",
        "autocomplete": "off",
        "placeholder": gettext_lazy("e.g. Partner at Sequoia Capital"),
        "help": gettext_lazy("Helps us find the right person and the people around them."),
    },
    "target_reason": {
        "type": "text",
        "autocomplete": "off",
        "placeholder": gettext_lazy(
            "e.g. We are raising our Series A, and Jane led two climate investments last year."
        ),
        "help": gettext_lazy("Be specific: a clear reason is what makes people pass your note on."),
    },
}
ABOUT_YOU = ("user_name", "user_email", "user_background")


def current_language() -> str:
    language = translation.get_language() or "en"
    return "zh-hans" if language.startswith("zh") else "en"


def landing(request: HttpRequest) -> HttpResponse:
    cards, note = landing_cards()
    return render(request, "web/landing.html", {"plans": cards, "plans_note": note})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "web/contact.html", {"contact_email": board.contact_address()})


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """The intake form. JavaScript posts to /api/intake; without it the form posts here."""
    values = {field.name: "" for field in FIELDS}
    errors: dict[str, str] = {}
    form_error = ""
    if request.method == "POST":
        values = {field.name: str(request.POST.get(field.name, "")) for field in FIELDS}
        try:
            enforce(request, "intake", settings.RATE_LIMIT_INTAKE)
        except RateLimited as exc:
            form_error = exc.error
        else:
            cleaned, errors = validate_intake(values)
            if not errors:
                duplicate = find_active_duplicate(request, cleaned)
                if duplicate is not None:
                    messages.info(
                        request,
                        _("You already have an active campaign to reach %(name)s; here it is.")
                        % {"name": duplicate.target_name},
                    )
                    return HttpResponseRedirect(board.campaign_url(duplicate.id))
                campaign, _user = start_campaign(request, cleaned, current_language())
                return HttpResponseRedirect(board.campaign_url(campaign.id))
            form_error = _("Please check the highlighted fields.")
    fields = []
    for field in FIELDS:
        extra = INTAKE_EXTRA[field.name]
        fields.append(
            {
                "name": field.name,
                "label": field.label,
                "max_length": field.max_length,
                "multiline": field.multiline,
                "value": values[field.name],
                "length": len(values[field.name]),
                "error": errors.get(field.name, ""),
                **extra,
            }
        )
    groups = [
        {"legend": _("About you"), "fields": [f for f in fields if f["name"] in ABOUT_YOU]},
        {"legend": _("About them"), "fields": [f for f in fields if f["name"] not in ABOUT_YOU]},
    ]
    done = sum(1 for f in fields if f["value"].strip() and not f["error"])
    js_strings = {
        "progress": _("%(done)s/%(total)s answered"),
        "analyzing": _("Analyzing your request…"),
        "required": _("Please fill in “%(field)s”."),
        "email": _("Please enter a valid email address, like name@example.com."),
        "check": _("Please check the highlighted fields."),
        "network": _("We could not reach SixDegrees. Check your connection and try again."),
        "server": _("Something went wrong on our side. Please try again in a moment."),
        "created": _("Your campaign is ready to open. Taking you to your dashboard…"),
    }
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/intake.html",
        {
            "groups": groups,
            "form_error": form_error,
            "done": done,
            "total": len(fields),
            "js_strings": js_strings,
        },
        status=status,
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """`/dashboard?campaign=<id>` shows one campaign; `/dashboard` lists this person's campaigns."""
    campaign_id = request.GET.get("campaign", "").strip()
    tab = request.GET.get("tab", "campaign")
    if tab not in board.TABS:
        tab = "campaign"
    campaign = None
    if campaign_id:
        try:
            campaign = get_campaign_for_request(request, campaign_id)
        except Http404:
            return render(request, "web/campaign_missing.html", status=404)
    context = board.page_context(request, campaign)
    context["tab"] = tab
    return render(request, "web/dashboard.html", context)


@require_GET
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The campaign and Connections panels, re-rendered for the page's live update."""
    campaign = get_campaign_for_request(request, request.GET.get("campaign", "").strip())
    context = board.page_context(request, campaign, live=True)
    response = render(request, "web/_live.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), and the signed-in person's saved language too."""
    response = set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in {c for c, _name in settings.LANGUAGES} and user.language != code:
        User.objects.filter(pk=user.pk).update(language=code)
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (JSON, the API docs)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(_("Not found."), 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except`, so the exception is still at hand.
    if is_database_locked(sys.exc_info()[1]):
        return database_busy(request)
    if request.path.startswith("/api/"):
        return json_error(_("Something went wrong on our side. Please try again in a moment."), 500)
    return error_page(status=500)
