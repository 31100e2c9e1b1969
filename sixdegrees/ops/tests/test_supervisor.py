"""`up`'s restart policy, with real child processes and a clock the test moves (no waiting for backoff)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from sixdegrees.cli.supervisor import (
    CRASH_LOOP_RESTARTS,
    FIRST_RESTART_DELAY,
    HEALTHY_AFTER_SECONDS,
    MAX_RESTART_DELAY,
    Child,
    Supervisor,
)
from sixdegrees.ops.supervision import read_state, state_path


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def crashing():
    """A supervisor of one child that exits with code 3 as soon as it starts."""
    clock = Clock()
    child = Child("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor(children=[child], should_stop=lambda: True, clock=clock)
    supervisor.start(child)
    yield supervisor, child, clock
    supervisor.stop()


def crash_once(supervisor: Supervisor, child: Child, clock: Clock, ran: float = 0.5) -> float:
    """Let the child exit, have the supervisor notice `ran` seconds after the start; return the delay."""
    assert child.process is not None
    child.process.wait(timeout=30)
    clock.now += ran
    supervisor.tend(child)
    assert child.restart_at is not None, "the exit went unnoticed"
    delay = child.restart_at - clock.now
    supervisor.tend(child)  # too early: nothing starts before the delay
    assert child.restart_at is not None
    clock.now = child.restart_at
    supervisor.tend(child)
    assert child.restart_at is None and child.process is not None and child.process.poll() in (None, 3)
    return delay


def test_quick_failures_back_off_exponentially_up_to_the_cap(crashing):
    supervisor, child, clock = crashing
    delays = [crash_once(supervisor, child, clock) for _ in range(8)]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert delays[0] == FIRST_RESTART_DELAY and max(delays) == MAX_RESTART_DELAY
    assert child.restarts == 8


def test_a_healthy_run_resets_the_backoff(crashing):
    supervisor, child, clock = crashing
    assert [crash_once(supervisor, child, clock) for _ in range(4)] == [1, 2, 4, 8]
    assert crash_once(supervisor, child, clock, ran=HEALTHY_AFTER_SECONDS) == FIRST_RESTART_DELAY
    assert crash_once(supervisor, child, clock) == 2


def test_a_crash_loop_is_logged_and_never_given_up(crashing, caplog):
    supervisor, child, clock = crashing
    with caplog.at_level(logging.INFO, logger="sixdegrees.cli.supervisor"):
        for _ in range(CRASH_LOOP_RESTARTS + 3):
            crash_once(supervisor, child, clock)
    exits = [r for r in caplog.records if getattr(r, "event", None) == "child_exited"]
    assert len(exits) == CRASH_LOOP_RESTARTS + 3
    assert exits[0].child == "worker" and exits[0].exit_code == 3  # type: ignore[attr-defined]
    loops = [r for r in caplog.records if getattr(r, "event", None) == "child_crash_loop"]
    assert loops and all(r.levelno == logging.ERROR for r in loops)
    assert "still restarting it every 30 s" in loops[-1].getMessage()
    assert len([r for r in caplog.records if getattr(r, "event", None) == "child_restarted"]) == len(exits)


def test_restarts_are_kept_for_metrics(crashing):
    supervisor, child, clock = crashing
    crash_once(supervisor, child, clock)
    crash_once(supervisor, child, clock)
    state = read_state()
    assert state is not None and state["children"]["worker"]["restarts"] == 2
    supervisor.stop()
    assert not state_path().exists(), "a stopped `up` must not leave numbers that look live"


def test_a_dead_supervisors_numbers_are_ignored(settings):
    state_path().write_text(json.dumps({"pid": 2**22 + 1, "children": {"worker": {"restarts": 4}}}))
    try:
        assert read_state() is None
    finally:
        state_path().unlink()


@pytest.mark.django_db
def test_metrics_show_the_restarts_of_a_live_supervisor(client, crashing):
    supervisor, child, clock = crashing
    crash_once(supervisor, child, clock)

    body = client.get("/metrics").content.decode()

    assert 'sixdegrees_child_restarts_total{child="worker"} 1.0' in body
    assert "# TYPE sixdegrees_child_restarts_total counter" in body
