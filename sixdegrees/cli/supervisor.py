"""`sixdegrees up`'s supervisor: run the web server and the worker, restart whichever dies.

A child that exits is restarted after a delay that doubles with each quick failure (1 s, 2 s,
4 s … capped at 30 s) and goes back to 1 s once the child has run healthy for a minute; the others
keep serving meanwhile. A crash loop is never given up on (a supervisor that stops trying leaves
a dead service that looks alive), but it is logged at error level so it is seen.

Each child starts in its own process group, so a terminal's Ctrl-C reaches only `up`, which then
stops them in order; and each dies with `up` (sixdegrees.lib.lifeline), so a `kill -9` of `up`
leaves nothing holding the port.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sixdegrees.lib.lifeline import parent_death_preexec
from sixdegrees.ops.supervision import clear_state, write_state

logger = logging.getLogger(__name__)

FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
HEALTHY_AFTER_SECONDS = 60.0  # a child that ran this long is healthy: its next restart is quick again
CRASH_LOOP_RESTARTS = 5  # this many quick failures in a row is a crash loop (logged at error level)
STOP_GRACE_SECONDS = 8  # children get this long after SIGTERM before SIGKILL; `up` promises 10 s
SUPERVISOR_PID_VARIABLE = "SIXDEGREES_SUPERVISOR_PID"  # tells a child who to watch (lib.lifeline)


def describe_exit(returncode: int) -> dict[str, object]:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return {"signal": name}
    return {"exit_code": returncode}


def next_delay(previous: float, ran_seconds: float) -> float:
    """Exponential backoff, capped, reset by a healthy run."""
    if ran_seconds >= HEALTHY_AFTER_SECONDS or previous <= 0:
        return FIRST_RESTART_DELAY
    return min(MAX_RESTART_DELAY, previous * 2)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_failures: int = 0  # exits in a row that came before HEALTHY_AFTER_SECONDS
    delay: float = 0.0
    restart_at: float | None = None


@dataclass
class Supervisor:
    children: list[Child]
    should_stop: Callable[[], bool]
    poll_interval: float = 0.2
    clock: Callable[[], float] = time.monotonic
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def start(self, child: Child) -> None:
        env = {**self.env, SUPERVISOR_PID_VARIABLE: str(os.getpid())}
        # SIGTERM on our death: gunicorn then stops its workers, Huey its threads (both within 5 s).
        child.process = subprocess.Popen(
            child.argv, env=env, process_group=0, preexec_fn=parent_death_preexec(os.getpid())
        )
        child.started_at = self.clock()
        child.restart_at = None
        self.save()

    def run(self) -> None:
        """Start every child and keep them running until should_stop() says otherwise."""
        for child in self.children:
            self.start(child)
        while not self.should_stop():
            for child in self.children:
                self.tend(child)
            time.sleep(self.poll_interval)

    def tend(self, child: Child) -> None:
        now = self.clock()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self.start(child)
                logger.info(
                    f"restarted the {child.name} process",
                    extra={
                        "event": "child_restarted",
                        "child": child.name,
                        "pid": child.process.pid if child.process else None,
                        "restarts": child.restarts,
                    },
                )
            return
        if child.process is None or child.process.poll() is None:
            return
        ran = now - child.started_at
        child.delay = next_delay(child.delay, ran)
        child.quick_failures = 0 if ran >= HEALTHY_AFTER_SECONDS else child.quick_failures + 1
        child.restarts += 1
        child.restart_at = now + child.delay
        how = describe_exit(child.process.returncode)
        details = {
            "child": child.name,
            "pid": child.process.pid,
            **how,
            "ran_seconds": round(ran, 1),
            "restart_in_seconds": child.delay,
            "restarts": child.restarts,
        }
        logger.warning(f"the {child.name} process exited; restarting it", extra={"event": "child_exited", **details})
        if child.quick_failures >= CRASH_LOOP_RESTARTS:
            logger.error(
                f"the {child.name} process keeps crashing ({child.quick_failures} quick exits in a row); "
                f"still restarting it every {child.delay:g} s",
                extra={"event": "child_crash_loop", **details, "quick_failures": child.quick_failures},
            )
        self.save()

    def save(self) -> None:
        write_state(
            {
                "pid": os.getpid(),
                "children": {
                    c.name: {
                        "pid": c.process.pid if c.process and c.process.poll() is None else None,
                        "restarts": c.restarts,
                    }
                    for c in self.children
                },
            }
        )

    def stop(self) -> None:
        """SIGTERM to every child, SIGKILL to any still there after STOP_GRACE_SECONDS."""
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        clear_state()
