"""`sixdegrees up`: one command starts web + worker, answers health, restarts a child that dies, and
stops everything it started, even when it is killed itself."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sixdegrees.conftest import INTAKE, free_port
from sixdegrees.ops.tests.helpers import subprocess_env
from sixdegrees.strategy.tests.fake_anthropic import FakeAnthropic

START_DEADLINE_SECONDS = 30
STOP_DEADLINE_SECONDS = 10  # what `up` promises (children get 8 s before SIGKILL)
ORPHAN_DEADLINE_SECONDS = 5  # after kill -9 of `up`, its children are gone within this
PLAN_READY_DEADLINE_SECONDS = 90  # a dead worker's plan: 45 s lease + 10 s watchdog + the re-run


def processes_using(data_dir: Path) -> list[int]:
    """Every live process whose environment points at this data dir (children inherit it)."""
    marker = f"SIXDEGREES_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone already, or a kernel thread
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def get_health(port: int) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{port}/api/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


class Up:
    """A running `sixdegrees up` with its output in files (a pipe nobody reads would block it).

    `env` adds settings (production, a planner); `port` reuses one; `name` keeps a second run's
    output apart from the first's.
    """

    def __init__(self, tmp_path: Path, *, port: int | None = None, name: str = "up", **env: str):
        self.data_dir = tmp_path / "data"
        self.port = port or free_port()
        self.out_path = tmp_path / f"{name}.out"
        self.err_path = tmp_path / f"{name}.err"
        command = Path(sys.executable).with_name("sixdegrees")
        argv = [str(command)] if command.exists() else [sys.executable, "-m", "sixdegrees"]
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*argv, "up", "--port", str(self.port)],
                env=subprocess_env(self.data_dir, **{"SIXDEGREES_ENV": "development", **env}),
                cwd=tmp_path,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, like a terminal job
            )

    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def wait_healthy(self) -> dict:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        last: object = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`up` exited early ({self.process.returncode}):\n{self.output()}")
            try:
                status, body = get_health(self.port)
            except (OSError, ValueError) as exc:  # not listening yet
                last = exc
            else:
                last = (status, body)
                if status == 200 and body["checks"]["worker"] == "ok":
                    return body
            time.sleep(0.1)
        pytest.fail(f"not healthy within {START_DEADLINE_SECONDS} s (last: {last}):\n{self.output()}")

    def stop_everything(self) -> None:
        """Leave nothing behind even when an assertion failed half-way."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in processes_using(self.data_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def up(tmp_path):
    service = Up(tmp_path)
    try:
        yield service
    finally:
        service.stop_everything()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [
        pytest.param(signal.SIGTERM, False, id="SIGTERM-to-up"),  # docker stop, systemd, kill <pid>
        # A terminal signals the whole foreground process group, not just `up`.
        pytest.param(signal.SIGINT, True, id="SIGINT-Ctrl-C"),
        pytest.param(signal.SIGHUP, True, id="SIGHUP-terminal-closed"),
    ],
)
def test_it_serves_and_stops_everything(up, signum, whole_group):
    body = up.wait_healthy()
    assert body == {"status": "ok", "checks": {"database": "ok", "worker": "ok", "data_dir": "ok", "static": "ok"}}
    assert f"http://127.0.0.1:{up.port}/" in up.output()
    logged = [json.loads(line) for line in (up.data_dir / "logs" / "sixdegrees.log").read_text().splitlines()]
    assert any(e.get("event") == "request" and e.get("status") == 200 for e in logged)  # from gunicorn
    children = processes_using(up.data_dir)
    assert up.process.pid in children
    assert len(children) >= 4, children  # up, gunicorn master + worker, task worker

    started = time.monotonic()
    if whole_group:
        os.killpg(up.process.pid, signum)
    else:
        up.process.send_signal(signum)
    try:
        code = up.process.wait(timeout=STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`up` still running {STOP_DEADLINE_SECONDS} s after {signum.name}:\n{up.output()}")
    took = time.monotonic() - started

    assert processes_using(up.data_dir) == [], f"left running after {signum.name}"
    assert code == 0, up.output()
    assert "Stopped." in up.output()
    assert "Traceback" not in up.output()
    print(f"{signum.name} (group={whole_group}) -> all stopped in {took:.2f} s")


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_running(service: Up, role: str) -> list[int]:
    """Pids of `up`'s direct children started for `role` ("serve" or "worker")."""
    found = []
    for pid in processes_using(service.data_dir):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if role.encode() in argv and parent_of(pid) == service.process.pid:
                found.append(pid)
        except (OSError, IndexError):  # exited while we looked
            continue
    return found


def page_status(port: int, path: str = "/") -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Browser:
    """One session's cookies, for the campaign an intake creates."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post_json(self, path: str, data: dict) -> dict:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    def get_json(self, path: str) -> dict:
        with self.opener.open(self.base + path, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture
def slow_claude():
    """A fake Claude whose first request hangs until the test ends (the worker dies holding it)."""
    fake = FakeAnthropic().start()
    release = threading.Event()

    def hang(request):
        release.wait(PLAN_READY_DEADLINE_SECONDS + 30)
        return fake.good(request)

    fake.push(hang)
    fake.default = fake.good
    yield fake
    release.set()
    fake.stop()


@pytest.mark.slow
def test_a_killed_worker_is_restarted_and_its_plan_finishes(tmp_path, slow_claude):
    service = Up(
        tmp_path,
        STRATEGY_PLANNER="anthropic",
        ANTHROPIC_API_KEY="test-key-not-a-secret",
        ANTHROPIC_BASE_URL=slow_claude.url,
        ANTHROPIC_TIMEOUT_SECONDS="300",  # the hung request must not time out into the offline planner
        ANTHROPIC_MAX_RETRIES="0",
    )
    try:
        service.wait_healthy()
        browser = Browser(service.port)
        campaign_id = browser.post_json("/api/intake", INTAKE)["campaign_id"]
        deadline = time.monotonic() + 20
        while not slow_claude.requests:  # the worker claimed the plan and is waiting for Claude
            assert time.monotonic() < deadline, f"the plan was never started:\n{service.output()}"
            time.sleep(0.1)
        [worker] = children_running(service, "worker")
        os.kill(worker, signal.SIGKILL)
        killed_at = time.monotonic()

        statuses: list[int] = []
        restarted: list[int] = []
        campaign: dict = {}
        while time.monotonic() - killed_at < PLAN_READY_DEADLINE_SECONDS:
            statuses.append(page_status(service.port))  # the web server keeps answering meanwhile
            restarted = restarted or [pid for pid in children_running(service, "worker") if pid != worker]
            campaign = browser.get_json(f"/api/campaign/{campaign_id}")
            if campaign["status"] != "processing":
                break
            time.sleep(0.5)
        ready_after = time.monotonic() - killed_at

        assert service.process.poll() is None, f"`up` stopped:\n{service.output()}"
        assert campaign["status"] == "ready", f"not ready {ready_after:.0f} s after the kill:\n{service.output()}"
        assert campaign["planner"] == "anthropic"  # re-run by the new worker, not failed over
        assert restarted, "no new worker was started"
        assert set(statuses) == {200}, statuses
        assert page_status(service.port) == 200

        logged = [json.loads(line) for line in service.out_path.read_text().splitlines() if line.startswith("{")]
        [exited] = [e for e in logged if e.get("event") == "child_exited"]
        assert exited["child"] == "worker" and exited["signal"] == "SIGKILL" and exited["pid"] == worker
        with urllib.request.urlopen(f"http://127.0.0.1:{service.port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        assert 'sixdegrees_child_restarts_total{child="worker"} 1.0' in metrics
        assert 'sixdegrees_child_restarts_total{child="web"} 0.0' in metrics
        print(f"worker killed -> plan ready in {ready_after:.1f} s; {len(statuses)} page loads, all 200")
    finally:
        service.stop_everything()


@pytest.mark.slow
def test_kill_9_of_up_leaves_nothing_and_up_starts_again(tmp_path):
    first = Up(tmp_path)
    try:
        first.wait_healthy()
        assert len(processes_using(first.data_dir)) >= 4
        first.process.kill()
        first.process.wait()
        killed_at = time.monotonic()
        while (left := processes_using(first.data_dir)) and time.monotonic() - killed_at < ORPHAN_DEADLINE_SECONDS:
            time.sleep(0.1)
        gone_after = time.monotonic() - killed_at
        assert left == [], f"still running {ORPHAN_DEADLINE_SECONDS} s after kill -9 of `up`: {left}"
    finally:
        first.stop_everything()

    second = Up(tmp_path, port=first.port, name="up-again")
    try:
        second.wait_healthy()
        assert page_status(second.port) == 200
        assert "Address already in use" not in second.output()
    finally:
        second.stop_everything()
    print(f"kill -9 of up -> every child gone in {gone_after:.2f} s")


PRODUCTION = {
    "SIXDEGREES_ENV": "production",
    "SIXDEGREES_SECRET_KEY": "k3Jx9-production-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "SIXDEGREES_ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "https://sixdegrees.example.com",
    "SIXDEGREES_SSL_REDIRECT": "false",  # the test speaks plain HTTP to 127.0.0.1, as a proxy would
}


@pytest.mark.slow
def test_a_production_start_serves_pages_from_the_first_request(tmp_path):
    service = Up(tmp_path, **PRODUCTION)
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while True:  # the first answer `/` gives is the one that counts
            if service.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`up` never answered:\n{service.output()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{service.port}/", timeout=10) as response:
                    first_status, page = response.status, response.read().decode()
                break
            except urllib.error.HTTPError as exc:
                first_status, page = exc.code, exc.read().decode()
                break
            except OSError:  # not listening yet
                time.sleep(0.1)
        assert first_status == 200, f"{first_status}:\n{service.output()}"
        [stylesheet] = re.findall(r'href="(/static/css/base\.[0-9a-f]{12}\.css)"', page)
        assert page_status(service.port, stylesheet) == 200

        body = service.wait_healthy()
        assert body["checks"]["static"] == "ok"
        (service.data_dir / "static" / stylesheet.removeprefix("/static/")).unlink()
        status, body = get_health(service.port)
        assert status == 503 and body["failed"] == ["static"], body
        assert "css/base." in body["checks"]["static"]
    finally:
        service.stop_everything()
