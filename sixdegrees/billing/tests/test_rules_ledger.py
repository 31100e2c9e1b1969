"""The charge for starting a campaign spends a credit with one conditional UPDATE, never read-then-write.

A read-then-write charge ("read the balance, then store balance - 1") overspends when two
approvals race on PostgreSQL: test_concurrency.py::test_parallel_charges_never_overspend catches
that there. On SQLite the race cannot happen (IMMEDIATE transactions take the write lock at BEGIN),
so the same bug would only show once the service moved to PostgreSQL; these tests catch it on
both databases, cheaply:

- a charge made with a person read before an earlier charge (as every approval holds one) still
  leaves the right balance;
- the statement that spends the credit is one UPDATE that both checks and decrements the stored
  balance, with no earlier SELECT of the balance in the charge.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sixdegrees.billing import ledger
from sixdegrees.billing.ledger import NoCredits, charge_campaign_start
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.billing.tests.conftest import make_campaign, set_balance
from sixdegrees.campaigns.models import Campaign

pytestmark = pytest.mark.django_db(transaction=True)

# The balance on both sides: `"credits_balance" = ("users"."credits_balance" - 1)`, however quoted.
DECREMENT = re.compile(r'SET\s+"credits_balance"\s*=\s*\(?\s*"users"\."credits_balance"\s*-\s*1\s*\)?', re.I)
CONDITION = re.compile(r'"users"\."credits_balance"\s*>=\s*1', re.I)
READS_BALANCE = re.compile(r'^\s*SELECT\b.*"users"\."credits_balance".*\bFROM\s+"users"', re.I | re.S)


def test_charges_with_people_read_before_the_last_charge_spend_each_credit_once(alice):
    set_balance(alice, 2)
    # Each approval loads its campaign with the owner; both were loaded before either charge.
    first, second = (
        Campaign.objects.select_related("owner").get(pk=make_campaign(alice, name).pk) for name in ("Jane", "John")
    )

    assert charge_campaign_start(first, alice).reason == "charged"
    assert charge_campaign_start(second, alice).reason == "charged"

    alice.refresh_from_db()
    assert alice.credits_balance == 0
    assert ledger.check_balances() == []
    third = Campaign.objects.select_related("owner").get(pk=make_campaign(alice, "Joan").pk)
    with pytest.raises(NoCredits):
        charge_campaign_start(third, alice)
    alice.refresh_from_db()
    assert alice.credits_balance == 0 and CreditTransaction.objects.filter(transaction_type="usage").count() == 2


def test_the_credit_is_spent_by_one_conditional_update(alice):
    set_balance(alice, 1)
    campaign = Campaign.objects.select_related("owner").get(pk=make_campaign(alice).pk)

    with CaptureQueriesContext(connection) as queries:
        assert charge_campaign_start(campaign, alice).charged

    statements = [q["sql"] for q in queries.captured_queries]
    spends = [i for i, sql in enumerate(statements) if sql.lstrip().upper().startswith('UPDATE "USERS"')]
    assert len(spends) == 1, statements
    spend = statements[spends[0]]
    assert DECREMENT.search(spend), spend  # decrements what is stored, not a number read earlier
    assert CONDITION.search(spend), spend  # and only while a credit is there
    reads = [sql for sql in statements[: spends[0]] if READS_BALANCE.search(sql)]
    assert reads == []  # nothing read the balance to decide
