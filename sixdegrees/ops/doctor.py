"""`sixdegrees doctor`: what is broken right now, and the fix for each.

Every check answers ok, warn or fail with what it found and, when not ok, what to do. The
checks run in the order an operator would look: can we read the database, is the schema current,
are the secrets there, is the worker alive, can each mailbox log in, is the AI reachable, is
there disk, is there a recent backup, is anything paused. `doctor` exits 1 when any check fails.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from sixdegrees.ops import secrets as secret_report
from sixdegrees.ops import status as status_report
from sixdegrees.ops.checks import check_deployment, same_disk
from sixdegrees.outreach.mailboxes import operator_mailbox, test_connection
from sixdegrees.outreach.models import Mailbox

OK, WARN, FAIL = "ok", "warn", "fail"
MAX_MAILBOXES = 10  # people's own mailboxes checked per run (each is a network round trip)
AI_TIMEOUT_SECONDS = 5.0
LOCK_PROBE_SECONDS = 2.0
DISK_WARN_FRACTION, DISK_WARN_BYTES = 0.10, 1_000_000_000
DISK_FAIL_FRACTION, DISK_FAIL_BYTES = 0.02, 200_000_000


@dataclass
class Finding:
    check: str
    state: str
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Database and schema ------------------------------------------------------------------------


def check_database() -> Finding:
    # Connecting to a missing SQLite file would create an empty one; say it is missing instead.
    missing = status_report.missing_database_file()
    if missing:
        return Finding(
            "database",
            FAIL,
            missing,
            "Check SIXDEGREES_DATA_DIR / DATABASE_URL point at the real database. If the file is lost, "
            "restore the latest backup: `sixdegrees backup restore latest`.",
        )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM sqlite_master")
                cursor.fetchone()
    except DatabaseError as exc:
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        where = status_report.sqlite_path() or connection.settings_dict.get("HOST") or "the database server"
        return Finding(
            "database",
            FAIL,
            f"cannot read the database ({where}): {reason}",
            "For SQLite: check the file's permissions and disk; a damaged file is replaced with "
            "`sixdegrees backup restore latest`. For PostgreSQL: check the server is up and DATABASE_URL.",
        )
    locked = _sqlite_write_lock_held()
    if locked:
        return Finding(
            "database",
            WARN,
            locked,
            "Find the process holding the write lock (a long `sixdegrees` command, a sqlite3 shell): "
            f"`fuser {status_report.sqlite_path()}`; stop it. Writers wait up to 30 s before failing.",
        )
    return Finding("database", OK, f"{connection.vendor} answers")


def _sqlite_write_lock_held() -> str:
    path = status_report.sqlite_path()
    if path is None:
        return ""
    probe = sqlite3.connect(str(path), timeout=LOCK_PROBE_SECONDS, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return f"another process has held the database's write lock for over {LOCK_PROBE_SECONDS:.0f} s"
        return ""
    finally:
        probe.close()
    return ""


def check_migrations() -> Finding:
    pending = status_report.pending_migrations()
    if pending:
        shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
        return Finding(
            "migrations",
            FAIL,
            f"{len(pending)} migration{'s are' if len(pending) > 1 else ' is'} not applied: {shown}",
            "Apply them: `sixdegrees manage migrate` (or restart `sixdegrees up`, which backs up and migrates).",
        )
    return Finding("migrations", OK, "all applied")


# --- Secrets, configuration -----------------------------------------------------------------------


def check_secrets() -> list[Finding]:
    states = secret_report.inspect_all()
    findings = [
        Finding(f"secret {s.name}", s.state, s.note, secret_report.FIX.get(s.name, "")) for s in states if s.state != OK
    ]
    if not findings:
        present = [s.name for s in states if s.set]
        findings.append(Finding("secrets", OK, "present: " + (", ".join(present) or "none needed")))
    return findings


def check_configuration() -> list[Finding]:
    """Django's system checks, and in production the deployment warnings (ops/checks.py)."""
    messages = list(checks.run_checks(include_deployment_checks=settings.PRODUCTION))
    if settings.PRODUCTION:
        messages += check_deployment()
    # Ours about secrets are reported by the secrets check already.
    messages = [m for m in messages if m.id not in ("sixdegrees.W002", "sixdegrees.W003")]
    findings = []
    for message in messages:
        state = FAIL if message.level >= checks.ERROR else WARN
        findings.append(Finding(f"config {message.id}", state, str(message.msg), message.hint or ""))
    return findings or [Finding("configuration", OK, "no problems in Django's system checks")]


# --- Worker, mail, AI -----------------------------------------------------------------------------


