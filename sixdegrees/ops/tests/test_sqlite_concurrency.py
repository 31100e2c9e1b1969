"""Two processes writing the same SQLite file at once: nothing lost, nothing "database is locked".

The web server and the worker are separate processes on one SQLite file; this pins the settings
that make that safe (WAL, busy timeout, IMMEDIATE transactions).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sixdegrees.ops.tests.helpers import ROOT, subprocess_env

INSERTS = 500
INCREMENTS = 100  # read-then-write transactions per process, on one shared row

WRITER = """
import sys, time
from pathlib import Path

import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.ops.models import WorkerHeartbeat

role, folder, inserts, increments = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if role == "setup":
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    User.objects.create_user("counter@example.com")
    sys.exit(0)

connection.ensure_connection()
(folder / f"ready-{role}").touch()
deadline = time.monotonic() + 30
while not (folder / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("never released")
    time.sleep(0.002)

every = inserts // increments
for i in range(inserts):
    now = timezone.now()
    with transaction.atomic():
        WorkerHeartbeat.objects.create(worker=f"{role}-{i}", beat_at=now, started_at=now)
    if i % every == 0:
        # Read, then write what was read: a lost update or a failed lock upgrade shows up here.
        with transaction.atomic():
            user = User.objects.get(email="counter@example.com")
            user.credits_balance += 1
            user.save(update_fields=["credits_balance"])
print(role, "done")
"""

COUNT = """
import django
django.setup()
from sixdegrees.accounts.models import User
from sixdegrees.ops.models import WorkerHeartbeat
print(WorkerHeartbeat.objects.count(), User.objects.get(email="counter@example.com").credits_balance)
"""


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def wait_for(paths: list[Path], processes: list[subprocess.Popen[str]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not all(p.exists() for p in paths):
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"a writer exited before the start: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"writers not ready within {seconds} s")
        time.sleep(0.01)


@pytest.mark.slow
def test_two_processes_write_at_once_without_losing_anything(tmp_path):
    data_dir = tmp_path / "data"
    env = subprocess_env(data_dir, SIXDEGREES_ENV="development", DJANGO_SETTINGS_MODULE="sixdegrees.settings")
    setup = run_python(WRITER, env, "setup", str(tmp_path), "0", "0")
    assert setup.returncode == 0, setup.stderr

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, role, str(tmp_path), str(INSERTS), str(INCREMENTS)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for role in ("a", "b")
    ]
    try:
        wait_for([tmp_path / "ready-a", tmp_path / "ready-b"], writers, seconds=30)
        (tmp_path / "go").touch()
        outputs = [writer.communicate(timeout=60)[0] for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()

    for writer, output in zip(writers, outputs, strict=True):
        assert "database is locked" not in output
        assert writer.returncode == 0, output
    counted = run_python(COUNT, env)
    assert counted.returncode == 0, counted.stderr
    rows, balance = map(int, counted.stdout.split())
    assert rows == 2 * INSERTS
    assert balance == 1 + 2 * INCREMENTS  # the welcome credit, and no read-then-write lost its update
