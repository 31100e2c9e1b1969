"""Sending and the outbox: `send`, `outbox` (state, retry, drain) and `mailbox` (list, test, keys)."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click

from sixdegrees.cli import cli
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option

ONE_OFF_FIELDS = ("to", "subject", "body", "name")


def _read_task(file: str | None) -> dict[str, str]:
    """The old script's task: {"to", "subject", "body", "name"?} from a file or stdin."""
    try:
        raw = sys.stdin.read() if file in (None, "-") else Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None
    if not raw.strip():
        raise click.UsageError("say what to send: --to/--subject/--body, --file task.json, or --campaign-id ID")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"the task is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise click.ClickException('the task must be a JSON object like {"to": …, "subject": …, "body": …}')
    return {key: str(data[key]) for key in ONE_OFF_FIELDS if data.get(key) is not None}


def _validate_one_off(task: dict[str, str]) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    missing = [key for key in ("to", "subject", "body") if not task.get(key, "").strip()]
    if missing:
        raise click.ClickException(f"missing {', '.join(missing)}: give --to, --subject and --body (or a task file)")
    try:
        validate_email(task["to"].strip())
    except ValidationError:
        raise click.ClickException(f"{task['to']!r} is not an email address") from None
    if any(c in task["subject"] for c in "\r\n"):
        raise click.ClickException("the subject must be one line")


@cli.command()
@click.option("--to", help="Recipient address (one-off email).")
@click.option("--subject", help="Subject (one-off email).")
@click.option("--body", help="Plain-text body (one-off email).")
@click.option("--name", default="", help="Recipient's name (one-off email).")
@click.option("--from-name", default="", help="Sender's display name (one-off email).")
@click.option("--file", "task_file", help='A JSON task {"to","subject","body","name"?}; "-" reads stdin.')
@click.option("--campaign-id", help="Send this campaign's queued (approved) emails now.")
@click.option("--max-wait", default=120.0, show_default=True, help="With --campaign-id: seconds to wait on pacing.")
@json_option
@needs_database
def send(
    to: str | None,
    subject: str | None,
    body: str | None,
    name: str,
    from_name: str,
    task_file: str | None,
    campaign_id: str | None,
    max_wait: float,
    as_json: bool,
) -> None:
    """Send one email now, or a campaign's approved emails, through the configured mailbox.

    A one-off email comes from --to/--subject/--body, from --file task.json, or as JSON on stdin
    (the old script's interface). It is recorded in the outbox like every email (see `sixdegrees
    outbox`), so pacing, the daily cap and retries apply to it too: one that must wait is left
    queued for the worker, and the command says so. Without any mailbox, emails are written to
    the local outbox folder instead, and the command says so. Exit status 1: nothing will be sent.

    Example: sixdegrees send --to jane@example.com --subject "Hello" --body "Hi Jane, …"
    """
    if campaign_id:
        if to or subject or body or task_file:
            raise click.ClickException("give either --campaign-id or a one-off email, not both")
        _send_campaign(campaign_id.strip(), max_wait, as_json)
        return
    if to or subject or body:
        task = {"to": to or "", "subject": subject or "", "body": body or "", "name": name}
    elif task_file or not sys.stdin.isatty():
        task = _read_task(task_file)
    else:
        raise click.UsageError("say what to send: --to/--subject/--body, --file task.json, or --campaign-id ID")
    _validate_one_off(task)
    from sixdegrees.outreach.runner import send_one_off

    result = send_one_off(
        to=task["to"].strip(),
        subject=task["subject"].strip(),
        body=task["body"],
        name=task.get("name", ""),
        from_name=from_name,
    )
    if as_json:
        emit_json(
            {
                "success": result.ok,
                "state": result.state,
                "message": result.words,
                "message_id": result.message_id or None,
                "email_id": result.email_id or None,
            }
        )
        if not result.ok:
            sys.exit(1)
        return
    if not result.ok:
        raise click.ClickException(result.words)
    click.echo(result.words)


def _send_campaign(campaign_id: str, max_wait: float, as_json: bool) -> None:
    from django.utils import timezone

    from sixdegrees.campaigns.models import Campaign
    from sixdegrees.outreach import mailboxes, outbox
    from sixdegrees.outreach.models import EmailOutreach
    from sixdegrees.outreach.runner import drain

    campaign = Campaign.objects.filter(id=campaign_id).first()
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    # "Now" means now: emails waiting out a retry delay go at once too (pacing and caps still hold).
    outbox.due_now(EmailOutreach.objects.filter(campaign=campaign), timezone.now())
    route = mailboxes.route_for_owner(campaign.owner_id)
    result = drain(campaign_id=campaign.id, max_wait=max_wait)
    counts = _counts(campaign.id)
    words = _campaign_words(route, result, counts)
    if as_json:
        emit_json(
            {
                "success": result.failed == 0 and result.stopped not in ("paused", "connection"),
                "campaign_id": campaign.id,
                "via": str(route) if route else "local outbox",
                "sent": result.sent,
                "failed": result.failed,
                "retrying": result.retrying,
                "skipped": result.skipped,
                "stopped": result.stopped or None,
                "counts": counts,
                "message": words,
            }
        )
    else:
        click.echo(words)
    if result.failed or result.stopped in ("paused", "connection"):
        sys.exit(1)


