from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router

from sixdegrees.ops.health import run_checks

router = Router(tags=["operations"])


@router.get(
    "/health",
    summary="Service health, for uptime monitors",
    description="200 when every check is ok; 503 naming the failed checks otherwise.",
    auth=None,
)
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    failed = [c for c in checks if not c.ok]
    body: dict[str, object] = {
        "status": "ok" if not failed else "fail",
        "checks": {c.name: ("ok" if c.ok else c.detail) for c in checks},
    }
    if failed:
        body["failed"] = [c.name for c in failed]
    response = JsonResponse(body, status=200 if not failed else 503)
    response["Cache-Control"] = "no-store"
    return response
