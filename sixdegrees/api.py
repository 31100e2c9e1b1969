"""The JSON API (django-ninja): one NinjaAPI, each app adds its router, errors in one shape."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from sixdegrees import __version__
from sixdegrees.accounts.api import router as accounts_router
from sixdegrees.billing.api import router as billing_router
from sixdegrees.campaigns.api import router as campaigns_router
from sixdegrees.lib.dblock import is_database_locked
from sixdegrees.lib.http import BadRequest, json_error
from sixdegrees.lib.ratelimit import RateLimited
from sixdegrees.network.api import router as network_router
from sixdegrees.ops.api import router as ops_router
from sixdegrees.outreach.api import router as outreach_router
from sixdegrees.web.errors import database_busy

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="SixDegrees API",
    version=__version__,
    description="Warm introductions: intake, campaigns, emails, your network (contacts), sign-in, health. "
    'Errors always look like {"success": false, "error": "…", "fields": {…}}.',
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
api.add_router("", ops_router)
api.add_router("", accounts_router)
api.add_router("", campaigns_router)
api.add_router("", outreach_router)
api.add_router("", billing_router)
api.add_router("", network_router)


@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, exc: BadRequest) -> JsonResponse:
    # `extra`: more keys for the body, e.g. billing's NoCredits adds where to buy credits.
    response = json_error(exc.error, exc.status, exc.fields, **getattr(exc, "extra", {}))
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request: HttpRequest, exc: NinjaValidationError) -> JsonResponse:
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        fields[".".join(location) or "request"] = str(error.get("msg", ""))
    return json_error(_("Some parameters are not valid."), 400, fields)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> JsonResponse:
    # The same answer for someone else's campaign and a made-up id.
    return json_error(_("Not found."), 404)


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_locked(exc):
        # Another process holds SQLite's write lock: one short line, and 503 with Retry-After.
        logger.warning("database locked", extra={"event": "database_locked", "path": request.path})
        return database_busy(request)
    logger.exception("unhandled API error", extra={"event": "api_error", "path": request.path})
    return json_error(_("Something went wrong on our side. Please try again in a moment."), 500)
