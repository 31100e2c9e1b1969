"""Writing one benchmark's section of docs/benchmarks.md, leaving every other section alone."""

from __future__ import annotations

import platform
import re
import sqlite3
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Written by `make bench` (`python -m sixdegrees.bench [NAME …]`). Each section belongs to one
benchmark (a module in `sixdegrees/bench/`) and is replaced only when that benchmark runs again.
"""


def machine() -> str:
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return (
        f"{os.cpu_count()} CPU cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", load average {load:.1f} when it finished" if load is not None else "")
    )


def update_section(name: str, body: str, path: Path = DOCS) -> Path:
    """Put `body` between `<!-- bench:name -->` and `<!-- /bench:name -->`, adding the section if new."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scratch_env(data_dir: Path) -> dict[str, str]:
    """This environment for a throw-away installation in `data_dir`: none of the real service's
    database, Redis or settings, and quiet logs so they do not slow what is measured."""
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIXDEGREES_", "DJANGO_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        SIXDEGREES_ENV="development",
        SIXDEGREES_DATA_DIR=str(data_dir),
        SIXDEGREES_ENV_FILE=str(data_dir / "absent.env"),
        SIXDEGREES_LOG_LEVEL="warning",
    )
    return env
