"""Crashes: a worker that dies mid-send neither loses an email nor sends it twice.

The SMTP handler copies each accepted message into a Dovecot Sent folder, as Gmail does, so the
"accepted but died before marking it sent" window is closed by the Sent-folder check.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.utils import timezone

from sixdegrees.ops.tests.helpers import ROOT, subprocess_env
from sixdegrees.outreach import outbox, sender
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER, make_campaign, make_mailbox, queue_email


class Crash(BaseException):
    """The process dies here (nothing after it runs)."""


@pytest.fixture
def sent_folder_mailbox(alice, smtp_server, dovecot):
    smtp_server.handler.on_accept = lambda item: dovecot.append_sent(item.content)
    return make_mailbox(alice, smtp_server, imap=dovecot)


def _crash(*_args, **_kwargs):
    raise Crash


@pytest.mark.django_db(transaction=True)
def test_accepted_then_crashed_is_found_in_sent_and_not_sent_again(
    sent_folder_mailbox, smtp_server, dovecot, alice, monkeypatch
):
    email = queue_email(make_campaign(alice))
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "mark_sent", _crash)  # dies right after the server said 250
        with pytest.raises(Crash):
            sender.deliver(email.id)
    email.refresh_from_db()
    assert email.status == "sending" and email.message_id
    assert smtp_server.handler.message_ids() == [email.message_id] and dovecot.sent_count() == 1

    assert sender.deliver(email.id).handled == 0  # the lease still holds: nobody touches it
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=True):
        assert outbox.reclaim_expired() == 1
        assert sender.deliver(email.id).sent == 1
    email.refresh_from_db()
    assert email.status == "sent" and "Found in the Sent folder" in email.delivery_note
    assert smtp_server.handler.message_ids() == [email.message_id]  # still once


@pytest.mark.django_db(transaction=True)
def test_crashed_before_the_data_is_sent_after_checking_sent(sent_folder_mailbox, smtp_server, alice, monkeypatch):
    email = queue_email(make_campaign(alice))
    with monkeypatch.context() as patch:
        patch.setattr(sender.SmtpConnection, "send", _crash)
        with pytest.raises(Crash):
            sender.deliver(email.id)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301), tick=True):
        assert outbox.reclaim_expired() == 1
        email.refresh_from_db()
        assert email.status == "queued" and email.needs_sent_check
        assert sender.deliver(email.id).sent == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.delivery_note.startswith("Accepted by")
    assert smtp_server.handler.message_ids() == [email.message_id]


SEED = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.utils import timezone
    from sixdegrees.accounts.models import User
    from sixdegrees.campaigns.models import Campaign
    from sixdegrees.outreach.models import EmailOutreach, Mailbox

    smtp_port, cafile, imap_port, user, password, count = sys.argv[1:7]
    owner = User.objects.create_user("founder@example.com", name="Founder", email_verified=True)
    campaign = Campaign.objects.create(owner=owner, email=owner.email, user_name="创始人", target_name="Jane",
                                       status="in_progress")
    mailbox = Mailbox(owner=owner, address=user, smtp_host="127.0.0.1", smtp_port=int(smtp_port),
                      smtp_security="starttls", smtp_cafile=cafile, imap_host="127.0.0.1", imap_port=int(imap_port),
                      imap_security="none", min_interval_seconds=0, daily_cap=10000)
    mailbox.set_password(password)
    mailbox.save()
    now = timezone.now()
    EmailOutreach.objects.bulk_create(
        EmailOutreach(campaign=campaign, recipient_email=f"person{i}@example.org", recipient_name=f"第{i}位",
                      subject=f"你好 {i}", body="正文 body", status="queued", queued_at=now, next_attempt_at=now)
        for i in range(int(count))
    )
    """
)


def _statuses(database) -> Counter:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return Counter(dict(connection.execute("SELECT status, COUNT(*) FROM email_outreach GROUP BY status")))


KILL_SEED = 20261202


@pytest.mark.slow
def test_sigkilled_workers_deliver_every_email_exactly_once(tmp_path, smtp_server, dovecot):
    """200 emails; the sending process is SIGKILLed again and again mid-batch, then restarted.

    Every other kill comes from inside the SMTP server, after it accepted a message and before the
    worker hears "250": the window only the Sent-folder check can close. The others land anywhere.
    """
    total, kills_wanted = 200, 4
    victim = {"pid": 0, "kill_at": 0, "killed": False}

    def on_accept(item):
        dovecot.append_sent(item.content)
        if victim["kill_at"] and len(smtp_server.received) + 1 >= victim["kill_at"]:
            os.kill(victim["pid"], signal.SIGKILL)
            victim.update(kill_at=0, killed=True)

    smtp_server.handler.on_accept = on_accept
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = subprocess_env(
        data_dir,
        SIXDEGREES_ENV="development",
        SIXDEGREES_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SIXDEGREES_OUTBOX_LEASE_SECONDS="1",
        SIXDEGREES_LOG_LEVEL="warning",
        DJANGO_SETTINGS_MODULE="sixdegrees.settings",
    )
    python = sys.executable
    started = time.monotonic()
    (tmp_path / "seed.py").write_text(SEED)
    seed_args = [str(smtp_server.port), smtp_server.cafile, str(dovecot.port), SMTP_USER, SMTP_PASSWORD, str(total)]
    subprocess.run([python, str(tmp_path / "seed.py"), *seed_args], env=env, cwd=ROOT, check=True)
    database = data_dir / "sixdegrees.sqlite3"

    rng = random.Random(KILL_SEED)  # the same kill points every run, so a failure can be replayed
    kills, runs = 0, 0
    deadline = time.monotonic() + 90
    drain = [python, "-m", "sixdegrees", "outbox", "drain", "--max-wait", "3"]
    while time.monotonic() < deadline:
        runs += 1
        worker = subprocess.Popen(drain, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kills < kills_wanted:
            target = len(smtp_server.received) + rng.randint(1, 25)
            if kills % 2 == 0:  # the server kills it between accepting and answering
                victim.update(pid=worker.pid, kill_at=target, killed=False)
                worker.wait(timeout=max(1, deadline - time.monotonic()))
                victim["kill_at"] = 0
                kills += victim["killed"]
                continue
            while len(smtp_server.received) < target and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.005))
            if worker.poll() is None:
                worker.kill()
                kills += 1
            worker.wait()
            continue
        _out, err = worker.communicate(timeout=max(1, deadline - time.monotonic()))
        assert worker.returncode == 0, err.decode(errors="replace")
        if _statuses(database).get("sent") == total:
            break

    statuses = _statuses(database)
    delivered = Counter(smtp_server.handler.message_ids())
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        stored = {row[0] for row in connection.execute("SELECT message_id FROM email_outreach")}
        found_in_sent = connection.execute(
            "SELECT COUNT(*) FROM email_outreach WHERE delivery_note LIKE 'Found in the Sent folder%'"
        ).fetchone()[0]
    duplicates = {message_id: n for message_id, n in delivered.items() if n > 1}
    print(
        f"\n{kills} SIGKILLs over {runs} runs (seed {KILL_SEED}); {sum(delivered.values())} messages accepted for {total} emails; "
        f"duplicates {len(duplicates)}; {found_in_sent} found in the Sent folder after a kill; "
        f"{time.monotonic() - started:.1f} s"
    )
    assert kills == kills_wanted
    assert statuses == Counter({"sent": total}), statuses  # none lost, none left in `sending`
    assert duplicates == {}
    assert found_in_sent >= kills_wanted // 2  # each server-side kill was caught by the Sent check
    assert set(delivered) == stored and len(stored) == total
    assert dovecot.sent_count() == total
