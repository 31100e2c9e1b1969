"""`sixdegrees up`: one command starts web + worker, answers health, and stops everything it started."""

from __future__ import annotations

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

from sixdegrees.conftest import free_port
from sixdegrees.ops.tests.helpers import subprocess_env

START_DEADLINE_SECONDS = 30
STOP_DEADLINE_SECONDS = 10  # what `up` promises (children get 8 s before SIGKILL)


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
    """A running `sixdegrees up` with its output in files (a pipe nobody reads would block it)."""

    def __init__(self, tmp_path: Path):
        self.data_dir = tmp_path / "data"
        self.port = free_port()
        self.out_path = tmp_path / "up.out"
        self.err_path = tmp_path / "up.err"
        command = Path(sys.executable).with_name("sixdegrees")
        argv = [str(command)] if command.exists() else [sys.executable, "-m", "sixdegrees"]
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*argv, "up", "--port", str(self.port)],
                env=subprocess_env(self.data_dir, SIXDEGREES_ENV="development"),
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


@pytest.mark.slow
def test_it_stops_when_a_child_dies(up):
    up.wait_healthy()
    worker_pids = [
        pid
        for pid in processes_using(up.data_dir)
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    ]
    assert len(worker_pids) == 1, worker_pids
    os.kill(worker_pids[0], signal.SIGKILL)

    try:
        code = up.process.wait(timeout=STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`up` did not notice its worker died:\n{up.output()}")
    assert code != 0
    assert "A service process exited" in up.output()
    assert processes_using(up.data_dir) == []
