"""Rate limits on public endpoints, counted in the Django cache by django-ratelimit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from sixdegrees.lib.http import BadRequest


class RateLimited(BadRequest):
    def __init__(self, retry_after: int):
        super().__init__(_("Too many requests. Please wait a little and try again."), status=429)
        self.retry_after = max(1, retry_after)


def _limited(request: HttpRequest, retry_after: int) -> RateLimited:
    exc = RateLimited(retry_after)
    # Whoever turns this into a 429 (the API's handler, a page view), ops.hardening.RetryAfterMiddleware
    # adds the header from this.
    request.ratelimit_retry_after = exc.retry_after  # type: ignore[attr-defined]
    return exc


def enforce(request: HttpRequest, group: str, rate: str, key: str = "ip") -> None:
    """Count this request against `rate` for its key; raise RateLimited past the limit."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        raise _limited(request, usage["time_left"])


def enforce_value(request: HttpRequest, group: str, rate: str, value: str) -> None:
    """Like `enforce`, keyed on a value from the body (e.g. the username of a login form)."""
    usage = get_usage(request, group=group, key=lambda _group, _request: value.lower(), rate=rate, increment=True)
    if usage and usage["should_limit"]:
        raise _limited(request, usage["time_left"])


def exceeded(request: HttpRequest, group: str, rate: str, *, value: str | None = None) -> bool:
    """Count one more against `rate`, keyed on the client's IP or on `value`; True past the limit.

    For limits the caller must not notice (a sign-in code that is quietly not sent).
    """
    key: Any = "ip" if value is None else (lambda _group, _request: value.lower())
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    return bool(usage and usage["should_limit"])
