"""Response headers and per-person language for the pages.

The pages ship no inline script or style, so the Content-Security-Policy needs no 'unsafe-inline':
data for scripts travels in data-* attributes and <script type="application/json"> blocks, which
the browser never executes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Pages we do not render ourselves and that carry inline styles: Swagger UI sets style attributes,
# the unsubscribe page (outreach) has a <style> block, and Django's admin uses style attributes.
# Scripts stay 'self' everywhere.
RELAXED_STYLE_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
RELAXED_STYLE_PREFIXES = ("/api/docs", "/unsubscribe/", "/admin/")


def policy_for(path: str) -> str:
    return RELAXED_STYLE_POLICY if path.startswith(RELAXED_STYLE_PREFIXES) else POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response


class UserLanguageMiddleware:
    """A signed-in person without a language cookie (a new browser) gets their saved language.

    Sits after AuthenticationMiddleware. Only page views (GET, outside /api/) look the person up,
    and the answer is then kept in the language cookie, so it happens once per browser; the
    cookie, set by the language switch, always wins.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def _saved_language(self, request: HttpRequest) -> str:
        if request.method not in ("GET", "HEAD") or request.path.startswith(("/api/", "/static/")):
            return ""
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return ""
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        return language if language in self.codes else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._saved_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language:
            remember_language(response, language)
        return response


def remember_language(response: HttpResponse, language: str) -> None:
    """The language cookie, set exactly as Django's own set_language view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
