"""50 campaign starts at once by a person with 10 credits: exactly 10 start (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection, connections

from sixdegrees.billing import ledger
from sixdegrees.billing.ledger import NoCredits, charge_campaign_start
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.billing.tests.conftest import make_campaign, make_draft, set_balance
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach import approval
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db(transaction=True)

STARTS = 50
CREDITS = 10


@pytest.fixture
def race_db(transactional_db, tmp_path):
    """The database the race runs on: the test database, unless that is SQLite in memory.

    Django's SQLite test database lives in memory with a shared cache, where a second writer
    fails at once with "database table is locked" instead of waiting its turn. The service runs
    on a file (WAL, busy timeout, IMMEDIATE transactions), so on SQLite the race runs on a
    migrated scratch file with those same settings. PostgreSQL needs nothing special.
    """
    default = connections["default"]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield
        return
    shared = connections.settings["default"]  # the dict every thread's new connection reads
    memory_name = shared["NAME"]
    shared["NAME"] = str(tmp_path / "race.sqlite3")
    connections["default"] = connections.create_connection("default")
    try:
        call_command("migrate", interactive=False, verbosity=0)
        yield
    finally:
        connections["default"].close()
        shared["NAME"] = memory_name
        connections["default"] = default  # still open on the in-memory database


def in_thread(work):
    """Run `work` on its own connection, closed at the end (each thread opens its own)."""

    def run(*args):
        try:
            return work(*args)
        except NoCredits:
            return "no_credits"
        finally:
            connections.close_all()

    return run


def race(work, items):
    with ThreadPoolExecutor(max_workers=STARTS) as pool:
        return list(pool.map(in_thread(work), items))


def assert_ledger_agrees(user):
    user.refresh_from_db()
    assert ledger.check_balances() == []
    assert user.credits_balance == 0
    assert CreditTransaction.objects.filter(user=user, transaction_type="usage").count() == CREDITS


@pytest.fixture
def alice(race_db, django_user_model):
    return django_user_model.objects.create_user("alice@example.com", name="Alice", email_verified=True)


def test_parallel_charges_never_overspend(alice):
    set_balance(alice, CREDITS)
    campaigns = [make_campaign(alice, f"Target {i}") for i in range(STARTS)]

    results = race(lambda c: charge_campaign_start(c, alice).reason, campaigns)

    assert results.count("charged") == CREDITS
    assert results.count("no_credits") == STARTS - CREDITS
    assert Campaign.objects.filter(credits_used=1).count() == CREDITS
    assert_ledger_agrees(alice)


def test_parallel_approvals_queue_exactly_as_many_as_there_are_credits(alice, monkeypatch):
    monkeypatch.setattr(approval, "_enqueue_delivery", lambda email_id: None)  # the sender is not under test
    set_balance(alice, CREDITS)
    drafts = [make_draft(make_campaign(alice, f"Target {i}")) for i in range(STARTS)]

    def approve(email):
        email = EmailOutreach.objects.select_related("campaign", "campaign__owner").get(pk=email.pk)
        return approval.approve(email, alice)[1]

    results = race(approve, drafts)

    assert results.count(True) == CREDITS
    assert results.count("no_credits") == STARTS - CREDITS
    assert EmailOutreach.objects.filter(status="queued").count() == CREDITS
    assert EmailOutreach.objects.filter(status="draft").count() == STARTS - CREDITS  # nothing lost
    assert_ledger_agrees(alice)
    assert connection.vendor in ("sqlite", "postgresql")


def test_parallel_approvals_in_one_campaign_charge_it_once(alice, monkeypatch):
    monkeypatch.setattr(approval, "_enqueue_delivery", lambda email_id: None)
    set_balance(alice, 1)  # the last credit: every email of the paid campaign must still go
    campaign = make_campaign(alice)
    drafts = [make_draft(campaign, hop=i + 1, to=f"person{i}@example.org") for i in range(10)]

    def approve(email):
        email = EmailOutreach.objects.select_related("campaign", "campaign__owner").get(pk=email.pk)
        return approval.approve(email, alice)[1]

    assert race(approve, drafts) == [True] * 10
    assert CreditTransaction.objects.filter(transaction_type="usage").count() == 1
    alice.refresh_from_db()
    assert alice.credits_balance == 0
    assert ledger.check_balances() == []
