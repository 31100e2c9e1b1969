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

    Sits after AuthenticationMiddleware; the cookie, set by the language switch, always wins.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            if language in self.codes:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
