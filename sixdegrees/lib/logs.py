"""Structured JSON log lines, with the request context attached and secrets redacted.

Every handler carries RedactSecretsFilter, so a secret that reaches any log call
(in the message, its arguments, extra fields or a traceback) is masked before it is written:
the configured secrets' own values (lib.secret_settings), whatever their shape, and anything
that looks like a key, token or password.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import fcntl
import json
import logging
import logging.handlers
import os
import re
from functools import lru_cache
from typing import Any

from django.conf import settings

from sixdegrees.lib.secret_settings import secret_values

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REDACTED = "[redacted]"

# Keys whose values are secrets wherever they appear (JSON bodies, dict extras, headers, query strings).
_SENSITIVE_NAMES = (
    r"authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|apikey|"
    r"password|passwd|pass|secret|client_secret|token|access_token|refresh_token|id_token|"
    r"session(?:id)?|csrftoken|csrfmiddlewaretoken|stripe[_-]signature|app_password|"
    r"gmail_app_password|anthropic_api_key|stripe_secret_key|stripe_webhook_secret|"
    r"secret_key|private_key|login_code"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Vendor token shapes: Stripe keys (always _live_/_test_), Anthropic/OpenAI keys (sk-ant-…,
    # sk-proj-…, long), Stripe webhook secrets, bearer tokens. Narrow enough to leave identifiers
    # such as `pk_url_kwarg` alone.
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"), REDACTED),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}"), REDACTED),
    (re.compile(r"\bwhsec_[A-Za-z0-9]{8,}"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{6,}"), r"\1 " + REDACTED),
    # "key": "value" in JSON, key=value in query strings / form bodies / env dumps, key: value in headers.
    # A prefix counts too: "new_password", 'HTTP_AUTHORIZATION', "stripe_webhook_secret".
    (
        re.compile(rf'(?i)("(?:[a-z0-9_\-]*[_\-])?(?:{_SENSITIVE_NAMES})"\s*:\s*)"(?:[^"\\]|\\.)*"'),
        r'\1"' + REDACTED + '"',
    ),
    (
        re.compile(rf"(?i)('(?:[a-z0-9_\-]*[_\-])?(?:{_SENSITIVE_NAMES})'\s*:\s*)'(?:[^'\\]|\\.)*'"),
        r"\1'" + REDACTED + "'",
    ),
    (re.compile(rf"(?i)\b((?:[A-Z0-9_]*_)?(?:{_SENSITIVE_NAMES}))=([^&\s,;]+)"), r"\1=" + REDACTED),
    (re.compile(rf"(?im)^((?:{_SENSITIVE_NAMES})\s*:\s*).+$"), r"\1" + REDACTED),
    # user:password@ in URLs (DATABASE_URL, REDIS_URL, SMTP URLs).
    (re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^:/@\s]+:)[^@/\s]+@"), r"\1" + REDACTED + "@"),
]
_SECRET_KEY_RE = re.compile(rf"(?i)^(?:[a-z0-9_]*_)?(?:{_SENSITIVE_NAMES})$")


# Shorter configured values are not searched for: masking every "abc" would garble the log, and
# a secret that short is no secret (the shape patterns above still catch `password=abc`).
MIN_SECRET_LENGTH = 6


@lru_cache(maxsize=4)
def _values_pattern(values: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = set()
    for value in values:
        # As written, and as repr()/JSON would escape it inside a traceback or a dumped dict.
        forms |= {value, repr(value)[1:-1], json.dumps(value)[1:-1]}
    forms = {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
    if not forms:
        return None
    # Longest first, so a key that contains another is masked whole.
    return re.compile("|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)))


def _configured_secrets() -> re.Pattern[str] | None:
    if not settings.configured:
        return None
    try:
        values = tuple(secret_values(settings))
    except Exception:  # settings that fail to load must not stop the line that says so
        return None
    return _values_pattern(values)


def redact(text: str) -> str:
    configured = _configured_secrets()
    if configured is not None:
        text = configured.sub(REDACTED, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any, key: str | None = None) -> Any:
    if key is not None and _SECRET_KEY_RE.match(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else is written with str() (Django's `request` extra prints its full path, query
    # string included), so redact that text now rather than let the formatter print it raw.
    return redact(str(value))


# Attributes every LogRecord has; anything else came in through `extra=`.
_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, redact_value(value, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the redacted exc_text is what gets written
        return True


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # django.request logs 4xx/5xx after the middleware has returned, so the context
            # variable is already reset; the request it passes along still carries the id.
            record.request_id = request_id_var.get() or getattr(getattr(record, "request", None), "request_id", None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or record.getMessage(),
        }
        if getattr(record, "event", None):
            entry["message"] = record.getMessage()
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in entry and key != "event":
                entry[key] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class SharedRotatingFileHandler(logging.handlers.WatchedFileHandler):
    """A size-rotated log file that several processes can write at once.

    `sixdegrees up` runs the web workers and the task worker as separate processes on one
    log file. RotatingFileHandler is unsafe there: each process rotates on the size of its
    own open file, so they rename each other's files and lines are lost. Here the size of
    the file on disk decides, one process rotates under a lock, and the others notice the
    new file (WatchedFileHandler reopens when the path points at a different file).
    """

    # maxBytes/backupCount spelled as RotatingFileHandler's, so LOGGING settings carry over.
    def __init__(self, filename: str, maxBytes: int, backupCount: int, encoding: str | None = None):
        super().__init__(filename, encoding=encoding)
        self.max_bytes = maxBytes
        self.backup_count = backupCount

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._too_big():
                self._rotate()
        except OSError:
            self.handleError(record)
        super().emit(record)

    def _too_big(self) -> bool:
        try:
            return os.stat(self.baseFilename).st_size >= self.max_bytes > 0
        except FileNotFoundError:
            return False

    def _rotate(self) -> None:
        with open(self.baseFilename + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self._too_big():  # another process rotated while this one waited
                return
            for index in range(self.backup_count - 1, 0, -1):
                older = f"{self.baseFilename}.{index}"
                if os.path.exists(older):
                    os.replace(older, f"{self.baseFilename}.{index + 1}")
            if self.backup_count > 0:
                os.replace(self.baseFilename, f"{self.baseFilename}.1")
            else:
                os.truncate(self.baseFilename, 0)
