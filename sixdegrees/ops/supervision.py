"""What `sixdegrees up` knows about its children, kept in a small file for `/metrics` to read.

`up` is not a web process, and `sixdegrees serve` empties the prometheus multiprocess directory
each time it starts (which `up` does again after restarting the web server), so a counter kept
there by `up` would be lost. A JSON file in the data dir, rewritten atomically on every change and
read at scrape time, survives both. It is only believed while the `up` that wrote it is alive.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

STATE_NAME = "supervisor.json"


def state_path() -> Path:
    return Path(settings.DATA_DIR) / STATE_NAME


def write_state(state: dict[str, Any]) -> None:
    path = state_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path)  # a scrape never reads half a file


def clear_state() -> None:
    state_path().unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def read_state() -> dict[str, Any] | None:
    """The live supervisor's state, or None when no `up` is running here."""
    try:
        state = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("pid"), int) or not _alive(state["pid"]):
        return None
    return state
