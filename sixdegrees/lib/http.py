"""Reading request bodies and answering errors in the one JSON shape the API promises."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
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
# No honest body nests deeper than a few levels or carries a number longer than an id. Python's
# json would otherwise recurse until RecursionError (1,000 levels fit in 2 kB), turn a 5,000-digit
# number into a ValueError (the int-string conversion limit) and 1e999 into an infinite float.
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 32

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (checked before parsing)."""
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise BadRequest(_("A number in the request is too long."))
    return int(literal)


def _float(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise BadRequest(_("A number in the request is too long."))
    return value


def _constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser accepts them by default.
    raise BadRequest(_("The request body is not valid JSON."))


def parse_json(text: str) -> Any:
    """JSON text, parsed within the limits above; BadRequest (400) when it breaks one."""
    if _too_deep(text, MAX_JSON_DEPTH):
        raise BadRequest(_("The request body is nested too deeply."))
    try:
        return json.loads(text or "null", parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError:
        raise BadRequest(_("The request body is not valid JSON.")) from None


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


def json_body(request: HttpRequest, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The body parsed as JSON within the limits, once per request; BadRequest (400, 413) otherwise.

    ops.hardening.WriteGuardMiddleware calls this for every JSON write to the API, so a view that
    ignores its body (logout, regenerate) refuses a malformed one like the others do.
    """
    if not hasattr(request, "_sixdegrees_json"):
        body = _body(request, max_bytes)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(_("The request body is not valid UTF-8.")) from None
        request._sixdegrees_json = parse_json(text)  # type: ignore[attr-defined]
    return request._sixdegrees_json  # type: ignore[attr-defined]


def read_json_object(request: HttpRequest, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object, or BadRequest (415 for other media types, 400 for bad JSON)."""
    if media_type(request) != "application/json":
        raise BadRequest(_("Send the request as JSON (Content-Type: application/json)."), status=415)
    data = json_body(request, max_bytes)
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return data


def read_json_or_form(request: HttpRequest, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """JSON, or a classic form post (ops.hardening.WriteGuardMiddleware has checked its CSRF token)."""
    kind = media_type(request)
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _body(request, max_bytes)
        return {key: request.POST.get(key) for key in request.POST}
    return read_json_object(request)
