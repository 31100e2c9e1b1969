"""The send benchmark's measurements, run inside one scratch installation (bench/send.py starts it).

Imports Django models, so it is loaded only after django.setup() (the leading underscore keeps the
benchmark discovery in bench/__main__.py from importing it). It reads a JSON config file named on
the command line and prints one JSON line of results. It calls only public entry points of the
product: `runner.drain()`, `ops.status.collect()`, the intake API and `planning.run_plan()`.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import json
import os
import re
import smtplib
import ssl
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.campaigns import planning
from sixdegrees.campaigns.models import Campaign, TimelineEvent
from sixdegrees.ops import status
from sixdegrees.outreach import runner
from sixdegrees.outreach.models import EmailOutreach, Mailbox

Status = EmailOutreach.Status
ROUND_SECONDS = 8
IDLE_SECONDS = 1.5  # more than Huey's longest poll interval had been (1 s)
SUBJECT = "想请您帮忙引荐 — a quick intro?"
BODY = "王小明您好：\n\n我是陈爱丽。听说您认识 Jane，能否帮忙引荐？\n\n谢谢！\n爱丽\n" * 4
INTAKE = {
    "user_name": "Alice Chen",
    "user_email": "alice@example.com",
    "user_background": "Founder of a climate-tech startup; previously ML engineer at Stripe; Stanford alumna.",
    "target_company": "Partner at Sequoia Capital",
    "target_reason": "We are raising our Series A and Jane led two climate investments last year.",
}


class Counter:
    """Counts the statements the product runs (reads, writes) and its transactions (commits)."""

    def __init__(self) -> None:
        self.reads = self.writes = self.commits = 0

    def __call__(self, execute, sql, params, many, context):  # a Django execute_wrapper
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb == "WITH":  # a CTE that changes rows (the claim, "sent" with its event) is a write
            verb = "UPDATE" if re.search(r"\b(UPDATE|INSERT|DELETE)\b", sql, re.IGNORECASE) else "SELECT"
        if verb == "SELECT":
            self.reads += 1
        elif verb in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1
            if not connection.in_atomic_block:
                self.commits += 1  # autocommit: the statement is its own transaction
        return execute(sql, params, many, context)


@contextmanager
def counted() -> Iterator[Counter]:
    counter = Counter()
    commit = connection.commit

    def counting_commit() -> None:  # transaction.atomic() ends with connection.commit()
        counter.commits += 1
        commit()

    connection.commit = counting_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(counter):
            yield counter
    finally:
        del connection.commit


def best_ms(action: Callable[[], object], times: int = 15) -> float:
    """The fastest of `times` runs after a warm-up: what the work itself costs, which is what
    grows with the tables, without the other processes on a shared machine. The garbage collector
    is off while timing (as `timeit` does): a full collection costs in proportion to everything
    this long-running process holds, which grows as the benchmark goes on, not with the tables."""
    action()
    taken = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(times):
            started = time.perf_counter()
            action()
            taken.append((time.perf_counter() - started) * 1000)
    finally:
        gc.enable()
    return min(taken)


class Scene:
    """The scratch installation's people, mailboxes and rows."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.sink = config["sink"]
        self.serial = 0
        now = timezone.now()
        self.owner = User.objects.create_user("sender@bench.test", name="Bench Sender", email_verified=True)
        self.mailbox = Mailbox(
            owner=self.owner,
            address=self.sink["user"],
            smtp_host=self.sink["host"],
            smtp_port=self.sink["port"],
            smtp_security=Mailbox.Security.STARTTLS,
            smtp_cafile=self.sink["cafile"],
            imap_host="",
            min_interval_seconds=0,  # pacing off
            daily_cap=10**9,
        )
        self.mailbox.set_password(self.sink["password"])
        self.mailbox.save()
        self.campaign = Campaign.objects.create(
            owner=self.owner,
            email=self.owner.email,
            user_name="陈爱丽 Alice Chen",
            target_name="Jane Doe",
            target_company="Partner at Sequoia",
            language="en",
            status=Campaign.Status.IN_PROGRESS,
        )
        # Other people's rows: a mailbox paused for its quota holds a backlog the drain looks at but cannot send.
        self.other = User.objects.create_user("backlog@bench.test", name="Backlog", email_verified=True)
        other_mailbox = Mailbox(
            owner=self.other,
            address="backlog@bench.test",
            smtp_host=self.sink["host"],
            smtp_port=self.sink["port"],
            smtp_cafile=self.sink["cafile"],
            pause_reason=Mailbox.PauseReason.QUOTA,
            paused_until=now + dt.timedelta(days=30),
        )
        other_mailbox.set_password(self.sink["password"])
        other_mailbox.save()
        self.history = User.objects.create_user("history@bench.test", name="History", email_verified=True)

    def _ids(self, prefix: str, count: int) -> list[str]:
        start, self.serial = self.serial, self.serial + count
        return [f"email_{prefix}_{n:010d}" for n in range(start, start + count)]

    def queue(self, count: int) -> None:
        """`count` emails due now on the benchmark's own mailbox."""
        now = timezone.now() - dt.timedelta(seconds=1)
        EmailOutreach.objects.bulk_create(
            [
                EmailOutreach(
                    id=email_id,
                    campaign=self.campaign,
                    hop=1,
                    recipient_email=f"person{n}@example.org",
                    recipient_name="王小明",
                    subject=SUBJECT,
                    body=BODY,
                    status=Status.QUEUED,
                    queued_at=now,
                    next_attempt_at=now,
                )
                for n, email_id in enumerate(self._ids("bench", count))
            ],
            batch_size=2000,
        )

    def add_rows(self, owner: User, count: int, *, state: str, per_campaign: int = 10) -> None:
        """`count` emails in campaigns of `per_campaign` each: sent history, or a due backlog."""
        now = timezone.now()
        campaigns = Campaign.objects.bulk_create(
            [
                Campaign(
                    owner=owner,
                    email=owner.email,
                    user_name=owner.name,
                    target_name=f"Target {n}",
                    status=Campaign.Status.IN_PROGRESS,
                    language="en",
                )
                for n in range(-(-count // per_campaign))
            ],
            batch_size=2000,
        )
        sent = state == Status.SENT
        ids = self._ids("fill", count)
        for start in range(0, count, 5000):
            EmailOutreach.objects.bulk_create(
                [
                    EmailOutreach(
                        id=ids[n],
                        campaign=campaigns[n // per_campaign],
                        hop=n % per_campaign + 1,
                        recipient_email=f"fill{n}@example.org",
                        subject="Introduction",
                        body=BODY,
                        status=state,
                        queued_at=now - dt.timedelta(days=2),
                        next_attempt_at=None if sent else now - dt.timedelta(hours=1),
                        sent_at=now - dt.timedelta(days=2) if sent else None,
                        message_id=f"<{ids[n]}@bench.test>" if sent else None,
                    )
                    for n in range(start, min(count, start + 5000))
                ]
            )
        if connection.vendor == "postgresql":
            # Autovacuum vacuums and analyzes a table that grew this much within a minute: without
            # fresh statistics the planner would treat the 100k-row table as empty, and without the
            # visibility map a count reads every heap page instead of the index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE email_outreach")
                cursor.execute("VACUUM ANALYZE campaigns")


def product_round(scene: Scene, count: int, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    scene.queue(count)
    with counted() as counter:
        started = time.perf_counter()
        if profile is not None:
            result = profile.runcall(runner.drain)
        else:
            result = runner.drain()
        seconds = time.perf_counter() - started
    if result.sent != count:
        raise SystemExit(f"the product's sender sent {result.sent} of {count} ({result})")
    return {"seconds": seconds, "reads": counter.reads, "writes": counter.writes, "commits": counter.commits}


def raw_round(scene: Scene, count: int) -> dict[str, Any]:
    """What a hand-written script does: build each message with the email package, one connection."""
    sink = scene.sink
    started = time.perf_counter()
    with smtplib.SMTP(sink["host"], sink["port"], timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=sink["cafile"]))
        client.login(sink["user"], sink["password"])
        for n in range(count):
            message = EmailMessage(policy=policy.SMTP)
            message["From"] = f"陈爱丽 Alice Chen <{sink['user']}>"
            message["To"] = f"王小明 <person{n}@example.org>"
            message["Reply-To"] = message["From"]
            message["Subject"] = SUBJECT
            message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
            message["Message-ID"] = make_msgid(domain="bench.test")
            message["List-Unsubscribe"] = f"<https://sixdegrees.example/unsubscribe/{n}>"
            message.set_content(BODY, charset="utf-8")
            client.send_message(message, sink["user"], [f"person{n}@example.org"])
    return {"seconds": time.perf_counter() - started}


def send_rounds(scene: Scene, label: str) -> dict[str, Any]:
    """Alternating rounds, product then raw, raw then product, … on the same sink."""
    rounds = scene.config["rounds"]
    warm = product_round(scene, 20)  # warm-up: imports, the first connection
    raw_round(scene, 20)
    # A slow sender gets smaller rounds (about ROUND_SECONDS each), so the run stays minutes long.
    count = max(20, min(scene.config["messages"], int(20 / warm["seconds"] * ROUND_SECONDS)))
    product: list[dict[str, Any]] = []
    raw: list[dict[str, Any]] = []
    for index in range(rounds):
        order = [("product", product), ("raw", raw)]
        for side, results in order if index % 2 == 0 else reversed(order):
            results.append(product_round(scene, count) if side == "product" else raw_round(scene, count))
    rate = {side: [count / r["seconds"] for r in results] for side, results in (("product", product), ("raw", raw))}
    print(f"   {label}: product {rate['product']} raw {rate['raw']} msg/s", file=sys.stderr, flush=True)
    return {
        "label": label,
        "messages": count,
        "rounds": rounds,
        "product_per_second": statistics.median(rate["product"]),
        "raw_per_second": statistics.median(rate["raw"]),
        "product_rounds": rate["product"],
        "raw_rounds": rate["raw"],
        "per_message": {
            key: statistics.median(r[key] for r in product) / count for key in ("reads", "writes", "commits")
        },
    }


def table_costs(scene: Scene, emails: int) -> dict[str, Any]:
    return {
        "emails": EmailOutreach.objects.count(),
        "target": emails,
        "status_ms": best_ms(status.collect),
        "outbox_counts_ms": best_ms(
            lambda: (
                status.database_section(counts := status.outbox_counts()),
                status.outbox_section(timezone.now(), counts),
            )
        ),
        "drain_pass_ms": best_ms(runner.drain),
    }


def planning_times(count: int) -> list[float]:
    """The planning itself: intakes with no worker running, then run_plan() on each, timed."""
    client = Client()
    ids = [intake(client, f"Planning Target {n}") for n in range(count + 1)]
    taken = []
    for campaign_id in ids:
        started = time.perf_counter()
        outcome = planning.run_plan(campaign_id)
        taken.append((time.perf_counter() - started) * 1000)
        if outcome != Campaign.Status.READY:
            raise SystemExit(f"planning {campaign_id} ended {outcome}")
    return taken[1:]  # the first one loads the planner


def intake(client: Client, target: str) -> str:
    response = client.post("/api/intake", {**INTAKE, "target_name": target}, content_type="application/json")
    if response.status_code != 200:
        raise SystemExit(f"intake answered {response.status_code}: {response.content[:500]!r}")
    return response.json()["campaign_id"]


def intake_to_ready(count: int) -> dict[str, list[float]]:
    """Intake through the API, then the real worker (`sixdegrees worker`) plans it: time until `ready`."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "sixdegrees", "worker", "--workers", "2", "--no-periodic"],
        # This process is pinned to one core for the send rounds; the worker may use them all.
        preexec_fn=lambda: (
            os.sched_setaffinity(0, range(os.cpu_count() or 1)) if hasattr(os, "sched_setaffinity") else None
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if not line.startswith("Worker started"):
            raise SystemExit(f"the worker did not start: {line!r}")
        client = Client()
        taken, requests = [], []
        for n in range(count + 1):
            # People arrive one at a time: let the worker go idle (its polling backs off) first.
            time.sleep(IDLE_SECONDS)
            started_at, started = timezone.now(), time.perf_counter()
            campaign_id = intake(client, f"Latency Target {n}")
            requests.append((time.perf_counter() - started) * 1000)
            # The plan_ready event is stamped inside the transaction that makes the plan `ready`,
            # so this loop may poll slowly (and leave the CPU to the worker) without blurring it.
            ready = TimelineEvent.objects.filter(campaign_id=campaign_id, kind="plan_ready")
            while (ready_at := ready.values_list("created_at", flat=True).first()) is None:
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"campaign {campaign_id} not ready after 30 s")
                time.sleep(0.02)
            taken.append((ready_at - started_at).total_seconds() * 1000)
        return {"intake_to_ready_ms": taken[1:], "intake_request_ms": requests[1:]}  # the first loads the planner
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    config = json.loads(open(sys.argv[1], encoding="utf-8").read())
    call_command("migrate", verbosity=0)
    rows = config["rows"]
    results: dict[str, Any] = {"engine": connection.vendor}
    scene = Scene(config)
    results["tables"] = [table_costs(scene, 0)]
    planned = planning_times(config["latency_samples"])
    ready = intake_to_ready(config["latency_samples"])
    results["latency"] = {"planning_ms": planned, **ready}
    results["sending"] = [send_rounds(scene, "empty outbox")]
    if config.get("profile"):
        profile = cProfile.Profile()
        product_round(scene, config["messages"], profile)
        profile.dump_stats(config["profile"])
    made = EmailOutreach.objects.count()
    for target in (rows // 10, rows):
        scene.add_rows(scene.history, max(0, target - made), state=Status.SENT)
        made = max(made, target)
        results["tables"].append(table_costs(scene, target))
    results["sending"].append(send_rounds(scene, f"{rows:,} sent emails"))
    scene.add_rows(scene.other, rows, state=Status.QUEUED, per_campaign=100)
    results["backlog_drain_pass_ms"] = best_ms(runner.drain)
    results["sending"].append(send_rounds(scene, f"{rows:,} sent + {rows:,} other due"))
    print(json.dumps(results))


__all__ = ["main"]