def _campaign_words(route: Any, result: Any, counts: dict[str, int]) -> str:
    from django.conf import settings

    if route is None and result.sent:
        lines = [
            f"No mailbox is configured: {result.sent} email(s) were written to {settings.OUTBOX_DIR} "
            "and not sent to anyone."
        ]
    else:
        lines = [f"Sent {result.sent} email(s)" + (f" through {route.address}." if route else ".")]
    if result.failed:
        lines.append(f"{result.failed} failed; see `sixdegrees outbox --status failed`.")
    if result.retrying:
        lines.append(f"{result.retrying} will be retried later.")
    if result.skipped:
        lines.append(f"{result.skipped} follow-up(s) went back to draft: a reply came first.")
    reasons = {
        "paused": f"Sending stopped: {route.address if route else 'the mailbox'} is paused "
        f"({(route.pause_words() if route else '') or 'see `sixdegrees mailbox list`'}).",
        "cap": "The mailbox reached its daily cap; the rest go out tomorrow (UTC).",
        "window": "The mailbox is outside its sending window; the rest go out when it opens.",
        "connection": "The mail server could not be reached; see `sixdegrees mailbox test`.",
        "pacing": "The rest wait for the pause between messages; the worker sends them.",
        "busy": "Another worker is sending from this mailbox right now.",
    }
    for reason in (result.stopped or "").split(", "):
        if reason in reasons:
            lines.append(reasons[reason])
    if counts.get("queued") and not result.stopped:
        lines.append(f"{counts['queued']} still queued (waiting to retry); the worker sends them.")
    if not any(counts.get(s) for s in ("queued", "sending", "sent", "failed")) and not result.handled:
        lines = ["Nothing to send: this campaign has no approved emails."]
    return " ".join(lines)


def _counts(campaign_id: str | None = None) -> dict[str, int]:
    from django.db.models import Count

    from sixdegrees.outreach.models import EmailOutreach

    rows = EmailOutreach.objects.all()
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    return {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id")).order_by("status")}


@cli.group(invoke_without_command=True)
@click.option("--campaign", "campaign_id", help="Only this campaign.")
@click.option(
    "--status",
    type=click.Choice(["draft", "queued", "sending", "sent", "failed", "bounced", "replied"]),
    help="Only emails in this state.",
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0, 10000), help="Rows to list.")
@json_option
@click.pass_context
@needs_database
def outbox(ctx: click.Context, campaign_id: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """Show the outbox: emails by state, the mailboxes, and recent rows with their errors.

    Example: sixdegrees outbox --status failed
    """
    if ctx.invoked_subcommand is not None:
        return
    from sixdegrees.outreach.models import EmailOutreach

    rows = EmailOutreach.objects.select_related("mailbox").order_by("-updated_at")
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    if status:
        rows = rows.filter(status=status)
    listed = list(rows[:limit])
    counts = _counts(campaign_id)
    mailbox_states = [_mailbox_json(m) for m in _mailboxes()]
    if as_json:
        emit_json({"counts": counts, "mailboxes": mailbox_states, "emails": [_row_json(r) for r in listed]})
        return
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "empty"
    click.echo(f"Outbox: {summary}")
    if not mailbox_states:
        click.echo("Mailbox: none configured; emails are written to the local outbox folder, not sent.")
    for state in mailbox_states:
        click.echo(f"Mailbox {state['address']} ({state['owner'] or 'operator default'}): {state['state']}")
    for row in listed:
        error = f"  {row.error_message}" if row.error_message else ""
        click.echo(f"{row.id}  {row.status:<8} tries={row.attempts}  {row.recipient_email or '-'}{error}")


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "email_id": row.id,
        "campaign_id": row.campaign_id,
        "recipient_email": row.recipient_email,
        "status": row.status,
        "attempts": row.attempts,
        "error_message": row.error_message or None,
        "message_id": row.message_id,
        "next_attempt_at": row.next_attempt_at,
        "sent_at": row.sent_at,
        "mailbox": row.mailbox.address if row.mailbox else None,
        "delivery_note": row.delivery_note or None,
    }


