"""`sixdegrees send`, `outbox` and `mailbox` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

import sixdegrees.cli.outbox  # noqa: F401 (registers the commands)
from sixdegrees.cli import cli
from sixdegrees.outreach.models import EmailOutreach, Mailbox, Suppression
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER, make_campaign, make_mailbox, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    # The service logs JSON lines to stdout too; what a command prints is the rest.
    result.printed = "".join(line for line in result.output.splitlines(True) if not line.startswith('{"time"'))
    return result


@pytest.fixture
def operator(settings, smtp_server):
    """The operator's default mailbox from the environment, pointing at the test server."""
    settings.GMAIL_ADDRESS, settings.GMAIL_APP_PASSWORD = SMTP_USER, SMTP_PASSWORD
    settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_CAFILE = "127.0.0.1", smtp_server.port, smtp_server.cafile
    settings.IMAP_HOST = ""
    settings.OUTBOX_MIN_INTERVAL_SECONDS = 0
    return smtp_server


@pytest.fixture
def local_outbox(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    return settings.OUTBOX_DIR


def test_send_one_email_through_the_operators_mailbox(operator):
    result = run("send", "--to", "jane@example.org", "--subject", "你好 Jane", "--body", "正文", "--name", "Jane")
    assert result.exit_code == 0, result.printed
    assert result.printed.startswith(f"Sent to jane@example.org from {SMTP_USER} via 127.0.0.1:{operator.port}")
    [received] = operator.received
    assert received.message["Subject"] == "你好 Jane" and received.rcpt_tos == ["jane@example.org"]


def test_send_reads_the_old_scripts_task_from_stdin_or_a_file(operator, tmp_path):
    task = {"to": "a@example.org", "subject": "From stdin", "body": "Hello", "name": "A"}
    result = run("send", "--json", input=json.dumps(task))
    assert result.exit_code == 0, result.printed
    assert json.loads(result.printed)["success"] is True
    (tmp_path / "task.json").write_text(json.dumps({**task, "subject": "From a file"}), encoding="utf-8")
    assert run("send", "--file", str(tmp_path / "task.json")).exit_code == 0
    assert [r.message["Subject"] for r in operator.received] == ["From stdin", "From a file"]


def test_without_a_mailbox_send_says_the_email_stayed_local(local_outbox):
    result = run("send", "--to", "a@example.org", "--subject", "S", "--body", "B")
    assert result.exit_code == 0
    assert "no mailbox is configured" in result.printed.lower() and "not sent" in result.printed
    assert len(list(local_outbox.glob("*.eml"))) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--to", "not-an-address", "--subject", "S", "--body", "B"], "is not an email address"),
        (["--to", "a@example.org", "--body", "B"], "missing subject"),
    ],
)
def test_send_explains_bad_input_and_exits_non_zero(local_outbox, args, words):
    result = run("send", *args)
    assert result.exit_code == 1 and words in result.printed


def test_send_refuses_a_suppressed_address(local_outbox):
    Suppression.objects.create(email="no@example.org", reason="unsubscribed")
    result = run("send", "--to", "no@example.org", "--subject", "S", "--body", "B")
    assert result.exit_code == 1 and "asked not to be contacted" in result.printed
    assert not list(local_outbox.glob("*.eml"))


def test_send_a_campaigns_queue_now_and_report_failures(alice, smtp_server):
    make_mailbox(alice, smtp_server)
    campaign = make_campaign(alice)
    for i in range(3):
        queue_email(campaign, recipient_email=f"p{i}@example.org")
    queue_email(campaign, status="draft", recipient_email="draft@example.org")
    smtp_server.handler.rcpt_script.extend([None, "550 5.1.1 No such user"])
    result = run("send", "--campaign-id", campaign.id, "--json")
    assert result.exit_code == 1  # one failed
    data = json.loads(result.printed)
    assert (data["sent"], data["failed"]) == (2, 1)
    assert data["counts"] == {"draft": 1, "failed": 1, "sent": 2}
    assert len(smtp_server.received) == 2


def test_send_campaign_without_a_mailbox_says_so(alice, local_outbox):
    campaign = make_campaign(alice)
    queue_email(campaign)
    result = run("send", "--campaign-id", campaign.id)
    assert result.exit_code == 0
    assert result.printed.startswith("No mailbox is configured: 1 email(s) were written to")


