"""Reading the service's JSON log: the rotated files in order, filters, and following the live file.

The log is `settings.LOG_FILE` plus its rotations `.1` (newest) … `.N` (oldest), written by every
process of the service (see lib/logs.py). One line is one JSON object whose first key is `time`,
an ISO 8601 UTC timestamp, so lines older than a cut-off are skipped without parsing them.
Everything read here passes through the redaction filter again before anyone sees it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from sixdegrees.lib.logs import redact_value

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_TIME_PREFIX = '{"time": "'
STATUS_FILTERS = ("error", "warning", "4xx", "5xx", "NNN")


class LogQueryError(ValueError):
    """A filter the operator typed that cannot be understood."""


def log_path() -> Path:
    return Path(settings.LOG_FILE)


def log_files(path: Path | None = None) -> list[Path]:
    """The live file and its rotations that exist, oldest first."""
    path = path or log_path()
    rotated = []
    for candidate in path.parent.glob(path.name + ".*"):
        suffix = candidate.name[len(path.name) + 1 :]
        if suffix.isdigit():
            rotated.append((int(suffix), candidate))
    files = [p for _n, p in sorted(rotated, reverse=True)]
    if path.exists():
        files.append(path)
    return files


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """`90s`, `30m`, `1h`, `2d`, `1w` ago, or an ISO 8601 time (UTC when it names no zone)."""
    now = now or dt.datetime.now(dt.UTC)
    match = _DURATION.match(text)
    if match:
        return now - dt.timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2].lower()])
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise LogQueryError(
            f"{text!r} is neither a duration like 30m, 1h, 2d nor a time like 2026-11-28T08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_status_filter(status: str | None) -> str | None:
    if status is None:
        return None
    value = status.strip().lower()
    if value in ("error", "errors"):
        return "error"
    if value in ("warning", "warn", "4xx", "5xx") or re.fullmatch(r"[1-5]\d\d", value):
        return "warning" if value == "warn" else value
    raise LogQueryError(f"--status takes error, warning, 4xx, 5xx or a status code like 502, not {status!r}")


def _status_of(record: dict[str, Any]) -> int | None:
    status = record.get("status")
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def is_error(record: dict[str, Any]) -> bool:
    """What counts as an error: a line at error level or above, or a response of 500 or more."""
    status = _status_of(record)
    return record.get("level") in ("error", "critical") or (status is not None and status >= 500)


def matches(record: dict[str, Any], status: str | None) -> bool:
    if status is None:
        return True
    code = _status_of(record)
    if status == "error":
        return is_error(record)
    if status == "warning":
        return record.get("level") in ("warning", "error", "critical") or (code is not None and code >= 400)
    if status in ("4xx", "5xx"):
        return code is not None and code // 100 == int(status[0])
    return code == int(status)


def _quick_reject(line: str, status: str | None) -> bool:
    """A cheap substring test that rules out most non-matching lines before parsing them."""
    if status is None or status == "warning":
        return False
    if status == "error":
        return not ('"level": "error"' in line or '"level": "critical"' in line or '"status": 5' in line)
    if status in ("4xx", "5xx"):
        return f'"status": {status[0]}' not in line
    return f'"status": {status}' not in line


def parse_line(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def record_time(record: dict[str, Any]) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _cutoff_text(since: dt.datetime) -> str:
    return since.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _records_from(
    lines: Iterable[str], since_text: str | None, status: str | None, grep: str | None = None
) -> Iterator[dict[str, Any]]:
    needle = grep.lower() if grep else None
    for line in lines:
        if (
            since_text
            and line.startswith(_TIME_PREFIX)
            and line[len(_TIME_PREFIX) : len(_TIME_PREFIX) + 29] < since_text
        ):
            continue
        if _quick_reject(line, status) or (needle and needle not in line.lower()):
            continue
        record = parse_line(line)
        if record is None or not matches(record, status):
            continue
        if since_text and str(record.get("time", "")) < since_text:
            continue
        shown = redact_value(record)
        # Matched on what is shown, so a search can never confirm a redacted secret.
        if needle and needle not in json.dumps(shown, ensure_ascii=False, default=str).lower():
            continue
        yield shown


def read(
    since: dt.datetime | None = None, status: str | None = None, path: Path | None = None, grep: str | None = None
) -> Iterator[dict[str, Any]]:
    """Matching records from every log file, oldest first (`grep`: a case-insensitive substring)."""
    since_text = _cutoff_text(since) if since else None
    for file in log_files(path):
        try:
            if since is not None and file.stat().st_mtime < since.timestamp():
                continue  # last written before the cut-off: every line in it is older
            with file.open(encoding="utf-8", errors="replace") as handle:
                yield from _records_from(handle, since_text, status, grep)
        except FileNotFoundError:
            continue  # rotated away between listing and opening


def tail(records: Iterable[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The last `count` records (all of them for 0)."""
    if count <= 0:
        return list(records)
    kept: list[dict[str, Any]] = []
    for record in records:
        kept.append(record)
        if len(kept) > count * 2:
            del kept[:-count]
    return kept[-count:]