@outbox.command("retry")
@click.option("--failed", "failed", is_flag=True, help="Requeue every failed email.")
@click.option("--id", "email_ids", multiple=True, help="Requeue this failed email (repeatable).")
@click.option("--campaign", "campaign_id", help="Only this campaign's.")
@json_option
def outbox_retry(failed: bool, email_ids: tuple[str, ...], campaign_id: str | None, as_json: bool) -> None:
    """Put failed emails back in the queue (not ones whose recipient asked not to be contacted).

    Example: sixdegrees outbox retry --failed --campaign camp_abc123
    """
    from django.utils import timezone

    from sixdegrees.outreach import outbox
    from sixdegrees.outreach.models import EmailOutreach, Suppression

    if not failed and not email_ids:
        raise click.UsageError("say what to retry: --failed, or --id EMAIL_ID")
    rows = EmailOutreach.objects.filter(status="failed")
    if email_ids:
        rows = rows.filter(id__in=email_ids)
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    suppressed = set(Suppression.objects.values_list("email", flat=True))
    now = timezone.now()
    candidates = [r.id for r in rows.only("id", "recipient_email") if r.recipient_email.lower() not in suppressed]
    requeued = outbox.requeue_failed(candidates, now)
    left = rows.count()
    if as_json:
        emit_json({"success": True, "requeued": requeued, "left_failed": left})
        return
    click.echo(f"Requeued {requeued} email(s); the worker sends them within a minute.")
    if left:
        click.echo(f"{left} stay failed: their recipients asked not to be contacted.")


@outbox.command("drain")
@click.option("--campaign", "campaign_id", help="Only this campaign's emails.")
@click.option(
    "--max-wait",
    default=5.0,
    show_default=True,
    help="Keep going while the next chance to send (pacing, a dead worker's lease) is this close.",
)
@json_option
def outbox_drain(campaign_id: str | None, max_wait: float, as_json: bool) -> None:
    """Send everything due now in the foreground, then exit (a worker without Huey).

    SIGTERM or Ctrl-C stops after the email in flight; a claimed email is never lost.

    Example: sixdegrees outbox drain --max-wait 60
    """
    from sixdegrees.outreach.runner import drain

    stopping = {"flag": False}

    def request_stop(_signum: int, _frame: Any) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    result = drain(campaign_id=campaign_id, max_wait=max_wait, should_stop=lambda: stopping["flag"])
    counts = _counts(campaign_id)
    if as_json:
        emit_json({"sent": result.sent, "failed": result.failed, "retrying": result.retrying, "counts": counts})
    else:
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "empty"
        click.echo(f"Sent {result.sent}, failed {result.failed}, retrying {result.retrying}. Outbox: {summary}.")
    if result.failed:
        sys.exit(1)


@outbox.command("watch")
@click.option("--once", is_flag=True, help="Look once, then exit (default: keep watching until stopped).")
@click.option("--interval", default=60.0, show_default=True, help="Seconds between looks when not --once.")
@json_option
def outbox_watch(once: bool, interval: float, as_json: bool) -> None:
    """Read every mailbox's inbox for replies and bounces (read-only), then follow up on silence.

    Nothing in a mailbox is marked read, moved or deleted. The worker does the same every minute;
    this runs it in the foreground. SIGTERM or Ctrl-C stops after the current look.

    Example: sixdegrees outbox watch --once
    """
    import time

    from sixdegrees.outreach import watcher
    from sixdegrees.outreach.chain.silence import check_silence

    stopping = {"flag": False}

    def request_stop(_signum: int, _frame: Any) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    failed = False
    while True:
        results = [r.summary() for r in watcher.watch_all()]
        silence = check_silence()
        failed = any(r["errors"] for r in results)
        if as_json:
            emit_json({"success": not failed, "mailboxes": results, **silence})
        else:
            if not results:
                click.echo("No mailbox with IMAP settings: nothing to watch.")
            for r in results:
                click.echo(
                    f"{r['mailbox']}: examined {r['examined']}, replies {r['replies']}, bounces {r['bounces']}, "
                    f"automatic replies {r['auto_replies']}"
                    + (f"; errors: {'; '.join(str(e) for e in r['errors'])}" if r["errors"] else "")  # type: ignore[attr-defined]
                )
            click.echo(f"Follow-ups created: {silence['follow_ups']}; next paths offered: {silence['next_paths']}.")
        if once or stopping["flag"]:
            break
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline and not stopping["flag"]:
            time.sleep(min(1.0, interval))
        if stopping["flag"]:
            break
    if failed:
        sys.exit(1)


# --- Mailboxes ---------------------------------------------------------------------------------


def _mailboxes() -> list[Any]:
    from sixdegrees.outreach import mailboxes
    from sixdegrees.outreach.models import Mailbox

    mailboxes.operator_mailbox()  # keep the operator's row in step with the environment
    return list(Mailbox.objects.filter(is_active=True).select_related("owner").order_by("created_at"))


