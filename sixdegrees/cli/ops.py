"""`sixdegrees status`, `doctor`, `secrets` and `logs`: the operator's daily look and incident tools."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click
from django.conf import settings

from sixdegrees.cli import cli
from sixdegrees.cli.output import emit_json, json_option
from sixdegrees.lib.logs import redact
from sixdegrees.ops import logsearch

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

MARK = {"ok": "✓", "warn": "!", "fail": "✗"}


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{int(seconds)} s ago"
    if seconds < 7200:
        return f"{int(seconds // 60)} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def _line(state: str, label: str, text: str) -> None:
    colour = {"ok": "green", "warn": "yellow", "fail": "red"}[state]
    click.echo(f"  {click.style(MARK[state], fg=colour)} {label:<13}  {text}")


# --- status ------------------------------------------------------------------------------------


@cli.command()
@json_option
def status(as_json: bool) -> None:
    """The morning checklist on one screen.

    Version and pending migrations; the database with its counts of people, campaigns and emails;
    the worker's heartbeat; the outbox by status; errors in the log over the last 24 h; requests
    per minute, 5xx rate and p95 latency over the last hour (from the request log of every web
    process); the age of the latest backup. Exits 1 when something is red; `sixdegrees doctor`
    then says how to fix it.

    Example: sixdegrees status --json
    """
    from sixdegrees.ops.status import collect

    report = collect()
    if as_json:
        emit_json(report)
    else:
        _print_status(report)
    if not report["ok"]:
        sys.exit(1)


def _print_status(r: dict[str, Any]) -> None:
    click.echo(f"SixDegrees {r['version']} · {r['environment']} · {r['generated_at'][:16].replace('T', ' ')} UTC")
    db = r["database"]
    if db["reachable"]:
        _line(
            "ok",
            "database",
            f"{db['engine']}: {db['users']:,} people, {db['campaigns']:,} campaigns, {db['emails']:,} emails",
        )
    else:
        _line("fail", "database", f"unreachable: {db['error']}")
    migrations = r["migrations"]
    if migrations["pending"] is None:
        _line("fail", "migrations", "unknown (no database)")
    elif migrations["pending"]:
        _line("fail", "migrations", f"{len(migrations['pending'])} not applied: {', '.join(migrations['pending'][:3])}")
    else:
        _line("ok", "migrations", "all applied")
    worker = r["worker"]
    if worker.get("error"):
        _line("fail", "worker", "unknown (no database)")
    elif worker["last_beat_at"] is None:
        _line("fail", "worker", "no worker has ever reported in")
    else:
        _line(
            worker["state"],
            "worker",
            f"last heartbeat {_age(worker['age_seconds'])} ({worker['alive']} alive)"
            + ("" if worker["state"] == "ok" else ": STOPPED"),
        )
    outbox = r["outbox"]
    if outbox.get("by_status") is None:
        _line("fail", "outbox", "unknown (no database)")
    else:
        counts = ", ".join(f"{n:,} {s}" for s, n in outbox["by_status"].items())
        notes = []
        if outbox["failed_last_24h"]:
            notes.append(f"{outbox['failed_last_24h']} failed in 24 h")
        if outbox["queued_overdue"]:
            notes.append(f"{outbox['queued_overdue']} queued over 1 h")
        if outbox["sending_past_lease"]:
            notes.append(f"{outbox['sending_past_lease']} stuck sending")
        _line(outbox["state"], "outbox", counts + (f" — {'; '.join(notes)}" if notes else ""))
    errors = r["errors_24h"]
    if errors["count"]:
        latest = errors["latest"][0]
        when = str(latest["time"])[11:16]
        _line(
            "warn",
            "errors 24 h",
            f"{errors['count']:,} error lines ({errors['server_error_responses']:,} responses ≥ 500); "
            f"latest {when} {latest['message']}",
        )
    else:
        _line("ok", "errors 24 h", "none")
    traffic = r["traffic_1h"]
    if traffic["requests"]:
        _line(
            traffic["state"],
            "traffic 1 h",
            f"{traffic['requests_per_minute']:.1f} req/min, {traffic['error_rate']:.2%} 5xx, "
            f"p95 {traffic['p95_ms']:.0f} ms ({traffic['requests']:,} requests)",
        )
    else:
        _line("ok", "traffic 1 h", "no requests logged in the last hour")
    backup = r["backup"]
    if backup["latest_id"] is None:
        _line("fail", "backup", "none yet: take one with `sixdegrees backup create`")
    else:
        _line(backup["state"], "backup", f"{backup['latest_id']}, {_age(backup['age_seconds'])}")
    if r["ok"] and not r["warnings"]:
        click.echo("All clear.")
    elif r["ok"]:
        click.echo(f"Working, with warnings: {', '.join(r['warnings'])}. `sixdegrees doctor` says what to do.")
    else:
        click.echo(f"Needs attention: {', '.join(r['failed'])}. Run `sixdegrees doctor` for the fixes.")


# --- doctor ------------------------------------------------------------------------------------


@cli.command()
@click.option("--offline", is_flag=True, help="Skip the checks that connect to other servers (SMTP, IMAP, Anthropic).")
@json_option
def doctor(offline: bool, as_json: bool) -> None:
    """Diagnose an incident: each check ok, warn or fail, with the fix to apply.

    Checks the database (reachable, not locked), migrations, that the secrets are present (names
    only), Django's system checks, the worker heartbeat, the outbox, SMTP and IMAP login for each
    configured mailbox, the Anthropic API when a key is set, free disk, backup freshness and paused
    mailboxes. Exits 1 when any check fails; warnings alone exit 0.

    Example: sixdegrees doctor
    """
    from sixdegrees.ops.doctor import FAIL, diagnose

    findings = diagnose(network=not offline)
    for finding in findings:  # details quote servers' and libraries' words: never let a secret through
        finding.detail, finding.fix = redact(finding.detail), redact(finding.fix)
    failed = [f.check for f in findings if f.state == FAIL]
    if as_json:
        emit_json(
            {
                "ok": not failed,
                "failed": failed,
                "warnings": [f.check for f in findings if f.state == "warn"],
                "checks": [f.to_dict() for f in findings],
            }
        )
    else:
        width = min(32, max(len(f.check) for f in findings))
        for finding in findings:
            _line(finding.state, finding.check.ljust(width), finding.detail)
            if finding.fix and finding.state != "ok":
                click.echo(f"    {' ' * width}    → {finding.fix}")
        warnings = sum(1 for f in findings if f.state == "warn")
        if failed:
            click.echo(f"{len(failed)} failed: {', '.join(failed)}.")
        else:
            click.echo(
                "Nothing is broken." + (f" {warnings} warning{'s' if warnings > 1 else ''}." if warnings else "")
            )
    if failed:
        sys.exit(1)


# --- secrets -----------------------------------------------------------------------------------


@cli.command()
@json_option
def secrets(as_json: bool) -> None:
    """Which secrets are set and where each comes from; never their values.

    Sources: the environment, the .env file (SIXDEGREES_ENV_FILE, default ./.env; the environment
    wins), a file named by NAME_FILE, or generated into the data dir (development only). Exits 1
    when a secret that a switched-on feature needs is missing.

    Example: sixdegrees secrets --json
    """
    from sixdegrees.ops.secrets import FIX, inspect_all, stored_mailbox_passwords

    states = inspect_all()
    stored = stored_mailbox_passwords()
    missing = [s.name for s in states if s.state == "fail"]
    if as_json:
        emit_json(
            {
                "ok": not missing,
                "env_file": str(settings.ENV_FILE),
                # Names (of any variable, secret or not) that came from the .env file.
                "env_file_supplied": sorted(settings.ENV_FILE_VARIABLES),
                "secrets": [s.to_dict() for s in states],
                "stored_mailbox_passwords": stored,
                "missing": missing,
            }
        )
    else:
        width = max(len(s.name) for s in states)
        for s in states:
            text = f"set, from the {s.source}" if s.set else "not set"
            _line(s.state, s.name.ljust(width), text + (f" — {s.note}" if s.note else ""))
        if stored is not None:
            click.echo(f"  Mailbox passwords stored encrypted in the database: {stored}.")
        for name in missing:
            click.echo(f"Fix {name}: {FIX.get(name, 'set it and restart.')}")
    if missing:
        sys.exit(1)


# --- logs --------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--status",
    "status_filter",
    metavar="error|warning|4xx|5xx|NNN",
    help="Only errors (error level or a response ≥ 500), warnings and up, 4xx, 5xx or one status code.",
)
@click.option("--since", metavar="DURATION|TIME", help="Only lines newer than this: 30m, 1h, 2d, or 2026-11-28T08:00.")
@click.option(
    "-n",
    "--lines",
    "count",
    default=50,
    show_default=True,
    type=click.IntRange(0),
    help="Show the last N matching lines (0: all).",
)
@click.option(
    "--grep", metavar="TEXT", help="Only lines containing TEXT (any field, case-insensitive), e.g. an event name."
)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines as they are written (follows rotation).")
@click.option("--follow-seconds", type=float, default=None, hidden=True)
@json_option
def logs(
    status_filter: str | None,
    since: str | None,
    count: int,
    grep: str | None,
    follow: bool,
    follow_seconds: float | None,
    as_json: bool,
) -> None:
    """Search the service's structured log, rotated files included, oldest first.

    Reads settings.LOG_FILE (DATA_DIR/logs/sixdegrees.log) and its rotations. With --json each
    line is one JSON object, as written (secrets are redacted before writing and again here).

    Example: sixdegrees logs --status 5xx --since 1h
    """
    try:
        wanted = logsearch.check_status_filter(status_filter)
        cutoff = logsearch.parse_since(since) if since else None
    except logsearch.LogQueryError as exc:
        raise click.BadParameter(str(exc)) from None

    def show(record: dict[str, Any]) -> None:
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False, default=str))
        else:
            click.echo(logsearch.format_record(record))

    files = logsearch.log_files()
    if not files and not follow:
        raise click.ClickException(f"no log file at {logsearch.log_path()} yet")
    for record in logsearch.tail(logsearch.read(since=cutoff, status=wanted, grep=grep), count):
        show(record)
    if not follow:
        return
    deadline = time.monotonic() + follow_seconds if follow_seconds is not None else None
    try:
        for record in logsearch.follow(
            status=wanted,
            grep=grep,
            poll_seconds=0.2 if deadline else 0.5,
            should_stop=lambda: deadline is not None and time.monotonic() >= deadline,
        ):
            show(record)
    except KeyboardInterrupt:
        pass
