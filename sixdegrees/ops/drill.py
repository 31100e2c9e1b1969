"""The disaster-recovery drill: restore the latest backup into a clone, serve it, prove it works.

Time to recovery is measured from the start of the restore to the moment the smoke test passes
against the clone, which is what an operator would live through after losing the database.
The clone never touches the live database, mail, AI or Redis: it gets its own data dir (SQLite)
or its own scratch database on the same server (PostgreSQL), and is removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from sixdegrees.lib.lifeline import stop_group
from sixdegrees.ops import backup_engines as engines
from sixdegrees.ops.backups import (
    Backup,
    BackupError,
    Target,
    backup_dir,
    check_file,
    check_restorable,
    check_sqlite,
    compare_counts,
    extract_sqlite,
    find_backup,
    list_backups,
)
from sixdegrees.ops.durable import append_line

logger = logging.getLogger(__name__)

RTO_TARGET_SECONDS = 300  # the earlier runbook's target; the drill says whether we beat it
# The clone's server starts from a clean environment plus these, so nothing of the live
# configuration (database, Redis queue, mailbox, API keys) can leak into it.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT")
SMOKE_INTAKE = {
    "user_name": "DR Drill",
    "user_email": "drill@example.com",
    "user_background": "An automated disaster-recovery drill checking that a restored backup serves requests.",
    "target_name": "Restored Service",
    "target_company": "SixDegrees recovery clone",
    "target_reason": "To prove that the backup restores and that the service works on the restored data.",
}

Echo = Callable[[str], Any]


class DrillFailed(Exception):
    def __init__(self, step: str, message: str):
        super().__init__(message)
        self.step = step


@dataclass
class DrillReport:
    started_at: str
    engine: str = ""
    backup_id: str | None = None
    backup_created_at: str | None = None
    backup_age_seconds: float | None = None
    ok: bool = False
    failed_step: str | None = None
    error: str | None = None
    steps: dict[str, float] = field(default_factory=dict)
    time_to_recovery_seconds: float | None = None
    rto_target_seconds: int = RTO_TARGET_SECONDS
    clone: str | None = None
    kept: bool = False
    port: int | None = None
    rows: int | None = None
    smoke: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def drills_log() -> Path:
    return Path(settings.DATA_DIR) / "drills.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Drill:
    def __init__(self, ref: str, timeout: float, keep: bool, echo: Echo):
        self.ref, self.timeout, self.keep, self.echo = ref, timeout, keep, echo
        self.live = Target.from_settings()
        self.report = DrillReport(started_at=timezone.now().isoformat(), engine=self.live.engine)
        self.workdir: Path | None = None
        self.clone_db: Target | None = None
        self.server: subprocess.Popen[bytes] | None = None

    # Each step is timed; a failure names the step it happened in.
    def step(self, name: str, action: Callable[[], Any]) -> Any:
        self.echo(f"· {name}…")
        clock = time.monotonic()
        try:
            result = action()
        except DrillFailed:
            raise
        except BackupError as exc:
            raise DrillFailed(name, str(exc)) from exc
        except Exception as exc:  # a database or OS error: still a failed step, named, not a traceback
            raise DrillFailed(name, f"{type(exc).__name__}: {str(exc).strip()}") from exc
        finally:
            self.report.steps[name] = round(time.monotonic() - clock, 3)
        return result

    def run(self) -> DrillReport:
        report = self.report
        try:
            backup = self.step("find backup", self.find_backup)
            clock = time.monotonic()
            self.step("restore", lambda: self.restore(backup))
            self.step("check", lambda: self.check(backup))
            self.step("start service", self.start_service)
            self.step("smoke test", self.smoke_test)
            report.time_to_recovery_seconds = round(time.monotonic() - clock, 3)
            self.step("stop service", self.stop_service)
            report.ok = True
        except DrillFailed as exc:
            report.failed_step, report.error = exc.step, str(exc)
            if self.server is not None and report.failed_step in ("start service", "smoke test"):
                report.error += self.server_log_tail()
        finally:
            self.stop_service()
            self.clean_up()
        return report

    def find_backup(self) -> Backup:
        if self.ref == "latest":  # this installation's latest; another's only when named (a clone is harmless)
            ours = [b for b in list_backups() if b.engine == self.live.engine and not b.foreign]
            if not ours:
                raise BackupError(
                    f"there is no {self.live.engine} backup of this installation in {backup_dir()}; "
                    "take one with `sixdegrees backup create`"
                )
            backup = ours[-1]
        else:
            backup = find_backup(self.ref, engine=self.live.engine)
        check_restorable(backup, self.live.engine, accept_foreign=True)
        self.report.backup_id = backup.id
        self.report.backup_created_at = backup.manifest["created_at"]
        self.report.backup_age_seconds = round((timezone.now() - backup.created_at).total_seconds(), 1)
        self.report.rows = sum(backup.manifest["tables"].values())
        self.echo(f"  {backup.id}, taken {backup.manifest['created_at']}")
        return backup

    def restore(self, backup: Backup) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="drill-", dir=settings.DATA_DIR))
        check_file(backup)
        if self.live.engine == "sqlite":
            extract_sqlite(backup, self.workdir / "sixdegrees.sqlite3")
            self.report.clone = str(self.workdir)
        else:
            name = f"sixdegrees_drill_{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}_{secrets.token_hex(2)}"
            engines.pg_create_database(self.live, name)
            self.clone_db = self.live.with_database(name)
            self.report.clone = name
            engines.pg_restore_new(self.clone_db, backup.path)
        self.echo(f"  into {self.report.clone}")

    def check(self, backup: Backup) -> None:
        if self.clone_db is None:
            assert self.workdir is not None
            check_sqlite(backup, self.workdir / "sixdegrees.sqlite3")
            self.echo("  PRAGMA integrity_check: ok; row counts match the manifest")
        else:
            compare_counts(backup, engines.pg_describe(self.clone_db)[0])
            self.echo("  row counts match the manifest")

    def clone_env(self) -> dict[str, str]:
        assert self.workdir is not None
        env = {key: value for key, value in os.environ.items() if key in PASSED_THROUGH or key.startswith("LC_")}
        env.update(
            SIXDEGREES_ENV="development",
            SIXDEGREES_DATA_DIR=str(self.workdir),
            SIXDEGREES_ENV_FILE=str(self.workdir / "no.env"),  # never the live .env
            SIXDEGREES_LOG_LEVEL="warning",
            STRATEGY_PLANNER="offline",
            PYTHONUNBUFFERED="1",
        )
        if self.clone_db is not None:
            env["DATABASE_URL"] = self.clone_db.url()
        return env

    def start_service(self) -> None:
        assert self.workdir is not None
        port = self.report.port = free_port()
        log = (self.workdir / "serve.log").open("wb")
        argv = [sys.executable, "-m", "sixdegrees", "serve", "--host", "127.0.0.1", "--port", str(port)]
        # --migrate: a backup from before the last upgrade gets the migrations `up` would apply.
        argv += ["--workers", "1", "--threads", "4", "--migrate"]
        self.server = subprocess.Popen(
            argv, env=self.clone_env(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + self.timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise DrillFailed("start service", f"the clone's server exited with code {self.server.returncode}")
            try:
                status, body, _cookies = self.request("GET", "/api/health")
            except OSError as exc:
                last = str(exc)
            else:
                database = body.get("checks", {}).get("database") if isinstance(body, dict) else None
                if database == "ok":
                    self.report.smoke["health"] = status
                    self.echo(f"  serving on port {port}; /api/health says database ok")
                    return
                last = f"/api/health answered {status}: {body}"
            time.sleep(0.1)
        raise DrillFailed("start service", f"the clone did not answer within {self.timeout:.0f} s ({last})")

    def request(
        self, method: str, path: str, data: dict[str, Any] | None = None, cookies: str = ""
    ) -> tuple[int, Any, str]:
        url = f"http://127.0.0.1:{self.report.port}{path}"
        body = json.dumps(data).encode() if data is not None else None
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if cookies:
            headers["Cookie"] = cookies
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status, raw, set_cookies = response.status, response.read(), response.headers.get_all("Set-Cookie")
        except urllib.error.HTTPError as exc:
            status, raw, set_cookies = exc.code, exc.read(), exc.headers.get_all("Set-Cookie")
        jar = SimpleCookie()
        for header in set_cookies or []:
            jar.load(header)
        sent = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
        try:
            parsed = json.loads(raw or b"null")
        except ValueError:
            parsed = raw[:200].decode(errors="replace")
        return status, parsed, sent

    def smoke_test(self) -> None:
        status, body, cookies = self.request("POST", "/api/intake", SMOKE_INTAKE)
        if (
            status != 200
            or not isinstance(body, dict)
            or body.get("success") is not True
            or not body.get("campaign_id")
        ):
            raise DrillFailed("smoke test", f"POST /api/intake answered {status}: {body}")
        campaign = body["campaign_id"]
        status, detail, _ = self.request("GET", f"/api/campaign/{campaign}", cookies=cookies)
        if status != 200 or not isinstance(detail, dict) or detail.get("campaign_id") != campaign:
            raise DrillFailed("smoke test", f"GET /api/campaign/{campaign} answered {status}: {detail}")
        self.report.smoke.update(intake=200, campaign=200, campaign_id=campaign)
        self.echo(f"  POST /api/intake → {campaign}; GET /api/campaign/{campaign} → 200")

    def stop_service(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            stop_group(server)

    def server_log_tail(self) -> str:
        try:
            assert self.workdir is not None
            lines = (self.workdir / "serve.log").read_text(errors="replace").strip().splitlines()
        except (OSError, AssertionError):
            return ""
        return ("\n  server log: " + "\n  ".join(lines[-8:])) if lines else ""

    def clean_up(self) -> None:
        if self.keep:
            self.report.kept = True
            return
        if self.clone_db is not None:
            try:
                engines.pg_drop_database(self.live, self.clone_db.dbname)
            except Exception as exc:
                logger.error(
                    "drill clone not dropped",
                    extra={"event": "drill_cleanup_failed", "database": self.clone_db.dbname, "error": str(exc)},
                )
                if self.report.ok:
                    self.report.ok, self.report.failed_step = False, "clean up"
                    self.report.error = f"the scratch database {self.clone_db.dbname} could not be dropped: {exc}"
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def run_drill(
    ref: str = "latest", *, timeout: float = 120, keep: bool = False, echo: Echo = lambda _m: None
) -> DrillReport:
    """Run the drill and append its report to DATA_DIR/drills.jsonl, whether it passed or not."""
    report = Drill(ref, timeout, keep, echo).run()
    append_line(drills_log(), report.to_dict())
    logger.log(
        logging.INFO if report.ok else logging.ERROR,
        "drill passed" if report.ok else "drill failed",
        extra={
            "event": "drill_finished",
            "ok": report.ok,
            "failed_step": report.failed_step,
            "backup_id": report.backup_id,
            "time_to_recovery_s": report.time_to_recovery_seconds,
        },
    )
    return report