def _mailbox_json(mailbox: Any) -> dict[str, Any]:
    from django.utils import timezone

    from sixdegrees.outreach.models import EmailOutreach

    now = timezone.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = EmailOutreach.objects.filter(mailbox=mailbox, sent_at__gte=day_start).count()
    paused = mailbox.pause_words(now)
    return {
        "id": mailbox.pk,
        "address": mailbox.address,
        "owner": mailbox.owner.email if mailbox.owner_id else None,
        "smtp": f"{mailbox.smtp_host}:{mailbox.smtp_port} ({mailbox.smtp_security})",
        "imap": f"{mailbox.imap_host}:{mailbox.imap_port} ({mailbox.imap_security})" if mailbox.imap_host else None,
        "state": paused or f"sending ({sent_today} of {mailbox.daily_cap} today)",
        "paused": bool(paused),
        "sent_today": sent_today,
        "daily_cap": mailbox.daily_cap,
        "last_error": mailbox.last_error or None,
    }


@cli.group()
def mailbox() -> None:
    """Mailboxes that send outreach: list them, test their login, rotate the encryption keys.

    Example: sixdegrees mailbox test
    """


@mailbox.command("list")
@json_option
@needs_database
def mailbox_list(as_json: bool) -> None:
    """List the mailboxes, whether each is sending or paused, and their last error.

    Example: sixdegrees mailbox list --json
    """
    states = [_mailbox_json(m) for m in _mailboxes()]
    if as_json:
        emit_json({"mailboxes": states})
        return
    if not states:
        click.echo("No mailbox is configured: emails are written to the local outbox folder, not sent.")
        click.echo("Set GMAIL_ADDRESS and GMAIL_APP_PASSWORD for the operator's default mailbox.")
    for state in states:
        click.echo(f"{state['id']}  {state['address']}  ({state['owner'] or 'operator default'})")
        click.echo(f"    SMTP {state['smtp']}; IMAP {state['imap'] or 'not configured'}")
        click.echo(f"    {state['state']}")
        if state["last_error"]:
            click.echo(f"    last error: {state['last_error']}")


@mailbox.command("test")
@click.option("--id", "mailbox_id", help="The mailbox to test (default: the operator's default mailbox).")
@json_option
@needs_database
def mailbox_test(mailbox_id: str | None, as_json: bool) -> None:
    """Log in to the mailbox's SMTP and IMAP servers and say, in plain words, what happened.

    Example: sixdegrees mailbox test --id mbox_abc123
    """
    from sixdegrees.outreach import mailboxes
    from sixdegrees.outreach.models import Mailbox

    if mailbox_id:
        target = Mailbox.objects.filter(pk=mailbox_id).first()
        if target is None:
            raise click.ClickException(f"no mailbox {mailbox_id} (see `sixdegrees mailbox list`)")
    else:
        target = mailboxes.operator_mailbox()
    report = mailboxes.test_connection(target)
    if as_json:
        emit_json({"success": report.ok, "mailbox": report.mailbox, "results": report.lines})
    else:
        click.echo(f"Mailbox: {report.mailbox}")
        for line in report.lines:
            click.echo(line)
    if not report.ok:
        sys.exit(1)


@mailbox.command("rotate-keys")
@json_option
@needs_database
def mailbox_rotate_keys(as_json: bool) -> None:
    """Re-encrypt every stored mailbox password with the first key in SIXDEGREES_ENCRYPTION_KEYS.

    Put the new key first (SIXDEGREES_ENCRYPTION_KEYS=new,old), run this, then remove the old key.

    Example: sixdegrees mailbox rotate-keys
    """
    from sixdegrees.outreach import crypto
    from sixdegrees.outreach.models import Mailbox

    rotated, unreadable = 0, []
    for item in Mailbox.objects.exclude(password_encrypted=""):
        try:
            token = crypto.rotate(item.password_encrypted)
        except crypto.CredentialError:
            unreadable.append(item.address)
            continue
        Mailbox.objects.filter(pk=item.pk).update(password_encrypted=token)
        rotated += 1
    if as_json:
        emit_json({"success": not unreadable, "rotated": rotated, "unreadable": unreadable})
    else:
        click.echo(f"Re-encrypted {rotated} mailbox password(s) with the current key.")
        if unreadable:
            click.echo(
                "These could not be decrypted with any listed key (add the old key back, or ask the person "
                "to enter the password again): " + ", ".join(unreadable),
                err=True,
            )
    if unreadable:
        sys.exit(1)


@mailbox.command("new-key")
def mailbox_new_key() -> None:
    """Print a new random encryption key for SIXDEGREES_ENCRYPTION_KEYS.

    Example: sixdegrees mailbox new-key
    """
    from sixdegrees.outreach import crypto

    click.echo(crypto.generate_key())


__all__ = ["mailbox", "outbox", "send"]
