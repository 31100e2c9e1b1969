"""Reading request bodies and answering errors in the one JSON shape the API promises."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _


class BadRequest(Exception):
    """An input problem the caller can fix; becomes {"success": false, "error": …} with `status`."""

    def __init__(self, error: str, status: int = 400, fields: dict[str, str] | None = None):
        super().__init__(error)
        self.error = error
        self.status = status
        self.fields = fields or {}


def json_error(error: str, status: int = 400, fields: dict[str, str] | None = None, **extra: Any) -> JsonResponse:
    body: dict[str, Any] = {"success": False, "error": error, "fields": fields or {}}
    body.update(extra)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def media_type(request: HttpRequest) -> str:
    return (request.content_type or "").split(";")[0].strip().lower()


MAX_BODY_BYTES = 128 * 1024  # far above any honest API body; the intake is under 6 kB


def _body(request: HttpRequest, max_bytes: int) -> bytes:
    too_big = BadRequest(_("The request is too large."), status=413)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise too_big
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    if len(body) > max_bytes:
        raise too_big
    return body


def read_json_object(request: HttpRequest, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object, or BadRequest (415 for other media types, 400 for bad JSON)."""
    if media_type(request) != "application/json":
        raise BadRequest(_("Send the request as JSON (Content-Type: application/json)."), status=415)
    body = _body(request, max_bytes)
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except UnicodeDecodeError:
        raise BadRequest(_("The request body is not valid UTF-8.")) from None
    except json.JSONDecodeError:
        raise BadRequest(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return data


def read_json_or_form(request: HttpRequest, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """JSON, or a classic form post (which must carry a valid CSRF token)."""
    kind = media_type(request)
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _body(request, max_bytes)
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, lambda r: None, (), {})  # type: ignore[arg-type,return-value]
        if rejected is not None:
            raise BadRequest(_("Your session expired. Reload the page and try again."), status=403)
        return {key: request.POST.get(key) for key in request.POST}
    return read_json_object(request)
