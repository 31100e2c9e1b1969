"""A daemon thread that runs one job every N seconds until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Repeating(threading.Thread):
    """Runs `job` every `interval` seconds (the first time after one interval); a failing run is logged."""

    def __init__(self, name: str, interval: float, job: Callable[[], Any]):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.job = job
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.job()
            except Exception:
                logger.exception("a repeating job failed", extra={"event": "repeating_job_failed", "job": self.name})
            finally:
                close_old_connections()  # this thread's connection, like a task's

    def stop(self) -> None:
        self.stopped.set()
