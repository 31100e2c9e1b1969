"""Benchmark: backup and DR drill on a ~1 GB SQLite database.

Builds a scratch installation (its own data dir), fills it to the target size with emails of a
few kB each, then times `sixdegrees backup create`, `backup verify` and `drill`, all as the
operator would run them. The scratch installation is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sixdegrees.bench.fill import fill
from sixdegrees.bench.report import machine, scratch_env

SECTION = "drill"
CHUNK_CAMPAIGNS = 2_500  # per fill() call, 10 emails each: one transaction of 25k rows
BODY_BYTES = 3_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drill-size-mb", type=int, default=1000, help="drill: database size to build (MB)")
    parser.add_argument("--drill-dir", default=None, help="drill: where to build it (default: a temp dir)")
    parser.add_argument("--drill-keep", action="store_true", help="drill: keep the scratch installation")


def _sixdegrees(data_dir: Path, *args: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sixdegrees", *args],
        env=scratch_env(data_dir),
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"`sixdegrees {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return (json.loads(done.stdout) if "--json" in args else {}), took


def build(data_dir: Path, size_mb: int) -> dict[str, Any]:
    _sixdegrees(data_dir, "manage", "migrate", "-v", "0")
    db = data_dir / "sixdegrees.sqlite3"
    started, chunk = time.monotonic(), 0
    while db.stat().st_size < size_mb * 1_000_000:
        fill(db, campaigns=CHUNK_CAMPAIGNS, emails_per_campaign=10, body_bytes=BODY_BYTES, prefix=f"b{chunk:03d}")
        chunk += 1
        print(f"   {db.stat().st_size / 1e6:,.0f} MB after {time.monotonic() - started:.0f} s", flush=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")  # as the service runs it
    conn.close()
    return {"seconds": time.monotonic() - started, "bytes": db.stat().st_size, "emails": chunk * CHUNK_CAMPAIGNS * 10}


def run(options: argparse.Namespace) -> str:
    root = Path(options.drill_dir or tempfile.mkdtemp(prefix="sixdegrees-bench-"))
    data_dir = root / "data"
    try:
        print(f"   building a {options.drill_size_mb} MB SQLite database in {data_dir}", flush=True)
        built = build(data_dir, options.drill_size_mb)
        print("   backup create…", flush=True)
        made, _ = _sixdegrees(data_dir, "backup", "create", "--json")
        print("   backup verify…", flush=True)
        _, verify_seconds = _sixdegrees(data_dir, "backup", "verify", "latest")
        print("   drill…", flush=True)
        drill, drill_seconds = _sixdegrees(data_dir, "drill", "--json")
    finally:
        if not options.drill_keep:
            shutil.rmtree(root, ignore_errors=True)
    result = {"built": built, "backup": made, "verify_seconds": verify_seconds, "drill": drill}
    print(json.dumps({"drill_bench": result}, default=str)[:2000], flush=True)
    return markdown(result, drill_seconds)


def markdown(result: dict[str, Any], drill_seconds: float) -> str:
    built, backup, drill = result["built"], result["backup"], result["drill"]
    steps = drill["steps"]
    ttr = drill["time_to_recovery_seconds"]
    rows = [
        ("database", f"{built['bytes'] / 1e9:.2f} GB SQLite, {built['emails']:,} emails of {BODY_BYTES:,} bytes"),
        ("generating it (executemany)", f"{built['seconds']:.0f} s"),
        (
            "`backup create` (online backup API, gzip level 1, sha256)",
            f"{backup['duration_seconds']:.1f} s → {backup['size'] / 1e6:,.0f} MB",
        ),
        (
            "`backup verify` (decompress, checksums, integrity_check, counts; whole command)",
            f"{result['verify_seconds']:.1f} s",
        ),
        ("**`drill`: time to recovery** (restore start → smoke test passed)", f"**{ttr:.1f} s** (RTO target 300 s)"),
        ("↳ restore (checksum + decompress into a clone)", f"{steps['restore']:.1f} s"),
        ("↳ check (PRAGMA integrity_check + row counts vs manifest)", f"{steps['check']:.1f} s"),
        ("↳ start service (`serve --migrate` until /api/health says database ok)", f"{steps['start service']:.1f} s"),
        ("↳ smoke test (intake + campaign page)", f"{steps['smoke test']:.2f} s"),
        ("whole `drill` command (with stopping and removing the clone)", f"{drill_seconds:.1f} s"),
    ]
    table = "\n".join(f"| {what} | {figure} |" for what, figure in rows)
    return f"""## Backup and disaster-recovery drill (SQLite, {built["bytes"] / 1e9:.1f} GB)

`python -m sixdegrees.bench drill` on {dt.date.today():%Y-%m-%d}: {machine()}.

| step | figure |
|---|---|
{table}

The backup runs while the service may write (one read transaction in WAL mode); the drill
restores it into a temporary data dir, serves it with `sixdegrees serve` on a spare port and
runs the smoke test, so time to recovery is what an operator restoring this database would wait.
"""
