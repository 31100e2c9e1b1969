"""`sixdegrees status`: the morning checklist, gathered into one report.

Each section says ok / warn / fail with the numbers behind it. The traffic numbers come from the
request log lines of the last hour (every web process writes them to the one log file, so they
cover all workers), the errors from the log lines of the last day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from sixdegrees import __version__
from sixdegrees.accounts.models import User
from sixdegrees.campaigns.models import Campaign
from sixdegrees.ops import logsearch
from sixdegrees.ops.backups import list_backups
from sixdegrees.ops.models import WorkerHeartbeat
from sixdegrees.outreach import tallies
from sixdegrees.outreach.models import EmailOutreach

OK, WARN, FAIL = "ok", "warn", "fail"
BACKUP_WARN_SECONDS = 2 * 3600  # hourly backups: two hours means one was missed
BACKUP_FAIL_SECONDS = 26 * 3600  # a day and then some: the RPO is long gone
ERROR_RATE_TARGET = 0.01  # the runbook's API error rate target (< 1 %)
P95_WARN_MS = 1000
OUTBOX_OVERDUE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class LatestBackup:
    id: str
    taken_at: dt.datetime
    age_seconds: float
    path: str


def latest_backup(now: dt.datetime | None = None) -> LatestBackup | None:
    """The newest backup whose data file is there (from the backup manifests, or file times)."""
    now = now or timezone.now()
    present = [b for b in list_backups() if b.path.is_file()]
    if not present:
        return None
    newest = present[-1]
    return LatestBackup(newest.id, newest.created_at, (now - newest.created_at).total_seconds(), str(newest.path))


def backup_state(backup: LatestBackup | None) -> str:
    if backup is None or backup.age_seconds > BACKUP_FAIL_SECONDS:
        return FAIL
    return WARN if backup.age_seconds > BACKUP_WARN_SECONDS else OK


def sqlite_path() -> Path | None:
    """The SQLite file in use, or None for another engine or an in-memory database."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or ":memory:" in name or name.startswith("file:"):
        return None
    return Path(name)


def missing_database_file() -> str:
    """Why the database cannot be there at all (connecting to a missing SQLite file would create it)."""
    path = sqlite_path()
    if path is not None and not path.exists():
        return f"the database file {path} does not exist"
    return ""


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def traffic(since: dt.datetime, minutes: float) -> dict[str, Any]:
    durations: list[float] = []
    server_errors = 0
    for record in logsearch.read(since=since):
        if record.get("event") != "request":
            continue
        status = record.get("status")
        if isinstance(status, int) and status >= 500:
            server_errors += 1
        duration = record.get("duration_ms")
        durations.append(float(duration) if isinstance(duration, int | float) else 0.0)
    count = len(durations)
    error_rate = server_errors / count if count else 0.0
    p95 = percentile(durations, 0.95)
    state = OK
    if count and (error_rate > ERROR_RATE_TARGET or (p95 or 0) > P95_WARN_MS):
        state = WARN
    return {
        "state": state,
        "window_minutes": int(minutes),
        "requests": count,
        "requests_per_minute": round(count / minutes, 2),
        "server_errors": server_errors,
        "error_rate": round(error_rate, 4),
        "p95_ms": round(p95, 1) if p95 is not None else None,
    }


def recent_errors(since: dt.datetime, keep: int = 5) -> dict[str, Any]:
    count = responses = 0
    latest: list[dict[str, Any]] = []
    for record in logsearch.read(since=since, status="error"):
        count += 1
        if record.get("event") == "request":
            responses += 1
        latest.append(
            {
                "time": record.get("time"),
                "event": record.get("event"),
                "message": record.get("message") or record.get("event"),
                "status": record.get("status"),
            }
        )
        del latest[:-keep]
    return {
        "state": WARN if count else OK,
        "count": count,
        "server_error_responses": responses,
        "latest": list(reversed(latest)),
    }


def database_section(by_status: dict[str, int] | None = None) -> dict[str, Any]:
    engine = connection.vendor
    missing = missing_database_file()
    if missing:
        return {"state": FAIL, "reachable": False, "engine": engine, "error": missing}
    try:
        counts = {
            "users": User.objects.count(),
            "campaigns": Campaign.objects.count(),
            "emails": sum(outbox_counts().values() if by_status is None else by_status.values()),
        }
    except DatabaseError as exc:
        return {"state": FAIL, "reachable": False, "engine": engine, "error": str(exc).splitlines()[0][:300]}
    return {"state": OK, "reachable": True, "engine": engine, **counts}


