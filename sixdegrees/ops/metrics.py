"""`/metrics` in the Prometheus text format.

Two kinds of numbers:

- Counted as they happen, in every web process: requests by route, method and status, their
  latency, and log lines at error level. prometheus-client's multiprocess mode keeps them in
  small memory-mapped files under settings.METRICS_DIR (one per process), and a scrape adds the
  files up, so every gunicorn worker counts and a restarted worker's counts are not lost. This
  costs a few microseconds per request and no database write, which is why it was chosen over
  storing requests in the database (a write per request on SQLite would compete with the app)
  or parsing the log at scrape time (tens of MB per scrape).
- Read from the database at scrape time: emails by status, outbox depth, people, campaigns by
  status, strategy step durations (from campaign_steps), paused mailboxes, the worker heartbeat
  and the latest backup. The database is the truth for these; nothing can drift.

Access: from this machine (loopback, not through a proxy) always; from elsewhere only with
`Authorization: Bearer <SIXDEGREES_METRICS_TOKEN>`. Anyone else gets 403. Who the caller is comes
from lib.client_ip: the socket peer, or the proxy header the deployment configured, nothing else.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.lib.client_ip import client_ip, is_direct_local_call
from sixdegrees.ops.health import last_heartbeat
from sixdegrees.ops.status import latest_backup
from sixdegrees.ops.supervision import read_state
from sixdegrees.outreach import tallies
from sixdegrees.outreach.models import EmailOutreach, Mailbox

logger = logging.getLogger(__name__)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED_ROUTE = "(unmatched)"  # 404s for made-up paths share one label, so scanners cannot add series

REQUESTS = Counter(
    "sixdegrees_http_requests",
    "HTTP requests answered, by route pattern, method and status code.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "sixdegrees_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
LOG_ERRORS = Counter(
    "sixdegrees_log_errors",
    "Log lines at error level or above written by the web processes, by logger.",
    ["logger"],
    registry=None,
)
SIGNIN_CODES_REFUSED = Counter(
    "sixdegrees_signin_codes_refused",
    "Sign-in codes not sent because a limit was reached, by limit (address or ip).",
    ["limit"],
    registry=None,
)
STEP_BUCKETS_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)


_counting_failed = False


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    global _counting_failed
    method = method if method in _METHODS else "OTHER"
    route = route or UNMATCHED_ROUTE
    try:
        REQUESTS.labels(route=route, method=method, status=str(status)).inc()
        LATENCY.labels(route=route, method=method).observe(seconds)
    except Exception as exc:  # e.g. a full disk cannot grow the counter file: never fail the request
        if not _counting_failed:
            _counting_failed = True
            logger.warning("metrics: cannot count requests", extra={"event": "metrics_write_failed", "error": str(exc)})


def count_signin_code_refused(limit: str) -> None:
    try:
        SIGNIN_CODES_REFUSED.labels(limit=limit).inc()
    except Exception:  # counting must never fail the request
        logger.debug("metrics: cannot count a refused sign-in code", exc_info=True)


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            LOG_ERRORS.labels(logger=record.name).inc()
        except Exception:  # counting must never break logging
            self.handleError(record)


_lock = threading.Lock()
_error_counter: ErrorCounter | None = None


def enable() -> None:
    """Count error log lines in this process (called once a web process loads its middleware).

    Only web processes count: a CLI run such as `sixdegrees doctor` logs errors too, and each would
    leave its own file in the metrics directory.
    """
    global _error_counter
    with _lock:
        if _error_counter is None:
            _error_counter = ErrorCounter()
        root = logging.getLogger()
        if _error_counter not in root.handlers:  # a second logging setup drops handlers it did not make
            root.addHandler(_error_counter)


def reset_multiprocess_dir(directory: Path | None = None) -> int:
    """Empty the metrics directory before the web server starts its workers (counters restart)."""
    folder = Path(directory or settings.METRICS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    removed = 0
    for file in folder.glob("*.db"):
        file.unlink(missing_ok=True)
        removed += 1
    return removed


# --- Scrape-time numbers from the database ------------------------------------------------------------


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("sixdegrees_database_up", "1 when the database answered this scrape's queries.")
        try:
            families = list(self._families())
        except DatabaseError as exc:
            logger.error(
                "metrics: database query failed", extra={"event": "metrics_database_failed", "error": str(exc)}
            )
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Any]:
        now = timezone.now()
        email_counts = tallies.by_status()  # kept by the database: no scan of the sent history per scrape
        emails = GaugeMetricFamily("sixdegrees_emails", "Emails in the outbox table, by status.", labels=["status"])
        for status in EmailOutreach.Status.values:
            emails.add_metric([status], email_counts.get(status, 0))
        yield emails
        yield GaugeMetricFamily(
            "sixdegrees_outbox_depth",
            "Emails approved and not yet sent (queued or being sent).",
            value=email_counts.get("queued", 0) + email_counts.get("sending", 0),
        )

        campaign_counts = dict(Campaign.objects.values_list("status").annotate(n=Count("id")).order_by())
        campaigns = GaugeMetricFamily("sixdegrees_campaigns", "Campaigns, by status.", labels=["status"])
        for status in Campaign.Status.values:
            campaigns.add_metric([status], campaign_counts.get(status, 0))
        yield campaigns
        yield GaugeMetricFamily("sixdegrees_users", "People with an account.", value=User.objects.count())

        paused = Mailbox.objects.filter(Q(paused_until__gt=now) | Q(pause_reason=Mailbox.PauseReason.AUTH)).count()
        yield GaugeMetricFamily(
            "sixdegrees_mailboxes_paused", "Mailboxes not sending (quota or refused password).", value=paused
        )

        beat = last_heartbeat()
        if beat is not None:
            yield GaugeMetricFamily(
                "sixdegrees_worker_heartbeat_age_seconds",
                "Seconds since a worker last reported in.",
                value=(now - beat.beat_at).total_seconds(),
            )

        backup = latest_backup()
        if backup is not None:
            yield GaugeMetricFamily(
                "sixdegrees_backup_age_seconds", "Seconds since the latest backup was taken.", value=backup.age_seconds
            )

        yield self._step_durations(CampaignStep)

    def _step_durations(self, step_model: Any) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "sixdegrees_strategy_step_duration_seconds",
            "How long each strategy operation took (research, path finding, drafting), from campaign_steps.",
            labels=["step_type", "planner", "status"],
        )
        buckets = {
            f"le_{index}": Count("id", filter=Q(duration_ms__lte=limit * 1000))
            for index, limit in enumerate(STEP_BUCKETS_SECONDS)
        }
        rows = (
            step_model.objects.filter(duration_ms__isnull=False)
            .values("step_type", "planner", "status")
            .annotate(total=Count("id"), total_ms=Sum("duration_ms"), **buckets)
            .order_by("step_type", "planner", "status")
        )
        for row in rows:
            family.add_metric(
                [row["step_type"], row["planner"] or "unknown", row["status"]],
                [(floatToGoString(limit), row[f"le_{index}"]) for index, limit in enumerate(STEP_BUCKETS_SECONDS)]
                + [("+Inf", row["total"])],
                (row["total_ms"] or 0) / 1000,
            )
        return family


class SupervisorCollector(Collector):
    """Restarts `sixdegrees up` made since it started, from its state file (ops/supervision.py)."""

    def collect(self) -> Iterator[Any]:
        state = read_state()
        if state is None:
            return  # not under `up` (serve/worker run by systemd or by hand)
        children = state.get("children") or {}
        restarts = CounterMetricFamily(
            "sixdegrees_child_restarts",
            "Times `sixdegrees up` restarted a process that had exited, by process, since `up` started.",
            labels=["child"],
        )
        running = GaugeMetricFamily(
            "sixdegrees_child_up", "1 when the process `sixdegrees up` supervises is running.", labels=["child"]
        )
        for name, child in sorted(children.items()):
            restarts.add_metric([name], child.get("restarts", 0))
            running.add_metric([name], 1 if child.get("pid") else 0)
        yield restarts
        yield running


def render() -> bytes:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(settings.METRICS_DIR))
    registry.register(DatabaseCollector())
    registry.register(SupervisorCollector())
    return generate_latest(registry)


# --- The endpoint ---------------------------------------------------------------------------------


def is_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given[:7].lower() == "bearer " and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    # Only a caller on this machine itself; a visitor relayed by a local proxy is not one.
    return is_direct_local_call(request)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not is_allowed(request):
        logger.warning(
            "metrics: refused",
            extra={"event": "metrics_refused", "client_ip": client_ip(request)},
        )
        return HttpResponse(
            "Forbidden: /metrics answers this machine, or a request with the bearer token "
            "set in SIXDEGREES_METRICS_TOKEN.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
