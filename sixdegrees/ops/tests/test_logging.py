"""JSON log lines: secrets redacted wherever they hide, one request line per request with its id."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.lib.logs import JsonFormatter, RedactSecretsFilter, RequestContextFilter, request_id_var
from sixdegrees.ops.tests.helpers import ROOT
from sixdegrees.urls import urlpatterns as real_urlpatterns

ANTHROPIC_KEY = "sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1JkLz"
STRIPE_KEY = "sk_live_51HqLmNoPqRsTuVwXyZ"
WEBHOOK_SECRET = "whsec_9f8e7d6c5b4a3f2e1d0c"
PASSWORD = "hunter2-correct-horse"

view_logger = logging.getLogger("sixdegrees.tests.echo")


def echo(request: HttpRequest) -> JsonResponse:
    """A careless view: it logs every header and the raw body, as real code sometimes does."""
    view_logger.warning(
        "echo body=%s", request.body.decode(), extra={"event": "echo", "headers": dict(request.headers)}
    )
    view_logger.info("headers were %s", dict(request.headers))
    return JsonResponse({"ok": True})


# This module doubles as the URLconf for the request tests (see @pytest.mark.urls below).
urlpatterns = [path("echo", echo), *real_urlpatterns]


@pytest.fixture
def log_output():
    """A logger wired like settings.LOGGING's handlers, writing into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("sixdegrees.tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("message", "secret", "kept"),
    [
        ("Authorization: Bearer xyz", "xyz", "Authorization"),
        ("calling with Authorization: Bearer tok-12345678", "tok-12345678", "calling with"),
        ("Cookie: sessionid=abc123def456; csrftoken=Qq99Ww88", "abc123def456", "Cookie"),
        ("Cookie: sessionid=abc123def456; csrftoken=Qq99Ww88", "Qq99Ww88", "Cookie"),
        (f"anthropic call with {ANTHROPIC_KEY} failed", ANTHROPIC_KEY[8:], "failed"),
        (f"stripe key {STRIPE_KEY} rejected", STRIPE_KEY[8:], "rejected"),
        (f"webhook secret is {WEBHOOK_SECRET}", WEBHOOK_SECRET[6:], "webhook"),
        (f"GET /login?email=a@example.com&password={PASSWORD}&next=/", PASSWORD, "next=/"),
        (f'{{"email": "a@example.com", "password": "{PASSWORD}"}}', PASSWORD, "a@example.com"),
        (f'{{"new_password": "{PASSWORD}"}}', PASSWORD, "new_password"),
        (f"{{'HTTP_AUTHORIZATION': 'Token {PASSWORD}'}}", PASSWORD, "HTTP_AUTHORIZATION"),
        (f"DATABASE_URL=postgres://app:{PASSWORD}@db.internal:5432/six", PASSWORD, "DATABASE_URL"),
        (f"connecting to redis://default:{PASSWORD}@cache:6379/0", PASSWORD, "cache:6379"),
        (f"SIXDEGREES_SECRET_KEY={PASSWORD}", PASSWORD, "SIXDEGREES_SECRET_KEY"),
    ],
)
def test_it_redacts_secrets_in_messages(log_output, message, secret, kept):
    logger, stream = log_output

    logger.info(message)

    written = stream.getvalue()
    assert secret not in written
    assert "[redacted]" in written
    assert kept in lines(stream)[0]["event"]


def test_it_redacts_secrets_in_arguments(log_output):
    logger, stream = log_output

    logger.warning("calling anthropic with key %s and %r", ANTHROPIC_KEY, {"password": PASSWORD})

    written = stream.getvalue()
    assert ANTHROPIC_KEY[8:] not in written
    assert PASSWORD not in written
    assert "calling anthropic with key" in written


def test_it_redacts_secret_extra_fields(log_output):
    logger, stream = log_output

    logger.info(
        "calling the API",
        extra={
            "event": "api_call",
            "api_key": "plain-looking-value",
            "payload": {"user": "alice", "password": PASSWORD, "nested": [{"token": "t-0123456789"}]},
            "url": f"https://user:{PASSWORD}@example.com/x",
            "status_code": 500,
            "token_count": 42,
        },
    )

    written = stream.getvalue()
    for secret in ("plain-looking-value", PASSWORD, "t-0123456789"):
        assert secret not in written
    entry = lines(stream)[0]
    assert entry["api_key"] == "[redacted]"
    assert entry["payload"]["user"] == "alice"
    assert entry["status_code"] == 500
    assert entry["token_count"] == 42


def test_it_redacts_secrets_in_tracebacks(log_output):
    logger, stream = log_output

    def connect(url: str) -> None:
        raise ConnectionError(f"cannot reach {url} with key {ANTHROPIC_KEY}")

    try:
        connect(f"smtp://mailer:{PASSWORD}@smtp.example.com:587")
    except ConnectionError:
        logger.exception("sending failed", extra={"event": "smtp_failed"})

    written = stream.getvalue()
    assert PASSWORD not in written
    assert ANTHROPIC_KEY[8:] not in written
    entry = lines(stream)[0]
    assert "Traceback" in entry["exception"]
    assert "ConnectionError: cannot reach smtp://mailer:[redacted]@smtp.example.com:587" in entry["exception"]