def worker_section(now: dt.datetime) -> dict[str, Any]:
    beats = list(WorkerHeartbeat.objects.order_by("-beat_at").values_list("worker", "beat_at"))
    if not beats:
        return {"state": FAIL, "last_beat_at": None, "age_seconds": None, "alive": 0, "worker": None}
    name, beat_at = beats[0]
    age = (now - beat_at).total_seconds()
    alive = sum(1 for _n, at in beats if (now - at).total_seconds() <= settings.WORKER_STALE_SECONDS)
    return {
        "state": OK if age <= settings.WORKER_STALE_SECONDS else FAIL,
        "last_beat_at": beat_at.isoformat(),
        "age_seconds": round(age, 1),
        "alive": alive,
        "worker": name,
    }


def outbox_counts() -> dict[str, int]:
    """Emails per status, from the tallies the database keeps (a few rows, whatever the history)."""
    counts = tallies.by_status()
    return {status: counts.get(status, 0) for status in EmailOutreach.Status.values}


def outbox_section(now: dt.datetime, by_status: dict[str, int] | None = None) -> dict[str, Any]:
    by_status = outbox_counts() if by_status is None else by_status
    failed_24h = EmailOutreach.objects.filter(
        status=EmailOutreach.Status.FAILED, updated_at__gte=now - dt.timedelta(days=1)
    ).count()
    overdue = (
        EmailOutreach.objects.filter(status=EmailOutreach.Status.QUEUED)
        .annotate(due=Coalesce("next_attempt_at", "queued_at", "created_at"))
        .filter(due__lt=now - OUTBOX_OVERDUE)
        .count()
    )
    stuck = EmailOutreach.objects.filter(Q(status=EmailOutreach.Status.SENDING), Q(lease_until__lt=now)).count()
    return {
        "state": WARN if (failed_24h or overdue or stuck) else OK,
        "by_status": by_status,
        "failed_last_24h": failed_24h,
        "queued_overdue": overdue,
        "sending_past_lease": stuck,
    }


def collect(now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything `sixdegrees status` shows, as data (the --json output)."""
    now = now or timezone.now()
    report: dict[str, Any] = {
        "version": __version__,
        "environment": settings.SIXDEGREES_ENV,
        "generated_at": now.isoformat(),
    }
    by_status: dict[str, int] | None = None
    try:
        # Read once for both sections; never open a missing SQLite file (that would create it).
        by_status = None if missing_database_file() else outbox_counts()
    except DatabaseError:  # the database section says why
        pass
    database = database_section(by_status)
    report["database"] = database
    if database["reachable"]:
        try:
            pending = pending_migrations()
            report["migrations"] = {"state": FAIL if pending else OK, "pending": pending}
            report["worker"] = worker_section(now)
            report["outbox"] = outbox_section(now, by_status)
        except DatabaseError as exc:  # e.g. a table the code expects is missing
            database.update(state=FAIL, error=str(exc).splitlines()[0][:300])
            broken = {"state": FAIL, "error": database["error"]}
            report.setdefault("migrations", {**broken, "pending": None})
            report.setdefault(
                "worker", {**broken, "last_beat_at": None, "age_seconds": None, "alive": None, "worker": None}
            )
            report.setdefault("outbox", {**broken, "by_status": None})
    else:
        unknown = {"state": FAIL, "error": "the database cannot be reached"}
        report["migrations"] = {**unknown, "pending": None}
        report["worker"] = {**unknown, "last_beat_at": None, "age_seconds": None, "alive": None, "worker": None}
        report["outbox"] = {**unknown, "by_status": None}
    report["errors_24h"] = recent_errors(now - dt.timedelta(days=1))
    report["traffic_1h"] = traffic(now - dt.timedelta(hours=1), 60)
    backup = latest_backup(now)
    report["backup"] = {
        "state": backup_state(backup),
        "latest_id": backup.id if backup else None,
        "taken_at": backup.taken_at.isoformat() if backup else None,
        "age_seconds": round(backup.age_seconds) if backup else None,
    }
    sections = ("database", "migrations", "worker", "outbox", "errors_24h", "traffic_1h", "backup")
    report["failed"] = [name for name in sections if report[name]["state"] == FAIL]
    report["warnings"] = [name for name in sections if report[name]["state"] == WARN]
    report["ok"] = not report["failed"]
    return report