def check_worker(now: dt.datetime) -> Finding:
    worker = status_report.worker_section(now)
    start = "Start it: `sixdegrees worker` (or `sixdegrees up`, which runs one); if it keeps dying, see `sixdegrees logs --status error --since 1h`."
    if worker["last_beat_at"] is None:
        return Finding("worker", FAIL, "no worker has ever reported in", start)
    if worker["state"] == FAIL:
        return Finding(
            "worker",
            FAIL,
            f"stopped: the last heartbeat ({worker['worker']}) was {int(worker['age_seconds'])} s ago",
            start,
        )
    return Finding("worker", OK, f"{worker['alive']} alive, last heartbeat {int(worker['age_seconds'])} s ago")


def mailboxes_to_check() -> tuple[list[Mailbox], int]:
    found: list[Mailbox] = []
    operator = operator_mailbox()
    if operator is not None:
        found.append(operator)
    people = Mailbox.objects.filter(is_active=True, owner__isnull=False).order_by("-last_sent_at", "created_at")
    total = people.count()
    found.extend(people[:MAX_MAILBOXES])
    return found, max(0, total - MAX_MAILBOXES)


def check_mail() -> list[Finding]:
    mailboxes, unchecked = mailboxes_to_check()
    if not mailboxes:
        return [
            Finding(
                "mail",
                OK,
                f"not configured: emails are written to the local outbox ({settings.OUTBOX_DIR})",
                "",
            )
        ]
    findings = []
    for mailbox in mailboxes:
        report = test_connection(mailbox)
        detail = "; ".join(line for line in report.lines if line)
        fix = "" if report.ok else _mail_fix(mailbox, detail)
        findings.append(Finding(f"mailbox {mailbox.address}", OK if report.ok else FAIL, detail, fix))
    if unchecked:
        findings.append(
            Finding("mailboxes", OK, f"{unchecked} more people's mailboxes not checked (limit {MAX_MAILBOXES})")
        )
    return findings


def _mail_fix(mailbox: Mailbox, detail: str) -> str:
    if "refused the password" in detail:
        if mailbox.from_env:
            return "Create a new Google app password, set GMAIL_APP_PASSWORD and restart; sending resumes by itself."
        return (
            "Its owner reconnects the mailbox in Settings, or set a new password in the admin (Outreach › Mailboxes)."
        )
    where = (
        "SMTP_HOST, SMTP_PORT, SMTP_SECURITY (and IMAP_*)"
        if mailbox.from_env
        else "the mailbox's settings in the admin"
    )
    return (
        f"Check {where} and that the server is reachable from this machine; "
        "`sixdegrees mailbox test` repeats the login."
    )


def check_anthropic() -> Finding:
    if settings.STRATEGY_PLANNER == "offline":
        return Finding("anthropic", OK, "not used (STRATEGY_PLANNER=offline)")
    if not settings.ANTHROPIC_API_KEY:
        return Finding("anthropic", OK, "not configured: plans come from the offline planner")
    # Imported here, like strategy.planner does, so that an offline-only deployment never loads the SDK.
    from sixdegrees.strategy.anthropic_planner import AnthropicPlanner

    where = settings.ANTHROPIC_BASE_URL or "api.anthropic.com"
    client = AnthropicPlanner().client  # the strategy module's own client: same key, base URL and SDK
    if client is None:
        return Finding("anthropic", OK, "not configured: plans come from the offline planner")
    try:
        # The cheapest authenticated request there is: costs no tokens.
        client.with_options(timeout=AI_TIMEOUT_SECONDS, max_retries=0).models.list(limit=1)
    except Exception as exc:
        code = getattr(exc, "status_code", None)
        fallback = "Plans fall back to the offline planner meanwhile."
        if code in (401, 403):
            return Finding(
                "anthropic",
                FAIL,
                f"{where} refused the API key (HTTP {code})",
                "Put a valid key in ANTHROPIC_API_KEY and restart.",
            )
        if code is not None:
            return Finding(
                "anthropic",
                WARN if code == 429 or code >= 500 else FAIL,
                f"{where} answered HTTP {code}",
                f"Check https://status.anthropic.com; nothing to fix here if it is an outage. {fallback}",
            )
        return Finding(
            "anthropic",
            FAIL,
            f"cannot reach {where}: {type(exc).__name__}",
            f"Check the network (or ANTHROPIC_BASE_URL) from this machine. {fallback}",
        )
    return Finding("anthropic", OK, f"{where} accepts the API key")


# --- Disk, backups, paused mailboxes -------------------------------------------------------------


