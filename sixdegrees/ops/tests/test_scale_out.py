"""The scale-out recipe from the README, for real: PostgreSQL + Redis, with `serve` and `worker`
as separate processes. The web process enqueues on Redis, the worker consumes from it and plans
the campaign in PostgreSQL, rate-limit counters live in Redis."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sixdegrees.conftest import INTAKE, free_port, need_service
from sixdegrees.ops.tests.backup_support import pg_database, pg_template, pg_url  # noqa: F401  (fixtures)
from sixdegrees.ops.tests.helpers import subprocess_env

pytestmark = [pytest.mark.services, pytest.mark.slow]

REDIS_DB = 7  # a database of its own on the shared server, emptied before and after


def redis_client():
    import redis

    return redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)


def redis_up() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def cli(*args: str) -> list[str]:
    command = Path(sys.executable).with_name("sixdegrees")
    return [str(command), *args] if command.exists() else [sys.executable, "-m", "sixdegrees", *args]


def wait_for(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {seconds} s")


def test_serve_and_worker_apart_on_postgresql_and_redis(tmp_path, pg_database):  # noqa: F811
    need_service(redis_up(), "Redis on 127.0.0.1:6379")
    redis_client().flushdb()
    env = subprocess_env(
        tmp_path / "data",
        DATABASE_URL=pg_url(pg_database),
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        SIXDEGREES_ENV="development",
    )
    port = free_port()
    logs = (tmp_path / "serve.log").open("wb"), (tmp_path / "worker.log").open("wb")
    web = subprocess.Popen(cli("serve", "--port", str(port), "--workers", "2"), env=env, stdout=logs[0], stderr=logs[0])
    worker = subprocess.Popen(cli("worker"), env=env, stdout=logs[1], stderr=logs[1])
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy():
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                    return json.loads(response.read())
            except (OSError, ValueError):
                return None

        assert wait_for(healthy, "health ok")["checks"]["worker"] == "ok"

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        request = urllib.request.Request(
            f"{base}/api/intake",
            data=json.dumps(INTAKE).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with opener.open(request, timeout=10) as response:
            campaign_id = json.loads(response.read())["campaign_id"]

        def ready():
            with opener.open(f"{base}/api/campaign/{campaign_id}", timeout=10) as response:
                body = json.loads(response.read())
            return body if body["status"] != "processing" else None

        body = wait_for(ready, "the plan")
        assert body["status"] == "ready" and len(body["paths"]) >= 2

        keys = [k.decode() for k in redis_client().keys("*")]
        assert any("huey" in k for k in keys), keys  # the task queue lives in Redis
        assert any("rl:" in k for k in keys), keys  # and so do the rate-limit counters
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
        redis_client().flushdb()
