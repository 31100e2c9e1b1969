"""SQLite's write lock, seen from a web request: wait a few seconds for it, then answer "busy".

One writer at a time holds an SQLite file. The worker may wait long for its turn (nobody is
watching), but a person clicking a button should hear within seconds that the service is busy
(503 with Retry-After) rather than watch a spinner for the worker's 30 s and then get a 500.
Web requests therefore run with a shorter busy timeout than the connection's configured one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

_request_timeout: ContextVar[float | None] = ContextVar("sixdegrees_request_busy_timeout", default=None)


def is_database_locked(exc: BaseException | None) -> bool:
    """SQLite's "database is locked" (another process holds the write lock past our busy timeout)."""
    return isinstance(exc, OperationalError | sqlite3.OperationalError) and "locked" in str(exc).lower()


def configured_timeout(wrapper: BaseDatabaseWrapper) -> float:
    return float(wrapper.settings_dict.get("OPTIONS", {}).get("timeout", 5))


def set_busy_timeout(wrapper: BaseDatabaseWrapper, seconds: float) -> None:
    if wrapper.vendor == "sqlite" and wrapper.connection is not None:
        wrapper.connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")


def current_timeout(wrapper: BaseDatabaseWrapper) -> float:
    seconds = _request_timeout.get()
    return seconds if seconds is not None else configured_timeout(wrapper)


def probe_write_lock(wrapper: BaseDatabaseWrapper, seconds: float) -> None:
    """Take and release SQLite's write lock, waiting at most `seconds`; OperationalError if locked.

    A plain SELECT succeeds while another process holds the write lock (WAL readers never wait),
    so only this tells a monitor that every write is about to time out.
    """
    if wrapper.vendor != "sqlite" or wrapper.in_atomic_block:
        return  # inside a transaction this connection already holds the lock (or will wait on it)
    wrapper.ensure_connection()
    raw = wrapper.connection
    set_busy_timeout(wrapper, seconds)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    finally:
        set_busy_timeout(wrapper, current_timeout(wrapper))


def apply_request_timeout(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: a connection opened while a request runs gets the request's timeout."""
    seconds = _request_timeout.get()
    if seconds is not None:
        set_busy_timeout(connection, seconds)


@contextmanager
def request_busy_timeout() -> Iterator[None]:
    """For the length of a request, SQLite waits at most SQLITE_REQUEST_TIMEOUT for the write lock."""
    if connection.vendor != "sqlite":
        yield
        return
    token = _request_timeout.set(settings.SQLITE_REQUEST_TIMEOUT)
    with suppress(sqlite3.Error):  # a broken connection is the request's to report, not ours
        set_busy_timeout(connection, settings.SQLITE_REQUEST_TIMEOUT)  # one kept from before
    try:
        yield
    finally:
        _request_timeout.reset(token)
        # Outside requests (tests, a shell) the same connection waits as long as configured again.
        with suppress(sqlite3.Error):
            set_busy_timeout(connection, configured_timeout(connection))
