"""`sixdegrees contacts scan-mailbox`: the summary a person reads, and refusals in one line."""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
import time_machine
from click.testing import CliRunner

import sixdegrees.cli
from sixdegrees.cli import cli
from sixdegrees.network.models import MailboxScan
from sixdegrees.network.tests.test_mailscan import NOW, fill
from sixdegrees.network.tests.test_scanning import NOT_TIES, connect

pytestmark = pytest.mark.django_db

# Commands register themselves on import: load them all, as `sixdegrees` itself does.
for _module in pkgutil.iter_modules(sixdegrees.cli.__path__, prefix="sixdegrees.cli."):
    importlib.import_module(_module.name)

ENTRY, COMMAND = cli, ["contacts", "scan-mailbox"]


def run(*args: str):
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(ENTRY, [*COMMAND, *args])


def test_the_summary_names_the_strongest_tie_and_no_one_else(alice, mailbox, dovecot):
    fill(mailbox)
    connect(alice, dovecot)

    result = run("--owner", "ALICE@example.com")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Read 25 messages; 1 person has a tie; strongest: Maria Souza (0.85, 12 emails, both ways, last on 17 Nov 2026)."
    )
    assert "Reading headers" in result.stderr  # the progress bar stays off stdout
    assert not any(address in result.output for address in NOT_TIES)
    assert "@" not in result.stdout


def test_a_second_run_reads_nothing_and_json_says_so(alice, mailbox, dovecot):
    fill(mailbox)
    connect(alice, dovecot)
    assert run("--owner", "alice@example.com", "--quiet").exit_code == 0

    result = run("--owner", "alice@example.com", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["status"], data["messages"], data["observations"], data["ties"]) == ("done", 0, 0, 1)
    assert data["strongest"][0]["name"] == "Maria Souza"
    assert result.stderr == ""


def test_refusals_are_one_line_with_exit_code_1(alice, mailbox, dovecot):
    unknown = run("--owner", "nobody@example.com")
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "Error: No account with the address nobody@example.com.")

    no_mailbox = run("--owner", "alice@example.com")
    assert no_mailbox.exit_code == 1
    assert no_mailbox.stderr.strip() == (
        "Error: Connect your mailbox in Settings first (the mailbox needs IMAP settings)."
    )

    connect(alice, dovecot, password="wrong")
    refused = run("--owner", "alice@example.com")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: The scan could not read the mailbox: ")
    assert "Traceback" not in refused.output
    assert MailboxScan.objects.get().status == "failed"
