"""Shared by the ops tests that start real processes against a scratch data dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sixdegrees import test_clock

ROOT = Path(__file__).resolve().parents[3]


def _service_variables() -> set[str]:
    """Every variable the service reads (test_settings_docs.py keeps .env.example complete)."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.M))


def subprocess_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment minus the service's settings, plus `data_dir` and `extra`.

    The suite itself runs with SIXDEGREES_ENV=test and its own data dir (test_settings.py sets
    both), and a developer's shell may hold real keys; children start from a clean slate instead.
    """
    drop = _service_variables()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith(("SIXDEGREES_", "DJANGO_"))
    }
    if test_clock.OFFSET_VARIABLE in os.environ:  # a --frozen-date run: the child shares our clock
        env[test_clock.OFFSET_VARIABLE] = os.environ[test_clock.OFFSET_VARIABLE]
    env.update(
        SIXDEGREES_DATA_DIR=str(data_dir),
        SIXDEGREES_ENV_FILE=str(data_dir / "absent.env"),  # never a developer's .env
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
