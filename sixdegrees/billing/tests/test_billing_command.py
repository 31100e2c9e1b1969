"""`sixdegrees billing …`: check proves balance == ledger, grant goes through the ledger."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sixdegrees.accounts.models import User
from sixdegrees.billing.models import BillingFlag, CreditTransaction
from sixdegrees.cli import billing as _billing_commands  # noqa: F401  registers the commands
from sixdegrees.cli import cli

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(cli, ["billing", *args], catch_exceptions=False)


def test_check_passes_when_every_balance_matches(alice, bob):
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "All 2 balances equal the sum of their ledger rows." in result.output


def test_check_detects_a_hand_broken_balance(alice, bob):
    User.objects.filter(pk=bob.pk).update(credits_balance=5)

    result = run("check")

    assert result.exit_code == 1
    assert "1 of 2 balances differ from their ledger" in result.output
    assert bob.pk in result.output and "bob@example.com" in result.output
    data = json.loads(run("check", "--json").output)
    assert data["ok"] is False
    assert data["mismatches"] == [
        {"user_id": bob.pk, "email": "bob@example.com", "balance": 5, "ledger": 1, "difference": 4}
    ]


def test_check_lists_open_flags_without_failing(alice):
    BillingFlag.objects.create(kind="negative_balance", user=alice, message="Balance of alice is -3.")
    result = run("check")
    assert result.exit_code == 0
    assert "Open billing flags (1)" in result.output and "Balance of alice is -3." in result.output


def test_grant_writes_a_ledger_row(alice):
    result = run("grant", "ALICE@example.com", "3", "--reason", "conference promo")

    assert result.exit_code == 0, result.output
    assert "+3 credits for alice@example.com; balance now 4." in result.output
    row = CreditTransaction.objects.get(transaction_type="grant", reason="conference promo")
    assert (row.amount, row.actor) == (3, "cli")
    assert run("check").exit_code == 0


def test_grant_refuses_unknown_people_and_zero(alice):
    assert run("grant", "nobody@example.com", "3", "--reason", "x").exit_code == 1
    assert run("grant", "alice@example.com", "0", "--reason", "x").exit_code == 1


def test_flags_refill_and_guarantee_run(alice):
    assert "No billing flags." in run("flags").output
    assert json.loads(run("refill", "--json").output) == {"refilled": 0}
    assert json.loads(run("guarantee", "--json").output) == {"refunded": []}