def follow(
    path: Path | None = None,
    *,
    status: str | None = None,
    grep: str | None = None,
    poll_seconds: float = 0.5,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[dict[str, Any]]:
    """New records as they are written, across rotations, until `should_stop()` says so.

    Starts at the end of the live file. When the file is rotated (the path now names another
    file) the rest of the old one is read first, then the new one from its start; a file cut
    short is read again from its start.
    """
    path = path or log_path()
    handle: TextIO | None = None
    inode: int | None = None
    partial = ""

    def open_current(at_end: bool) -> None:
        nonlocal handle, inode
        try:
            new = path.open(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            handle, inode = None, None
            return
        inode = os.fstat(new.fileno()).st_ino
        if at_end:
            new.seek(0, os.SEEK_END)
        handle = new

    open_current(at_end=True)
    try:
        while True:
            line = handle.readline() if handle else ""
            if line:
                partial += line
                if not partial.endswith("\n"):
                    continue  # the writer is mid-line; the rest comes with the next read
                whole, partial = partial, ""
                yield from _records_from([whole], None, status, grep)
                continue
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if handle is None or current is None or current.st_ino != inode:
                if current is not None:  # rotated: the old file is fully read, the new one starts
                    if handle:
                        handle.close()
                    open_current(at_end=False)
                    partial = ""
                    continue
            elif current.st_size < handle.tell():
                handle.seek(0)  # truncated in place
                partial = ""
                continue
            if should_stop():
                return
            time.sleep(poll_seconds)
    finally:
        if handle:
            handle.close()


# --- Showing records to people ---------------------------------------------------------------------

_SHOWN_ELSEWHERE = {"time", "level", "logger", "event", "message", "exception", "request_id"}
_REQUEST_KEYS = {"method", "path", "route", "status", "duration_ms"}


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_record(record: dict[str, Any]) -> str:
    when = str(record.get("time", ""))[:19].replace("T", " ")
    level = str(record.get("level", "")).upper()
    if record.get("event") == "request":
        duration = record.get("duration_ms")
        took = f" {duration:.0f} ms" if isinstance(duration, int | float) else ""
        text = f"{record.get('method', '?')} {record.get('path', '?')} → {record.get('status', '?')}{took}"
        skip = _SHOWN_ELSEWHERE | _REQUEST_KEYS
    else:
        message = record.get("message") or record.get("event") or ""
        event = record.get("event") if record.get("message") and record.get("event") != message else None
        text = f"{record.get('logger', '?')}: {message}" + (f" [{event}]" if event else "")
        skip = _SHOWN_ELSEWHERE
    details = " ".join(f"{k}={_short(v)}" for k, v in record.items() if k not in skip and v not in (None, ""))
    line = f"{when} {level:<8} {text}"
    if details:
        line += f"  {details}"
    if record.get("request_id"):
        line += f"  (request {str(record['request_id'])[:12]})"
    exception = record.get("exception")
    if exception:
        last = [part for part in str(exception).strip().splitlines() if part.strip()]
        if last:
            line += f"\n    {last[-1].strip()}"
    return line