# Configured secrets in shapes no pattern knows: a gateway's Anthropic key, a hand-made secret key.
ODD_SECRETS = {
    "SECRET_KEY": "q7#Lm2!pZ9@xR4$vN8^wK1&tH6*bC3(e",
    "ANTHROPIC_API_KEY": "gateway-7f3a9c2e1b",
    "GMAIL_APP_PASSWORD": "abcd efgh ijkl mnop",
    "EMAIL_HOST_PASSWORD": "abcd efgh ijkl mnop",
    "STRIPE_WEBHOOK_SECRET": "wh.0dd.shape.42",
    "METRICS_TOKEN": "m3tr1cs~t0k3n",
    "ENCRYPTION_KEYS": ["Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=", "b2xkLWtleS1zdGlsbC1yZWFkaW5n"],
    "DATABASE_URL": "postgres://six:p%40ss-w0rd!x@db.internal:5432/six",
    "REDIS_URL": "redis://:r3dis.pass.word@cache.internal:6379/0",
}
ODD_VALUES = [
    "q7#Lm2!pZ9@xR4$vN8^wK1&tH6*bC3(e",
    "gateway-7f3a9c2e1b",
    "abcd efgh ijkl mnop",
    "wh.0dd.shape.42",
    "m3tr1cs~t0k3n",
    "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=",
    "b2xkLWtleS1zdGlsbC1yZWFkaW5n",
    "p%40ss-w0rd!x",
    "p@ss-w0rd!x",
    "r3dis.pass.word",
]


@pytest.fixture
def odd_secrets(settings):
    for name, value in ODD_SECRETS.items():
        setattr(settings, name, value)


@pytest.mark.parametrize("value", ODD_VALUES)
def test_configured_secret_values_are_redacted_whatever_their_shape(log_output, odd_secrets, value):
    logger, stream = log_output

    def call_planner() -> None:
        raise RuntimeError(f"upstream refused {value!r} (no such key)")

    logger.info(f"using {value} now")
    logger.warning("retrying with %s", value, extra={"event": "retry", "detail": {"used": value}, "note": value})
    try:
        call_planner()
    except RuntimeError:
        logger.exception("planner failed", extra={"event": "planner_failed"})

    written = stream.getvalue()
    entries = lines(stream)
    assert value not in written
    assert entries[0]["event"] == "using [redacted] now"
    assert entries[1]["detail"] == {"used": "[redacted]"} and entries[1]["note"] == "[redacted]"
    assert "RuntimeError: upstream refused '[redacted]' (no such key)" in entries[2]["exception"]


def test_a_request_that_fails_with_the_key_in_its_error_logs_no_key(client, odd_secrets, monkeypatch, log_file_offset):
    def crash(_data):
        raise ValueError(f"planner key {ODD_SECRETS['ANTHROPIC_API_KEY']} was refused")

    monkeypatch.setattr("sixdegrees.campaigns.api.validate_intake", crash)
    client.raise_request_exception = False

    assert post_json(client, "/api/intake", INTAKE).status_code == 500

    written = raw_log_from(log_file_offset)
    assert "was refused" in written
    assert ODD_SECRETS["ANTHROPIC_API_KEY"] not in written


def test_every_secret_sixdegrees_secrets_knows_is_redacted():
    """A secret added to `sixdegrees secrets` is in the redaction list too (they share one table)."""
    from sixdegrees.lib.secret_settings import SECRET_SETTINGS
    from sixdegrees.ops.secrets import KNOWN

    assert {secret.name for secret in KNOWN} == set(SECRET_SETTINGS)


@pytest.mark.parametrize(
    "text",
    [
        "status_code=500",
        "token count 42",
        "input_tokens=1200 output_tokens=300 max_tokens=1024",
        "password reset email sent to alice@example.com",
        "Bearer token missing",
        "see https://example.com/docs/passwords?page=2",
        "pk_url_kwarg is not set",
        "task-queue sk-learn desk-lamp",
        "worker bypass=false",
    ],
)
def test_it_keeps_ordinary_text(log_output, text):
    logger, stream = log_output

    logger.info(text)

    assert lines(stream)[0]["event"] == text


def test_it_attaches_the_request_id(log_output):
    logger, stream = log_output
    token = request_id_var.set("req-0123456789")
    try:
        logger.info("inside a request")
    finally:
        request_id_var.reset(token)
    logger.info("outside")

    first, second = lines(stream)
    assert first["request_id"] == "req-0123456789"
    assert second["request_id"] is None


def raw_log_from(offset: int) -> str:
    return settings.LOG_FILE.read_bytes()[offset:].decode("utf-8")


def read_log_from(offset: int) -> list[dict]:
    return [json.loads(line) for line in raw_log_from(offset).splitlines()]


