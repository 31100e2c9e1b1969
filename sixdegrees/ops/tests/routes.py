"""Every URL the service answers, enumerated from the URLconf, so a new endpoint is tested too."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from sixdegrees.api import api

WRITE_METHODS = ("post", "put", "patch", "delete")


def api_write_routes() -> list[tuple[str, str]]:
    """(METHOD, /api/path/{param}) for every state-changing operation of the JSON API."""
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            if method in WRITE_METHODS:
                routes.append((method.upper(), path))
    return sorted(routes)


def _walk(patterns: list, prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def url_patterns() -> list[str]:
    """Every route in the URLconf, e.g. "api/campaign/<campaign_id>/regenerate", "admin/<url>"."""
    return _walk(get_resolver().url_patterns)


def write_targets() -> list[tuple[str, str]]:
    """(METHOD, URL) for every route in the URLconf, each with the methods that could change state.

    API routes take the write methods their operations declare (POST when they declare none, as
    the docs pages do) and keep `{param}` placeholders for `fill`. Django views say which methods
    they take only by answering 405, so every page, admin and i18n route is tried with a POST:
    the CSRF check and the write rate limit apply to all of them alike.
    """
    declared: dict[str, list[str]] = {}
    for method, path in api_write_routes():
        declared.setdefault(path, []).append(method)
    targets = set()
    for route in url_patterns():
        route = re.sub(r"[\^$]|\\Z", "", route)  # the admin's regex routes
        if route.startswith("api/"):
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            targets.update((method, path) for method in declared.get(path, ["POST"]))
        else:
            path = "/" + re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)", "1", route).replace("\\", "")
            targets.add(("POST", path))
    return sorted(targets)


def fill(path: str, values: dict[str, str]) -> str:
    """/api/campaign/{campaign_id}/… with real ids; unknown parameters get a made-up one."""
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return re.sub(r"\{[a-z_]+\}", "x_made_up", path)
