"""The test suite's movable clock: `pytest --frozen-date=2027-12-31` (or SIXDEGREES_TEST_DATE).

The whole session travels to that date with time_machine, ticking, so timeouts, leases and real
servers still see time pass. Python children of the suite (the CLI, `sixdegrees up`, gunicorn,
the worker) start with `test_clock_site/` on PYTHONPATH; its sitecustomize moves their clock by
the same offset, so a parent and its child agree on what "now" is. Test-only: nothing in the
service imports this module.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import time_machine

DATE_VARIABLE = "SIXDEGREES_TEST_DATE"
# Seconds the clock is moved by, for children; subprocess_env keeps it (it drops other SIXDEGREES_*).
OFFSET_VARIABLE = "SIXDEGREES_TEST_CLOCK_OFFSET"
SITE_DIR = Path(__file__).with_name("test_clock_site")
DEFAULT_TIME = dt.time(12, 0)  # a date alone means noon UTC: a test's "an hour ago" stays on that date


def parse(value: str) -> dt.datetime:
    """`2027-12-31` (noon UTC) or `2027-12-31T23:45` (UTC unless an offset is given)."""
    try:
        if len(value) == 10:
            when = dt.datetime.combine(dt.date.fromisoformat(value), DEFAULT_TIME)
        else:
            when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def freeze(when: dt.datetime) -> time_machine.travel:
    """Move this process to `when` (ticking) and make its Python children follow."""
    offset = when.timestamp() - time.time()
    traveller = time_machine.travel(when, tick=True)
    traveller.start()
    os.environ[OFFSET_VARIABLE] = repr(offset)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE_DIR), os.environ.get("PYTHONPATH")]))
    return traveller


def follow_parent() -> None:
    """In a child: move the clock by the parent's offset (called from test_clock_site/sitecustomize.py)."""
    offset = os.environ.get(OFFSET_VARIABLE)
    if offset:
        time_machine.travel(time.time() + float(offset), tick=True).start()
