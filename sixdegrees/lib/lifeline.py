"""Tie a child process's life to its parent's, so `kill -9` of a supervisor leaves nothing behind.

Two layers, because each alone has a gap:

- PR_SET_PDEATHSIG (Linux): the kernel signals the child the moment its parent dies, even by
  SIGKILL. It is set between fork and exec (`parent_death_preexec`), survives the exec, and is
  cleared by a fork, so forked grandchildren (gunicorn's workers) must set it again
  (`set_parent_death_signal` in gunicorn's post_fork hook).
- A thread that watches `os.getppid()` (`watch_parent`): covers other systems, a parent that died
  before prctl took effect, and a child that ignored or was slow to act on the signal.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def set_parent_death_signal(signum: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send `signum` to this process when its parent dies. False where unsupported."""
    if _libc is None:
        return False
    return int(_libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0


def parent_death_preexec(parent_pid: int, signum: int = signal.SIGTERM) -> Callable[[], None]:
    """A Popen `preexec_fn`: die with `parent_pid`, and at once if it is already gone."""

    def preexec() -> None:
        set_parent_death_signal(signum)
        # The parent may have died between fork and prctl; then no signal will ever come.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


def watch_parent(parent_pid: int, *, interval: float = 0.5, grace: float = 4.0) -> threading.Thread:
    """Stop this process when `parent_pid` is no longer its parent: SIGTERM to itself, then exit.

    SIGTERM lets the process stop the way it normally does (gunicorn stops its workers, Huey its
    threads); if it is still here `grace` seconds later, it exits without cleaning up.
    """

    def run() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        logger.warning(
            "parent process gone; stopping",
            extra={"event": "parent_gone", "parent_pid": parent_pid, "pid": os.getpid()},
        )
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(1)

    thread = threading.Thread(target=run, name="sixdegrees-parent-watch", daemon=True)
    thread.start()
    return thread


def stop_group(process: subprocess.Popen[Any], *, grace: float = 10) -> None:
    """Stop a child started with start_new_session=True and everything it forked: SIGTERM, then
    SIGKILL after `grace` seconds, and reap it so no zombie is left."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
