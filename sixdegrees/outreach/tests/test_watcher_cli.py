"""`sixdegrees outbox watch --once`: the watcher and the silence check from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import sixdegrees.cli.outbox  # noqa: F401 (registers the commands)
from sixdegrees.cli import cli
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox
from sixdegrees.outreach.tests.test_watcher import sent_email

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    result.printed = "".join(line for line in result.output.splitlines(True) if not line.startswith('{"time"'))
    return result


def test_watch_once_applies_replies_and_reports_them(alice, smtp_server, dovecot, inbox):
    mailbox = make_mailbox(alice, smtp_server, imap=dovecot)
    campaign = make_campaign(alice)
    email = sent_email(campaign, mailbox, "bob@example.org", "Bob Smith")
    inbox.append(
        mail.reply(in_reply_to=email.message_id, from_name="Bob Smith", from_address="bob@example.org", text="Sure!")
    )
    result = run("outbox", "watch", "--once", "--json")
    assert result.exit_code == 0, result.printed
    report = json.loads(result.printed)
    assert report["success"] and report["mailboxes"][0]["replies"] == 1
    assert (report["follow_ups"], report["next_paths"]) == (0, 0)
    assert EmailOutreach.objects.get(pk=email.pk).status == "replied"

    again = run("outbox", "watch", "--once")
    assert again.exit_code == 0
    assert f"{mailbox.address}: examined 0, replies 0" in again.printed


def test_watch_without_imap_says_so():
    result = run("outbox", "watch", "--once")
    assert result.exit_code == 0
    assert "No mailbox with IMAP settings: nothing to watch." in result.printed