def test_outbox_lists_counts_and_errors_then_retries_failed(alice, local_outbox):
    campaign = make_campaign(alice)
    failed = queue_email(campaign, status="failed", attempts=8, error_message="550 5.1.1 No such user")
    queue_email(campaign, status="failed", recipient_email="stop@example.org", error_message="x")
    queue_email(campaign)
    Suppression.objects.create(email="stop@example.org", reason="unsubscribed")

    listing = run("outbox", "--status", "failed")
    assert listing.exit_code == 0
    assert listing.printed.startswith("Outbox: 2 failed, 1 queued")
    assert "none configured" in listing.printed and "550 5.1.1 No such user" in listing.printed
    data = json.loads(run("outbox", "--json", "--campaign", campaign.id).printed)
    assert data["counts"] == {"failed": 2, "queued": 1} and len(data["emails"]) == 3

    retried = run("outbox", "retry", "--failed")
    assert retried.exit_code == 0 and "Requeued 1 email(s)" in retried.printed and "1 stay failed" in retried.printed
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.attempts == 0 and failed.error_message == ""
    assert run("outbox", "retry").exit_code == 2  # says what to retry

    drained = run("outbox", "drain", "--json")
    assert drained.exit_code == 0 and json.loads(drained.printed)["sent"] == 2


def test_mailbox_list_test_and_rotate_keys(alice, smtp_server, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    mailbox = make_mailbox(alice, smtp_server)

    listing = run("mailbox", "list")
    assert f"{mailbox.pk}  {SMTP_USER}  (alice@example.com)" in listing.printed
    assert "sending (0 of 400 today)" in listing.printed

    tested = run("mailbox", "test", "--id", mailbox.pk)
    assert tested.exit_code == 0
    assert f"SMTP: logged in to 127.0.0.1:{smtp_server.port} as {SMTP_USER}" in tested.printed
    smtp_server.credentials[SMTP_USER] = "changed"
    refused = run("mailbox", "test", "--id", mailbox.pk, "--json")
    assert refused.exit_code == 1
    assert "SMTP: the server refused the password (535)" in json.loads(refused.printed)["results"]

    settings.ENCRYPTION_KEYS = [new, old]
    rotated = run("mailbox", "rotate-keys")
    assert rotated.exit_code == 0 and "Re-encrypted 1 mailbox password(s)" in rotated.printed
    settings.ENCRYPTION_KEYS = [new]
    assert Mailbox.objects.get(pk=mailbox.pk).password() == SMTP_PASSWORD
    assert len(run("mailbox", "new-key").printed.strip()) == 44


def test_mailbox_test_without_any_mailbox_points_at_the_local_outbox(local_outbox):
    result = run("mailbox", "test")
    assert result.exit_code == 0 and "No mailbox is configured" in result.printed


@pytest.mark.parametrize(
    "command",
    [
        "send",
        "outbox",
        "outbox retry",
        "outbox drain",
        "mailbox",
        "mailbox list",
        "mailbox test",
        "mailbox rotate-keys",
        "mailbox new-key",
    ],
)
def test_every_command_has_help_with_an_example(command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0 and "Example: sixdegrees" in result.printed


def test_queued_rows_are_untouched_by_listing(alice, local_outbox):
    row = queue_email(make_campaign(alice))
    run("outbox")
    assert EmailOutreach.objects.get(id=row.id).status == "queued"


def test_send_records_the_email_in_the_outbox_like_every_other(operator, settings):
    sent = json.loads(run("send", "--json", "--to", "jane@example.org", "--subject", "S", "--body", "B").printed)
    assert sent["success"] is True and sent["state"] == "sent"
    listing = json.loads(run("outbox", "--json").printed)
    [row] = [r for r in listing["emails"] if r["email_id"] == sent["email_id"]]
    assert row["status"] == "sent" and row["recipient_email"] == "jane@example.org"
    assert row["message_id"] == sent["message_id"] == operator.received[0].message["Message-ID"]
    assert row["mailbox"] == SMTP_USER and row["delivery_note"].startswith("Accepted by 127.0.0.1")
    email = EmailOutreach.objects.get(id=sent["email_id"])
    assert list(email.campaign.events.order_by("id").values_list("kind", flat=True)) == ["email_queued", "email_sent"]
    assert f"{sent['email_id']}  sent" in run("outbox").printed

    # Through the same pipeline as every email: a second one waits out the pause between messages.
    settings.OUTBOX_MIN_INTERVAL_SECONDS = 30
    assert run("send", "--to", "jim@example.org", "--subject", "S1", "--body", "B1").printed.startswith("Sent to")
    waiting = run("send", "--to", "john@example.org", "--subject", "S2", "--body", "B2")
    assert waiting.exit_code == 0 and waiting.printed.startswith("Queued, not sent yet: it waits for the pause")
    assert len(operator.received) == 2
    assert EmailOutreach.objects.filter(recipient_email="john@example.org", status="queued").count() == 1