def _disk_finding(label: str, path: Path) -> Finding:
    usage = shutil.disk_usage(path)
    free, fraction = usage.free, usage.free / usage.total if usage.total else 0.0
    words = f"{free / 1e9:.1f} GB free ({fraction:.0%}) on the disk of {path}"
    fix = (
        "Free space: `sixdegrees backup prune --keep-days 7`, `sixdegrees db archive --older-than-days 90`, "
        f"delete old rotated logs in {settings.LOG_DIR}; or grow the disk."
    )
    if fraction < DISK_FAIL_FRACTION or free < DISK_FAIL_BYTES:
        return Finding(label, FAIL, words, fix + " SQLite stops writing when the disk is full.")
    if fraction < DISK_WARN_FRACTION or free < DISK_WARN_BYTES:
        return Finding(label, WARN, words, fix)
    return Finding(label, OK, words)


def check_disk() -> list[Finding]:
    findings = [_disk_finding("disk", Path(settings.DATA_DIR))]
    if not same_disk(settings.BACKUP_DIR, settings.DATA_DIR):
        findings.append(_disk_finding("backup disk", Path(settings.BACKUP_DIR)))
    return findings


def check_backups(now: dt.datetime) -> Finding:
    backup = status_report.latest_backup(now)
    state = status_report.backup_state(backup)
    fix = (
        "Take one now: `sixdegrees backup create`. The worker takes one every hour: check it runs "
        "(`sixdegrees status`) and `sixdegrees logs --status error --since 1d` for backup_failed."
    )
    if backup is None:
        return Finding("backups", FAIL, f"no backup in {settings.BACKUP_DIR}", fix)
    age = _age_words(backup.age_seconds)
    if state == OK:
        return Finding("backups", OK, f"latest {backup.id}, {age} old")
    return Finding("backups", state, f"the latest backup ({backup.id}) is {age} old", fix)


def check_paused_mailboxes(now: dt.datetime) -> list[Finding]:
    paused = Mailbox.objects.filter(is_active=True).filter(
        Q(paused_until__gt=now) | Q(pause_reason=Mailbox.PauseReason.AUTH)
    )
    findings = []
    for mailbox in paused:
        words = mailbox.pause_words(now)
        if not words:
            continue
        fix = (
            "Fix the password (GMAIL_APP_PASSWORD, or the owner reconnects in Settings); sending resumes by itself."
            if mailbox.pause_reason == Mailbox.PauseReason.AUTH
            else "Nothing to do: it resumes by itself at the time shown (admin › Mailboxes › Resume sending to force it)."
        )
        findings.append(Finding(f"paused {mailbox.address}", WARN, words, fix))
    return findings or [Finding("paused mailboxes", OK, "none")]


def check_outbox(now: dt.datetime) -> Finding:
    outbox = status_report.outbox_section(now)
    if outbox["state"] == OK:
        queued = outbox["by_status"].get("queued", 0)
        return Finding("outbox", OK, f"{queued} queued, nothing overdue")
    parts = []
    if outbox["failed_last_24h"]:
        parts.append(f"{outbox['failed_last_24h']} failed in the last 24 h")
    if outbox["queued_overdue"]:
        parts.append(f"{outbox['queued_overdue']} queued for over an hour")
    if outbox["sending_past_lease"]:
        parts.append(f"{outbox['sending_past_lease']} stuck in sending past their lease")
    return Finding(
        "outbox",
        WARN,
        ", ".join(parts),
        "See `sixdegrees outbox` for the errors; retry failed ones with `sixdegrees outbox retry --failed`. "
        "Overdue emails usually mean the worker is down or their mailbox is paused.",
    )


def _age_words(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


# --- The whole diagnosis --------------------------------------------------------------------------


def diagnose(*, network: bool = True, now: dt.datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    findings = [check_database()]
    database_ok = findings[0].state != FAIL
    if database_ok:
        findings.append(_guarded("migrations", check_migrations))
    findings.extend(check_secrets())
    findings.extend(check_configuration())
    if database_ok:
        findings.append(_guarded("worker", lambda: check_worker(now)))
        findings.append(_guarded("outbox", lambda: check_outbox(now)))
        if network:
            findings.extend(_guarded_list("mail", check_mail))
        findings.extend(_guarded_list("paused mailboxes", lambda: check_paused_mailboxes(now)))
    else:
        findings.append(
            Finding("worker", FAIL, "unknown: the heartbeat lives in the database", "Fix the database first.")
        )
    if network:
        findings.append(_guarded("anthropic", check_anthropic))
    findings.extend(check_disk())
    findings.append(_guarded("backups", lambda: check_backups(now)))
    return findings


def _guarded(name: str, check: Callable[[], Finding]) -> Finding:
    try:
        return check()
    except Exception as exc:  # one broken check must not hide the others
        return Finding(name, FAIL, f"the check itself failed: {type(exc).__name__}: {str(exc)[:200]}", "")


def _guarded_list(name: str, check: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return check()
    except Exception as exc:
        return [Finding(name, FAIL, f"the check itself failed: {type(exc).__name__}: {str(exc)[:200]}", "")]
