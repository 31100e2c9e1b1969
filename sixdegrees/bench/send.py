"""Benchmark: the outbox sender against raw smtplib, and what grows with the tables.

One aiosmtpd sink (bench/sink.py, its own process, STARTTLS + AUTH required) serves both sides.
For SQLite and for PostgreSQL (a throw-away database on the server in --send-pg-url), a scratch
installation runs bench/_send_measure.py, which in one run:

- sends in alternating rounds the product's way (`runner.drain()`, the public drain entry point,
  pacing off) and the raw way (smtplib, each message built with the email package, one
  connection, STARTTLS + AUTH), on an empty outbox, with 100k sent emails, and with 100k other
  due emails besides (a quota-paused mailbox's backlog that the drain looks at but cannot send);
- times intake → plan `ready` through the real `sixdegrees worker`, against planning alone;
- times `sixdegrees status` (ops.status.collect) and one drain pass with nothing due at 0, 10k
  and 100k emails.

`--send-quick` (or SIXDEGREES_BENCH_QUICK=1) runs a small version in well under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sixdegrees.bench.report import machine, scratch_env

SECTION = "send"
SINK_USER, SINK_PASSWORD = "sender@bench.test", "bench-password-1"
TARGETS = {"ratio": 0.5, "backlog": 0.8, "growth": 1.5, "ready_p50_ms": 50}
CHILD = "import django; django.setup(); from sixdegrees.bench import _send_measure; _send_measure.main()"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--send-messages", type=int, default=200, help="send: messages per round")
    parser.add_argument("--send-rounds", type=int, default=8, help="send: rounds per side and condition")
    parser.add_argument("--send-rows", type=int, default=100_000, help="send: the large table size (emails)")
    parser.add_argument(
        "--send-pg-url",
        default=os.environ.get("SIXDEGREES_BENCH_PG_URL") or _postgres(os.environ.get("DATABASE_URL", "")),
        help="send: a PostgreSQL server URL to make a throw-away database on ('' skips PostgreSQL)",
    )
    parser.add_argument("--send-profile", default="", help="send: write a cProfile of one SQLite product round here")
    parser.add_argument(
        "--send-quick",
        action="store_true",
        default=os.environ.get("SIXDEGREES_BENCH_QUICK") == "1",
        help="send: a small run (10k rows, 100 messages, 2 rounds)",
    )


def _postgres(url: str) -> str:
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _on_cpu(cpu: int) -> Callable[[], None] | None:
    """Pin a child to one core (the sink on one, what is measured on the other), so neither side's
    rounds depend on where the scheduler happened to put the two processes."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        return None
    core = sorted(os.sched_getaffinity(0))[cpu]
    return lambda: os.sched_setaffinity(0, {core})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)),
            *("-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class ThrowawayDatabase:
    """CREATE DATABASE on the server in `url` for one run, DROP it afterwards."""

    def __init__(self, url: str, name: str) -> None:
        self.server, self.name = urlsplit(url), name

    def _admin(self, sql: str) -> None:
        import psycopg

        admin = urlunsplit(self.server._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> str:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return urlunsplit(self.server._replace(path=f"/{self.name}"))

    def __exit__(self, *_exc: object) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _measure(root: Path, config: dict[str, Any], database_url: str = "") -> dict[str, Any]:
    data_dir = root / ("pg" if database_url else "sqlite")
    data_dir.mkdir(parents=True)
    env = scratch_env(data_dir)
    env.update(DJANGO_SETTINGS_MODULE="sixdegrees.settings", SIXDEGREES_RATE_LIMITS="false")
    if database_url:
        env["DATABASE_URL"] = database_url
    config_path = data_dir / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(config_path)],
        env=env,
        preexec_fn=_on_cpu(0),
        cwd=data_dir,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the send benchmark failed on {'PostgreSQL' if database_url else 'SQLite'}:\n{done.stdout}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_measurements(options: argparse.Namespace) -> dict[str, Any]:
    quick = options.send_quick
    config: dict[str, Any] = {
        "messages": 100 if quick else options.send_messages,
        "rounds": 2 if quick else options.send_rounds,
        "rows": 10_000 if quick else options.send_rows,
        "latency_samples": 10 if quick else 20,
    }
    root = Path(tempfile.mkdtemp(prefix="sixdegrees-bench-send-"))
    sink = None
    try:
        cert, key = _certificate(root)
        port = _free_port()
        sink = subprocess.Popen(
            [sys.executable, "-m", "sixdegrees.bench.sink", str(port), str(cert), str(key), SINK_USER, SINK_PASSWORD],
            preexec_fn=_on_cpu(1),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sink.stdout is not None
        if sink.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP sink did not start")
        config["sink"] = {
            "host": "127.0.0.1",
            "port": port,
            "cafile": str(cert),
            "user": SINK_USER,
            "password": SINK_PASSWORD,
        }
        results = {"config": {k: v for k, v in config.items() if k != "sink"}}
        print("   SQLite…", flush=True)
        results["sqlite"] = _measure(root, {**config, "profile": options.send_profile})
        if options.send_pg_url:
            print("   PostgreSQL…", flush=True)
            with ThrowawayDatabase(options.send_pg_url, f"{urlsplit(options.send_pg_url).path[1:]}_bench_send") as url:
                results["postgresql"] = _measure(root, config, url)
    finally:
        if sink is not None:
            sink.communicate("", timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    if options.send_profile:
        pstats.Stats(options.send_profile).sort_stats("cumulative").print_stats(40)
    return results


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _engine_rows(name: str, result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    sending = result["sending"]
    empty = sending[0]
    for condition in sending:
        ratio = condition["product_per_second"] / condition["raw_per_second"]
        per = condition["per_message"]
        rows.append(
            (
                f"{name}: sender vs raw smtplib, {condition['label']} ({condition['messages']} per round)",
                f"{condition['product_per_second']:.0f} vs {condition['raw_per_second']:.0f} msg/s = "
                f"**{ratio:.2f}×** ({per['reads']:.1f} reads, {per['writes']:.1f} writes, "
                f"{per['commits']:.1f} commits per message)",
                f"≥ {TARGETS['ratio']}×",
                _met(ratio >= TARGETS["ratio"]),
            )
        )
    # The due rows' own cost: the same table (the same sent history) without them is the condition before.
    without = sending[-2] if len(sending) > 1 else empty
    backlog = sending[-1]["product_per_second"] / without["product_per_second"]
    rows.append(
        (
            f"{name}: sender throughput with the other due rows vs without them ({without['label']})",
            f"{backlog:.2f}× (vs an empty outbox {sending[-1]['product_per_second'] / empty['product_per_second']:.2f}×)",
            f"≥ {TARGETS['backlog']}×",
            _met(backlog >= TARGETS["backlog"]),
        )
    )
    tables = result["tables"]
    for key, what in (("status_ms", "`status` (ops.status.collect)"), ("drain_pass_ms", "a drain pass, nothing due")):
        figures = " / ".join(_ms(t[key]) for t in tables)
        growth = tables[-1][key] / tables[0][key]
        sizes = " / ".join(f"{t['target']:,}" for t in tables)
        rows.append(
            (
                f"{name}: {what} at {sizes} emails",
                f"{figures} ({growth:.2f}×)",
                f"≤ {TARGETS['growth']}×",
                _met(growth <= TARGETS["growth"]),
            )
        )
    counts = " / ".join(_ms(t["outbox_counts_ms"]) for t in tables)
    rows.append((f"{name}: ↳ of which the database and outbox counts", counts, "", ""))
    rows.append(
        (f"{name}: a drain pass with the other due rows (none sendable)", _ms(result["backlog_drain_pass_ms"]), "", "")
    )
    latency = result["latency"]
    ready, plan = latency["intake_to_ready_ms"], latency["planning_ms"]
    p50, request = statistics.median(ready), statistics.median(latency["intake_request_ms"])
    rows.append(
        (
            f"{name}: intake → plan `ready` (p50 / p95) vs planning alone (p50 / p95)",
            f"{_ms(p50)} / {_ms(_p95(ready))} vs {_ms(statistics.median(plan))} / {_ms(_p95(plan))}; "
            f"the intake request itself {_ms(request)} (p50)",
            f"p50 < {TARGETS['ready_p50_ms']} ms" if name == "SQLite" else "",
            _met(p50 < TARGETS["ready_p50_ms"]) if name == "SQLite" else "",
        )
    )
    return rows


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def markdown(results: dict[str, Any]) -> str:
    config = results["config"]
    rows = _engine_rows("SQLite", results["sqlite"])
    if "postgresql" in results:
        rows += _engine_rows("PostgreSQL", results["postgresql"])
    table = "\n".join(f"| {what} | {figure} | {target} | {met} |" for what, figure, target, met in rows)
    engines = "SQLite and PostgreSQL" if "postgresql" in results else "SQLite (no PostgreSQL server given)"
    return f"""## Sending: the outbox sender vs raw smtplib, and cost as the tables grow

`python -m sixdegrees.bench send` on {dt.date.today():%Y-%m-%d}: {machine()}.

| measure | result | target | met |
|---|---|---|---|
{table}

One aiosmtpd sink in its own process (STARTTLS and AUTH required, a private CA) served both sides,
on {engines}; the sink ran pinned to one core and the measuring process to the other. Each condition ran {config["rounds"]} rounds per side of up to {config["messages"]} messages
(fewer when the product's warm-up showed a round would take over 8 s), alternating product
and raw (medians shown): the product's way is `runner.drain()` over rows
queued beforehand (pacing off, no IMAP); the raw way is smtplib on one connection, building each
message with the email package. "Other due" rows are {config["rows"]:,} emails due on another
person's quota-paused mailbox, which the drain looks at but cannot send; their effect on
throughput is measured against the condition before, the same sent history without them. `status` and the drain
pass are the fastest of 15 after a warm-up, with the garbage collector off as `timeit` has it (the work's own cost, which is what grows); the tables grow with sent emails (on PostgreSQL followed by
ANALYZE, as autovacuum would run). Intake → `ready` is
{config["latency_samples"]} intakes through the API, each after 1.5 s idle, to the `plan_ready` event's
timestamp, with the real `sixdegrees worker` (2 threads) planning them, against `planning.run_plan()` timed alone on other intakes (offline planner).
A quick run: `python -m sixdegrees.bench send --send-quick` (or `SIXDEGREES_BENCH_QUICK=1`); the
PostgreSQL server is `--send-pg-url`, else `SIXDEGREES_BENCH_PG_URL`, else a postgres `DATABASE_URL`.
"""


def run(options: argparse.Namespace) -> str:
    results = run_measurements(options)
    print(json.dumps({"send_bench": results}, default=str)[:4000], flush=True)
    return markdown(results)
