"""What `/api/health` (and later `sixdegrees status`/`doctor`) checks."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from sixdegrees.lib.dblock import is_database_locked, probe_write_lock
from sixdegrees.ops.models import WorkerHeartbeat
from sixdegrees.ops.static import static_problem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


# A monitor should hear that writes are stuck before the people clicking do (requests give up at
# SQLITE_REQUEST_TIMEOUT).
WRITE_LOCK_PROBE_SECONDS = 2


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        probe_write_lock(connection, WRITE_LOCK_PROBE_SECONDS)
    except Exception as exc:
        if is_database_locked(exc):
            logger.error("health: database locked", extra={"event": "health_database_locked", "error": str(exc)})
            return Check("database", False, "the database is locked by another process; writes cannot get through")
        logger.error("health: database unreachable", extra={"event": "health_database_failed", "error": str(exc)})
        return Check("database", False, "the database cannot be reached")
    return Check("database", True, "ok")


def last_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").first()


def check_worker() -> Check:
    try:
        beat = last_heartbeat()
    except Exception:
        return Check("worker", False, "the worker heartbeat cannot be read")
    if beat is None:
        return Check("worker", False, "no worker has reported in; start one with `sixdegrees worker`")
    age = (timezone.now() - beat.beat_at).total_seconds()
    if age > settings.WORKER_STALE_SECONDS:
        return Check("worker", False, f"the worker's last heartbeat was {int(age)} s ago")
    return Check("worker", True, "ok")


def check_data_dir() -> Check:
    if not os.access(settings.DATA_DIR, os.W_OK):
        # The path goes to the log, not to the unauthenticated health page.
        logger.error(
            "health: data dir not writable",
            extra={"event": "health_data_dir_failed", "data_dir": str(settings.DATA_DIR)},
        )
        return Check("data_dir", False, "the data directory is not writable")
    return Check("data_dir", True, "ok")


def check_static() -> Check:
    """Pages would fail (500, or no styling) when a file their templates name does not resolve."""
    try:
        problem = static_problem()
    except Exception as exc:  # a broken manifest file, an unreadable directory: pages would fail too
        problem = f"the static files cannot be read ({type(exc).__name__})"
    if problem:
        logger.error("health: static files broken", extra={"event": "health_static_failed", "error": problem})
        return Check("static", False, problem)
    return Check("static", True, "ok")


def run_checks() -> list[Check]:
    return [check_database(), check_worker(), check_data_dir(), check_static()]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_heartbeat(name: str, started_at=None) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=name, defaults={"beat_at": now}, create_defaults={"beat_at": now, "started_at": started_at or now}
    )


class HeartbeatThread(threading.Thread):
    """Beats for a running worker process until stopped (a daemon thread, gone with the process)."""

    def __init__(self, interval: float | None = None):
        super().__init__(name="sixdegrees-heartbeat", daemon=True)
        self.interval = interval or settings.WORKER_HEARTBEAT_SECONDS
        self.stopped = threading.Event()
        self.name_in_db = worker_name()
        self.started_at = timezone.now()

    def run(self) -> None:
        from django.db import close_old_connections

        while not self.stopped.is_set():
            try:
                record_heartbeat(self.name_in_db, self.started_at)
            except Exception:
                logger.exception("worker heartbeat could not be written", extra={"event": "heartbeat_failed"})
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
