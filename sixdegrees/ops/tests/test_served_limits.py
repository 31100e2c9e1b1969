"""Through a real gunicorn (`sixdegrees serve`) on SQLite: chunked bodies and a locked database.

Both depend on the real server: the test client never sends a chunked body, and only a second
process (here a second sqlite3 connection holding BEGIN IMMEDIATE) can hold the write lock.
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sixdegrees.conftest import INTAKE, free_port
from sixdegrees.lib.lifeline import stop_group
from sixdegrees.ops.tests.helpers import ROOT, subprocess_env
from sixdegrees.ops.tests.routes import api_write_routes, fill
from sixdegrees.ops.tests.test_scale_out import cli, wait_for

pytestmark = pytest.mark.slow


@dataclass
class Served:
    port: int
    database: Path
    log: Path

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read(), time.monotonic() - started
        finally:
            connection.close()

    def chunked(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        """A body sent as Transfer-Encoding: chunked, without Content-Length."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path)
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for start in range(0, len(body), 64):
                piece = body[start : start + 64]
                connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            connection.send(b"0\r\n\r\n")
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("served") / "data"
    port = free_port()
    env = subprocess_env(data_dir, SIXDEGREES_ENV="development", SIXDEGREES_RATE_LIMITS="false")
    log = data_dir.parent / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            cli("serve", "--migrate", "--port", str(port), "--workers", "1", "--threads", "4"),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    site = Served(port, data_dir / "sixdegrees.sqlite3", log)

    def answering() -> bool:
        if server.poll() is not None:
            pytest.fail(f"serve exited: {log.read_text()[-2000:]}")
        try:
            return site.request("GET", "/api/health")[0] in (200, 503)
        except OSError:
            return False

    try:
        wait_for(answering, "the server answering", seconds=60)
        yield site
    finally:
        stop_group(server)


# --- Chunked bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), api_write_routes(), ids=lambda v: str(v))
def test_a_chunked_body_is_refused_with_411_on_every_json_endpoint(served, method, path):
    status, body = served.chunked(method, fill(path, {}), json.dumps(INTAKE).encode())

    assert status == 411, body[:300]
    answer = json.loads(body)
    assert answer["success"] is False and "Content-Length" in answer["error"]


def test_the_same_body_with_content_length_works(served):
    status, _headers, body, _took = served.request(
        "POST", "/api/intake", json.dumps(INTAKE).encode(), {"Content-Type": "application/json"}
    )

    assert status == 200, body[:300]


def test_a_chunked_form_post_to_a_page_is_refused_too(served):
    status, _body = served.chunked("POST", "/intake", b"user_name=Alice")

    assert status == 411


# --- A locked database --------------------------------------------------------------------------------


@pytest.fixture
def write_lock(served) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction, as a backup or a long migration would hold it."""
    holder = sqlite3.connect(served.database, isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_write_during_a_lock_answers_503_with_retry_after_quickly(served, write_lock):
    status, headers, body, took = served.request(
        "POST", "/api/intake", json.dumps(INTAKE).encode(), {"Content-Type": "application/json"}
    )

    assert status == 503, body[:300]
    assert int(headers["Retry-After"]) >= 1
    answer = json.loads(body)
    assert answer["success"] is False and "busy" in answer["error"] and answer["fields"] == {}
    assert took < 6, f"took {took:.1f} s"


def test_a_page_write_during_a_lock_shows_the_error_page_with_503(served, write_lock):
    status, headers, page, _took = served.request("GET", "/intake")  # reads still work while locked
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    cookie = headers["Set-Cookie"].split(";")[0]
    form = "&".join([f"csrfmiddlewaretoken={token}", *(f"{k}={v.replace(' ', '+')}" for k, v in INTAKE.items())])

    status, headers, page, took = served.request(
        "POST",
        "/intake",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Referer": "http://127.0.0.1/"},
    )

    assert status == 503, page[:300]
    assert int(headers["Retry-After"]) >= 1
    assert b"Something went wrong on our side" in page
    assert b"Traceback" not in page
    assert took < 6, f"took {took:.1f} s"


def test_health_reports_the_locked_database(served, write_lock):
    status, _headers, body, took = served.request("GET", "/api/health")

    answer = json.loads(body)
    assert status == 503
    assert "database" in answer["failed"]
    assert "locked" in answer["checks"]["database"]
    assert took < 5, f"took {took:.1f} s"


def test_writes_and_health_recover_when_the_lock_is_released(served, write_lock):
    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")  # the fixture's ROLLBACK needs a transaction to end

    status, _headers, body, _took = served.request(
        "POST", "/api/intake", json.dumps(INTAKE).encode(), {"Content-Type": "application/json"}
    )
    health = json.loads(served.request("GET", "/api/health")[2])

    assert status == 200, body[:300]
    assert health["checks"]["database"] == "ok"