@pytest.fixture
def log_file_offset() -> int:
    """Where this test's lines start in the real log file (settings.LOG_FILE)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    return settings.LOG_FILE.stat().st_size if settings.LOG_FILE.exists() else 0


@pytest.mark.urls(__name__)
def test_a_request_writes_one_json_line_and_no_secrets(client, log_file_offset):
    response = client.post(
        "/echo?next=/home",
        data={"email": "alice@example.com", "password": PASSWORD},
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {ANTHROPIC_KEY}",
            "Cookie": "sessionid=s3ss10nvalue99",
            "Stripe-Signature": f"t=1,v1={WEBHOOK_SECRET}",
        },
    )

    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) >= 8
    raw = raw_log_from(log_file_offset)
    for secret in (ANTHROPIC_KEY[8:], PASSWORD, "s3ss10nvalue99", WEBHOOK_SECRET[6:]):
        assert secret not in raw
    entries = read_log_from(log_file_offset)
    request_lines = [e for e in entries if e.get("event") == "request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert {"time", "level", "event", "request_id", "method", "path", "status", "duration_ms"} <= set(line)
    assert line["request_id"] == request_id
    assert line["method"] == "POST"
    assert line["path"] == "/echo"
    assert line["status"] == 200
    assert line["level"] == "info"
    assert isinstance(line["duration_ms"], int | float)
    # The view's own lines were written too (redacted, not dropped) and carry the same id.
    echoes = [e for e in entries if e.get("logger") == "sixdegrees.tests.echo"]
    assert len(echoes) == 2
    assert all(e["request_id"] == request_id for e in echoes)
    assert "alice@example.com" in echoes[0]["message"]
    assert echoes[0]["headers"]["Authorization"] == "[redacted]"


@pytest.mark.django_db
def test_a_failing_request_logs_its_query_string_redacted(client, log_file_offset):
    # No worker heartbeat, so health answers 503 and django.request logs the request too.
    response = client.get(f"/api/health?api_key={STRIPE_KEY}&password={PASSWORD}")

    assert response.status_code == 503
    raw = raw_log_from(log_file_offset)
    assert STRIPE_KEY[8:] not in raw
    assert PASSWORD not in raw
    entries = read_log_from(log_file_offset)
    assert {e["logger"] for e in entries} >= {"sixdegrees.request", "django.request"}
    assert all(e["request_id"] == response["X-Request-ID"] for e in entries)
    assert [e["level"] for e in entries if e.get("event") == "request"] == ["error"]


@pytest.mark.parametrize(
    ("incoming", "echoed"),
    [
        ("lb-7f3a9c2e11d0", True),
        ("short", False),
        ("bad id\nwith newline", False),
        ("x" * 65, False),
    ],
)
@pytest.mark.django_db
def test_it_echoes_only_well_formed_incoming_request_ids(client, incoming, echoed):
    response = client.get("/api/health", headers={"X-Request-ID": incoming})

    assert (response["X-Request-ID"] == incoming) is echoed


SHARED_WRITER = """
import logging, sys, time
from pathlib import Path

from sixdegrees.lib.logs import SharedRotatingFileHandler

name, folder, lines = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
handler = SharedRotatingFileHandler(str(folder / "shared.log"), maxBytes=16_000, backupCount=100, encoding="utf-8")
logger = logging.getLogger("shared")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.002)
for i in range(lines):
    logger.info("%s %05d %s", name, i, "x" * 60)
"""


def test_processes_sharing_the_log_file_lose_no_lines(tmp_path):
    """`up` runs web workers and the task worker on one log file; rotation must not eat lines."""
    names, per_process = ("web1", "web2", "worker"), 1500
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", SHARED_WRITER, name, str(tmp_path), str(per_process)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 30
        while not all((tmp_path / f"ready-{name}").exists() for name in names):
            assert time.monotonic() < deadline, "writers never got ready"
            assert all(w.poll() is None for w in writers), [w.communicate() for w in writers]
            time.sleep(0.01)
        (tmp_path / "go").touch()
        outputs = [writer.communicate(timeout=60)[0] for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()

    assert all(writer.returncode == 0 for writer in writers), outputs
    assert not any("Logging error" in output for output in outputs), outputs
    files = sorted(tmp_path.glob("shared.log*"))
    assert len(files) > 5  # it did rotate, many times, while all three wrote
    written = [line for path in files if not path.name.endswith(".lock") for line in path.read_text().splitlines()]
    assert sorted(written) == sorted(f"{name} {i:05d} {'x' * 60}" for name in names for i in range(per_process))


def test_gunicorns_own_messages_are_json_and_redacted(settings):
    from gunicorn.config import Config

    from sixdegrees.cli.running import GunicornJsonLogger

    config = Config()
    config.set("errorlog", "-")
    config.set("loglevel", "warning")
    GunicornJsonLogger(config).error("worker boot failed with password=hunter2")

    text = Path(settings.LOG_FILE).read_text(encoding="utf-8")
    assert "hunter2" not in text
    lines = [json.loads(line) for line in text.splitlines() if '"gunicorn.error"' in line]
    assert lines and lines[-1]["event"] == "worker boot failed with password=[redacted]"
