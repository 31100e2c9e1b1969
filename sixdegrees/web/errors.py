"""Answers for requests that cannot be served: the friendly error page, 503 when busy, CSRF 403."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure

from sixdegrees.lib.http import json_error

logger = logging.getLogger(__name__)


def error_page(status: int = 500) -> HttpResponse:
    """The "something went wrong on our side" page, which must never fail itself."""
    html: str
    try:
        html = loader.render_to_string("500.html", {"home_url": reverse("web:landing")}, request=None)
    except Exception:
        logger.exception("could not render the error page")
        html = "<!doctype html><title>SixDegrees</title><h1>Something went wrong on our side.</h1>"
    return HttpResponse(html, status=status)


def database_busy(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the JSON error shape for the API, the error page's text for pages."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = json_error(_("SixDegrees is busy for a moment. Please try again in a few seconds."), 503)
    else:
        response = error_page(status=503)
    response["Retry-After"] = str(settings.DATABASE_BUSY_RETRY_AFTER)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the API's JSON shape for the API, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(_("Your session expired. Reload the page and try again."), 403)
    return django_csrf_failure(request, reason=reason)
