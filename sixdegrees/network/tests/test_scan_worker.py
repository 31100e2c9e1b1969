"""A mailbox scan queued the way the page queues it is run by `sixdegrees worker`, a separate process.

Regression: the worker registers only the tasks of each app's `tasks` module, and the scan's task
lived in scan_tasks.py alone, so a queued scan sat in "Waiting" for ever while the worker dropped
its message as an unknown task. The queueing process here is not the worker, so nothing but the
worker's own imports can make the task known to it.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sixdegrees import test_clock
from sixdegrees.network.tests.test_mailscan import NOW, OWNER, fill
from sixdegrees.ops.tests.helpers import ROOT, subprocess_env

pytestmark = pytest.mark.slow

QUEUE = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.db import transaction
    from sixdegrees.accounts.models import User
    from sixdegrees.network.scan_tasks import start_scan
    from sixdegrees.outreach.models import Mailbox

    host, port, user, password = sys.argv[1:5]
    owner = User.objects.create_user("alice@example.com", name="Alice Chen", email_verified=True)
    mailbox = Mailbox(owner=owner, address=user, smtp_host="127.0.0.1", imap_host=host, imap_port=int(port),
                      imap_security="none")
    mailbox.set_password(password)
    mailbox.save()
    with transaction.atomic():  # the task goes out on commit, as from the page's request
        print(start_scan(owner).pk)
    """
)


def cli(*args: str) -> list[str]:
    command = Path(sys.executable).with_name("sixdegrees")
    return [str(command), *args] if command.exists() else [sys.executable, "-m", "sixdegrees", *args]


def scan_row(database: Path, scan_id: str) -> tuple[str, int, str] | None:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        row = connection.execute(
            "SELECT status, messages_done, error FROM network_scans WHERE id = ?", (scan_id,)
        ).fetchone()
    return tuple(row) if row else None


def test_a_queued_scan_is_run_by_the_worker_process(tmp_path, mailbox, dovecot):
    fill(mailbox)
    before = mailbox.flags()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = subprocess_env(
        data_dir,
        SIXDEGREES_ENV="development",
        SIXDEGREES_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SIXDEGREES_LOG_LEVEL="warning",
        DJANGO_SETTINGS_MODULE="sixdegrees.settings",
    )
    # The children's clock stands just after the newest message, as the other scan tests' does.
    env[test_clock.OFFSET_VARIABLE] = repr(NOW.timestamp() - time.time())
    env["PYTHONPATH"] = str(test_clock.SITE_DIR)
    (tmp_path / "queue_scan.py").write_text(QUEUE)
    queued = subprocess.run(
        [
            sys.executable,
            str(tmp_path / "queue_scan.py"),
            dovecot.host,
            str(dovecot.port),
            dovecot.user,
            dovecot.password,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert queued.returncode == 0, queued.stderr
    scan_id = queued.stdout.strip()
    database = data_dir / "sixdegrees.sqlite3"
    assert scan_row(database, scan_id) == ("queued", 0, "")
    assert (data_dir / "tasks.sqlite3").exists()  # the message waits in the queue the worker reads

    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(cli("worker", "--no-periodic"), env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        row = scan_row(database, scan_id)
        while row is not None and row[0] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)  # another process is doing the work; there is nothing to wait on but its row
            row = scan_row(database, scan_id)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
        log.close()
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert row == ("done", 25, ""), worker_log
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (maria,) = connection.execute(
            "SELECT p.name FROM network_people p JOIN network_emails e ON e.person_id = p.id "
            "WHERE e.key = 'maria@acme.example' AND p.measured_strength > 0"
        ).fetchone()
        owner_mail = connection.execute("SELECT COUNT(*) FROM network_emails WHERE key = ?", (OWNER,)).fetchone()[0]
    assert maria == "Maria Souza"
    assert owner_mail == 0  # the owner is never a contact of their own
    assert mailbox.flags() == before  # read-only, in the worker too
