"""Running one benchmark's measurements in a scratch installation, on SQLite or PostgreSQL.

Shared by the benchmarks that measure the product from inside Django (contacts_import.py,
mailbox_scan.py): each writes a JSON config, runs its `_…_measure` module in a child process
with a throw-away data dir (and, for PostgreSQL, a throw-away database), and reads back the one
JSON line the child prints last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sixdegrees.bench.report import scratch_env
from sixdegrees.bench.send import ThrowawayDatabase


def postgres_server(url: str | None = None) -> str:
    """The PostgreSQL server to make throw-away databases on: SIXDEGREES_BENCH_PG_URL, else a postgres DATABASE_URL."""
    if url is not None:
        return url
    found = os.environ.get("SIXDEGREES_BENCH_PG_URL") or os.environ.get("DATABASE_URL", "")
    return found if found.startswith(("postgres://", "postgresql://")) else ""


def measure(
    root: Path,
    module: str,
    config: dict[str, Any],
    *,
    engine: str,
    pg_url: str = "",
    name: str = "",
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run `sixdegrees.bench.<module>.main()` in a scratch installation on `engine` ("sqlite" or "postgresql")."""
    data_dir = root / engine
    data_dir.mkdir(parents=True, exist_ok=True)
    config_path = data_dir / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    child = f"import django; django.setup(); from sixdegrees.bench import {module}; {module}.main()"
    child_env = scratch_env(data_dir)
    child_env.update(DJANGO_SETTINGS_MODULE="sixdegrees.settings", SIXDEGREES_RATE_LIMITS="false", **(env or {}))

    def run(database_url: str = "") -> dict[str, Any]:
        if database_url:
            child_env["DATABASE_URL"] = database_url
        done = subprocess.run(
            [sys.executable, "-c", child, str(config_path)],
            env=child_env,
            cwd=data_dir,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"the {module} benchmark failed on {engine}:\n{done.stdout[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    if engine == "sqlite":
        return run()
    database = f"{urlsplit(pg_url).path[1:] or 'postgres'}_bench_{name or module.strip('_')}"
    with ThrowawayDatabase(pg_url, database) as url:
        return run(url)


def median_ratio(product: list[float], reference: list[float]) -> tuple[float, float, float]:
    """(median product rate, median reference rate, their ratio)."""
    import statistics

    p, r = statistics.median(product), statistics.median(reference)
    return p, r, p / r if r else 0.0


__all__ = ["measure", "median_ratio", "postgres_server"]
