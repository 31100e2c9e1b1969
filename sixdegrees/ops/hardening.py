"""Two promises every response keeps, whichever view answered: bounded bodies and Retry-After."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sixdegrees.lib.http import json_error

DEFAULT_RETRY_AFTER = 60


class BodySizeLimitMiddleware:
    """A body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE gets 413 before any view runs.

    Django enforces the limit only when a view reads the body, so a view that ignores its body
    (logout, regenerate) would otherwise accept a megabyte and act on the request anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            message = _("The request is too large.")
            if request.path.startswith("/api/"):
                return json_error(message, 413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RetryAfterMiddleware:
    """Every 429 says when to come back (RFC 9110 §10.2.3), whichever view produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(getattr(request, "ratelimit_retry_after", DEFAULT_RETRY_AFTER))
        return response
