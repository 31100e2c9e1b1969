"""Starting the service: `up` (everything), `serve` (web), `worker` (tasks), `manage` (Django)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Any

import click
from django.conf import settings

from sixdegrees.cli import cli
from sixdegrees.cli.database import database_problem, needs_database
from sixdegrees.cli.supervisor import SUPERVISOR_PID_VARIABLE, Child, Supervisor
from sixdegrees.lib.lifeline import set_parent_death_signal, watch_parent
from sixdegrees.lib.repeating import Repeating
from sixdegrees.ops.backups import BackupError, backup_before_migrations
from sixdegrees.ops.static import collect_static

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

logger = logging.getLogger(__name__)


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _collect_static() -> None:
    """Production pages need the static manifest before their first request (see ops/static.py)."""
    try:
        took = collect_static()
    except Exception as exc:  # a full disk, a read-only data dir: say so before serving 500s
        raise click.ClickException(f"could not collect the static files into {settings.STATIC_ROOT}: {exc}") from None
    if took:
        logger.info("static files collected", extra={"event": "static_collected", "seconds": round(took, 2)})


def _die_with_supervisor() -> None:
    """Under `up`, stop when `up` is gone, however it went (see sixdegrees.lib.lifeline)."""
    supervisor = os.environ.get(SUPERVISOR_PID_VARIABLE, "")
    if not supervisor.isdigit():
        return  # started by hand or by systemd: nothing to watch
    if os.getppid() != int(supervisor):
        raise SystemExit(1)  # `up` died while we were starting
    watch_parent(int(supervisor))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web server binds to.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Web port.")
@click.option("--web-workers", default=2, show_default=True, type=click.IntRange(1, 32), help="Web processes.")
def up(host: str, port: int, web_workers: int) -> None:
    """Apply migrations, then run the web server and the task worker together.

    A process that dies is restarted (with backoff) while the other keeps running; both stop
    cleanly on Ctrl-C or SIGTERM, and with `up` if it is killed.

    Example: sixdegrees up --host 127.0.0.1 --port 8000
    """
    try:
        backup_before_migrations(echo=click.echo)
    except BackupError as exc:
        raise click.ClickException(f"no backup was taken, so nothing was migrated: {exc}") from None
    click.echo("Applying database migrations…")
    _migrate(verbosity=0)
    _collect_static()
    stopping: dict[str, int | None] = {"signal": None}

    def request_stop(signum: int, _frame: Any) -> None:
        stopping["signal"] = signum

    # SIGHUP too: when the terminal closes, gunicorn would take it as "reload" and outlive us.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)
    base = [sys.executable, "-m", "sixdegrees"]
    serve_args = ["serve", "--host", host, "--port", str(port), "--workers", str(web_workers)]
    supervisor = Supervisor(
        children=[Child("web", [*base, *serve_args]), Child("worker", [*base, "worker"])],
        should_stop=lambda: stopping["signal"] is not None,
    )
    try:
        shown_host = f"[{host}]" if ":" in host else host
        click.echo(f"SixDegrees is up at http://{shown_host}:{port}/ (data in {settings.DATA_DIR})")
        click.echo("Press Ctrl-C to stop.")
        supervisor.run()
    finally:
        supervisor.stop()
    click.echo("Stopped.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to bind.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Web processes.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per process.")
@click.option("--migrate/--no-migrate", default=False, help="Apply migrations before serving.")
def serve(host: str, port: int, workers: int, threads: int, migrate: bool) -> None:
    """Run only the web server (gunicorn), e.g. several behind a load balancer.

    Example: sixdegrees serve --host 0.0.0.0 --port 8000 --workers 4
    """
    from gunicorn.app.base import BaseApplication

    _die_with_supervisor()
    if migrate:
        _migrate()
    else:
        problem = database_problem()
        if problem:
            raise click.ClickException(problem)
    _collect_static()
    # Counters of the previous run would otherwise add up with this one's (see ops/metrics.py).
    from sixdegrees.ops.metrics import reset_multiprocess_dir

    reset_multiprocess_dir()
    # Loaded after collecting: WhiteNoise lists the static files once, when the app loads.
    from sixdegrees.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            options = {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "graceful_timeout": 5,
                "timeout": 60,
                "accesslog": None,  # our middleware writes one JSON line per request
                "errorlog": "-",
                "loglevel": "warning",
                "logger_class": "sixdegrees.cli.running.GunicornJsonLogger",
                "proc_name": "sixdegrees-web",
                # A fork clears the parent-death signal; workers set their own, to go with the master.
                "post_fork": lambda _server, _worker: set_parent_death_signal(signal.SIGTERM),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


class GunicornJsonLogger:
    """Gunicorn's own messages go through our logging (JSON lines, secrets redacted), not plain stderr."""

    def __new__(cls, cfg: Any) -> Any:
        from gunicorn.glogging import Logger

        class _Logger(Logger):
            def setup(self, cfg: Any) -> None:
                super().setup(cfg)
                for log in (self.error_log, self.access_log):
                    log.handlers = []
                    log.propagate = True

        return _Logger(cfg)


def consumer_options(huey_settings: dict[str, Any], workers: int | None, *, periodic: bool) -> dict[str, Any]:
    """The Huey consumer's options for `worker`: settings.HUEY's, then the command line's."""
    options: dict[str, Any] = dict(huey_settings.get("consumer") or {})
    if workers:
        options["workers"] = workers
    options["periodic"] = periodic
    options.setdefault("max_delay", 1.0)
    return options


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Task threads (default SIXDEGREES_WORKERS).")
@click.option("--no-periodic", is_flag=True, help="Do not run scheduled tasks in this worker.")
@needs_database
def worker(workers: int | None, no_periodic: bool) -> None:
    """Run only the background task worker (Huey consumer with its scheduler).

    SIGTERM stops at once (a claimed email's lease makes it safe); SIGINT finishes tasks first.

    Example: sixdegrees worker --workers 4
    """
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    from sixdegrees.campaigns.planning import rescue_stuck_plans
    from sixdegrees.ops.health import HeartbeatThread

    _die_with_supervisor()
    autodiscover_modules("tasks")
    options = consumer_options(settings.HUEY, workers, periodic=not no_periodic)
    consumer = HUEY.create_consumer(**options)
    heartbeat = HeartbeatThread()
    heartbeat.start()
    # Huey's schedule is by the minute; a dead worker's plan must be re-run sooner than that.
    watchdog = Repeating("sixdegrees-plan-watchdog", settings.PLAN_WATCHDOG_SECONDS, rescue_stuck_plans)
    if not no_periodic:
        watchdog.start()
    click.echo(f"Worker started ({options['workers']} threads, queue {type(HUEY).__name__}).")
    try:
        consumer.run()
    finally:
        heartbeat.stop()
        watchdog.stop()


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run one of Django's management commands (migrate, createsuperuser, shell, …).

    Example: sixdegrees manage createsuperuser --email ops@example.com
    """
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sixdegrees manage", *args])


__all__ = ["manage", "serve", "up", "worker"]
