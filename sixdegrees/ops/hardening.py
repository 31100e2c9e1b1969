"""Promises every request and response keeps, whichever view answers.

Bounded bodies (413, and 411 for a chunked body), Retry-After on every 429, a rate limit and a
CSRF check on every state-changing request (the JSON API included), and 503 rather than a hang
and a 500 when SQLite's write lock is held elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from sixdegrees.lib.dblock import is_database_locked, request_busy_timeout
from sixdegrees.lib.http import BadRequest, json_body, json_error, media_type
from sixdegrees.lib.ratelimit import RateLimited, enforce
from sixdegrees.network.importing import MAX_IMPORT_BYTES
from sixdegrees.web.errors import database_busy

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


# API operations (url names) that take a file upload, with the largest multipart body each accepts.
# Only a multipart/form-data body gets the larger limit; Django streams its files to disk
# (FILE_UPLOAD_MAX_MEMORY_SIZE), so the body is never held in memory whole. A JSON or form body to
# the same URL keeps DATA_UPLOAD_MAX_MEMORY_SIZE.
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the small fields beside the file
UPLOAD_LIMITS = {"import_contacts": MAX_IMPORT_BYTES + MULTIPART_OVERHEAD}


def upload_limit(request: HttpRequest) -> int | None:
    """The larger body limit of an upload route for this multipart request, else None."""
    if media_type(request) != "multipart/form-data":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return UPLOAD_LIMITS.get(match.url_name or "") if "api" in match.namespaces else None


class BodySizeLimitMiddleware:
    """A body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE gets 413 before any view runs.

    Django enforces the limit only when a view reads the body, so a view that ignores its body
    (logout, regenerate) would otherwise accept a megabyte and act on the request anyway. An upload
    route (UPLOAD_LIMITS) takes a multipart body up to its own limit instead.
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
            # Resolved only for a large body, so an ordinary request costs nothing more.
            upload = upload_limit(request)
            if upload is None:
                return _refuse(request, _("The request is too large."), 413)
            if declared > upload:
                message = _("The file is too large: one import takes at most %(limit)s MB.") % {
                    "limit": MAX_IMPORT_BYTES // 1024 // 1024
                }
                return _refuse(request, message, 413)
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
            "CONTENT_LENGTH"
        ):
            # Django reads a body without Content-Length as empty, so the view would act on nothing.
            # Refused rather than read: browsers and HTTP clients send Content-Length for every
            # form and JSON body, and the size limit above stays one check before any view runs.
            return _refuse(request, _("Send the request with a Content-Length header."), 411)
        return self.get_response(request)


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(message, status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# Authenticated by a signature over the body, not by cookies, and called by servers: no CSRF token
# to carry, and their own rate limit (a 429 makes Stripe retry later).
SIGNED_API_VIEWS = frozenset({"stripe_webhook"})
# Bodies a page on another site can post without a CORS preflight (Fetch standard, "CORS-safelisted").
SIMPLE_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "")


class WriteGuardMiddleware:
    """Every state-changing request is rate-limited, and the JSON API is CSRF-protected too.

    Django checks CSRF on the pages; django-ninja exempts its views, so the API's rule is here:
    a write that carries the session cookie, or a body a foreign page could post without a
    preflight (anything but application/json), must pass Django's CSRF check (the X-CSRFToken
    header base.js sends, or the form's token). A cookie-less JSON client (curl, a script, an
    origin in SIXDEGREES_CORS_ORIGINS) needs no token, since there is no session to ride on,
    but a browser on a foreign origin is refused all the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        match = request.resolver_match
        api = match is not None and "api" in match.namespaces
        signed = api and match is not None and match.url_name in SIGNED_API_VIEWS
        if not signed:
            route = match.route if match is not None else request.path
            try:
                enforce(request, f"write:{route}", settings.RATE_LIMIT_WRITE)
            except RateLimited as exc:
                return _refuse(request, exc.error, 429)
        if not api:
            return None  # Django's CsrfViewMiddleware, next in line, checks the pages
        if media_type(request) == "application/json":
            try:
                json_body(request)  # within the depth, number and size limits, whatever the view reads
            except BadRequest as exc:
                return json_error(exc.error, exc.status, exc.fields)
        if signed:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or media_type(request) in SIMPLE_MEDIA_TYPES:
            try:
                if upload_limit(request) is None:
                    # Read now, bounded, so the form parsing CSRF does leaves request.body to the view.
                    request.body  # noqa: B018
                else:
                    # An upload goes to Django's multipart parser instead, which streams the file to
                    # disk (BodySizeLimitMiddleware bounded the whole); its other fields keep the limit.
                    request.POST  # noqa: B018
            except RequestDataTooBig:
                return _refuse(request, _("The request is too large."), 413)
            except MultiPartParserError:
                return _refuse(request, _("The upload could not be read; please try again."), 400)
            return self.csrf.process_view(request, _csrf_protected, args, kwargs)
        if _foreign_browser(request):
            return json_error(_("Requests from other sites are not accepted."), 403)
        return None


def _csrf_protected(request: HttpRequest) -> HttpResponse:
    raise AssertionError("never called: only passed to CsrfViewMiddleware.process_view")


def _foreign_browser(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return request.headers.get("Sec-Fetch-Site") == "cross-site"
    own = f"{request.scheme}://{request.get_host()}"
    return origin not in {own, *settings.CSRF_TRUSTED_ORIGINS, *settings.CORS_ALLOWED_ORIGINS}


class DatabaseBusyMiddleware:
    """Requests wait seconds for SQLite's write lock; "database is locked" becomes a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_busy_timeout():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_locked(exception):
            return None
        # One short line, not a traceback per request while the lock lasts.
        logger.warning("database locked", extra={"event": "database_locked", "path": request.path})
        return database_busy(request)


class RetryAfterMiddleware:
    """Every 429 says when to come back (RFC 9110 §10.2.3), whichever view produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(getattr(request, "ratelimit_retry_after", DEFAULT_RETRY_AFTER))
        return response
