"""The JSON API (django-ninja): one NinjaAPI, each app adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

from sixdegrees import __version__
from sixdegrees.ops.api import router as ops_router

api = NinjaAPI(
    title="SixDegrees API",
    version=__version__,
    description="Warm introductions: intake, campaigns, emails, health.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
api.add_router("", ops_router)
