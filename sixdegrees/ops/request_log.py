"""One structured log line per request, with a request id the response echoes back.

In ops/, not lib/, because it counts requests in ops.metrics and lib/ imports nothing above it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sixdegrees.lib.logs import request_id_var
from sixdegrees.ops import metrics

logger = logging.getLogger("sixdegrees.request")

_VALID_INCOMING_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        metrics.enable()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            duration_ms = round(elapsed * 1000, 2)
            level = logging.ERROR if status >= 500 else logging.INFO
            route = getattr(getattr(request, "resolver_match", None), "route", None)
            logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "event": "request",
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id_var.reset(token)
            # The same request, counted for /metrics (status and latency per route pattern).
            metrics.observe_request(request.method or "", route, status, elapsed)
