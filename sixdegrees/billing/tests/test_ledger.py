"""The ledger: every balance change is a row, written together; causes count once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Sum

from sixdegrees.accounts.models import User
from sixdegrees.accounts.signin import find_or_create_user
from sixdegrees.billing import ledger, tasks
from sixdegrees.billing.models import BillingFlag, CreditTransaction
from sixdegrees.billing.tests.conftest import set_balance

pytestmark = pytest.mark.django_db


def ledger_sum(user) -> int:
    return user.credit_transactions.aggregate(total=Sum("amount"))["total"] or 0


def test_a_new_person_gets_the_free_credit_once(django_user_model):
    user, created = find_or_create_user("New@Example.com", name="New")
    assert created
    assert ledger.grant_signup_credit(user) is None  # a second call adds nothing
    user.save()  # saving again is not creating

    user.refresh_from_db()
    assert user.credits_balance == 1 == ledger_sum(user)
    grant = CreditTransaction.objects.get(user=user)
    assert (grant.transaction_type, grant.plan, grant.external_event_id) == ("grant", "free", f"grant:signup:{user.pk}")


def test_a_change_and_its_row_are_written_together(alice):
    row = ledger.record_change(alice.pk, 5, "purchase", reason="test", actor="test", external_event_id="x:1")
    again = ledger.record_change(alice.pk, 5, "purchase", reason="test", actor="test", external_event_id="x:1")

    assert row is not None and again is None
    alice.refresh_from_db()
    assert alice.credits_balance == 6 == ledger_sum(alice)


def test_a_change_for_nobody_writes_nothing(alice):
    with pytest.raises(User.DoesNotExist):
        ledger.record_change("user_nobody", 5, "grant", reason="test")
    assert CreditTransaction.objects.count() == 1  # alice's welcome credit only


def test_going_below_zero_is_applied_and_flagged(alice):
    ledger.grant(alice, -3, reason="clawback", actor="test")
    alice.refresh_from_db()
    assert alice.credits_balance == -2 == ledger_sum(alice)
    flag = BillingFlag.objects.get()
    assert flag.kind == "negative_balance" and flag.user_id == alice.pk


def test_grants_name_who_made_them(alice, django_user_model):
    admin = django_user_model.objects.create_superuser("ops@example.com", password="x")
    row = ledger.grant(alice, 2, reason="conference", actor=admin)
    assert (row.transaction_type, row.actor, row.reason) == ("grant", "admin:ops@example.com", "conference")
    assert ledger.grant(alice, -1, reason="typo", actor="cli").transaction_type == "adjustment"
    with pytest.raises(ValueError):
        ledger.grant(alice, 0, reason="nothing")


def test_check_finds_a_hand_broken_balance(alice, bob):
    assert ledger.check_balances() == []
    User.objects.filter(pk=bob.pk).update(credits_balance=7)  # someone "fixed" it with SQL

    [mismatch] = ledger.check_balances()
    assert (mismatch.user_id, mismatch.balance, mismatch.ledger, mismatch.difference) == (bob.pk, 7, 1, 6)


def test_check_counts_people_without_any_rows(alice):
    ghost = User.objects.create(email="ghost@example.com")  # the signal gives a welcome credit...
    CreditTransaction.objects.filter(user=ghost).delete()  # ...that someone deleted by hand
    assert [m.user_id for m in ledger.check_balances()] == [ghost.pk]


class TestMonthlyRefill:
    NOVEMBER = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
    DECEMBER_1 = dt.datetime(2026, 12, 1, 0, 5, tzinfo=dt.UTC)

    @pytest.fixture
    def people(self, django_user_model):
        with time_machine.travel(self.NOVEMBER, tick=False):
            spent = django_user_model.objects.create_user("spent@example.com")
            unused = django_user_model.objects.create_user("unused@example.com")
            starter = django_user_model.objects.create_user("starter@example.com", plan="starter")
        set_balance(spent, 0)
        set_balance(starter, 0)
        return spent, unused, starter

    def test_free_people_are_topped_up_to_one_once_a_month(self, people):
        spent, unused, starter = people
        with time_machine.travel(self.DECEMBER_1, tick=False):
            assert ledger.refill_free_plans() == 1
            assert ledger.refill_free_plans() == 0  # idempotent
            assert tasks.refill_free_plans.call_local() == 0
        for person, expected in ((spent, 1), (unused, 1), (starter, 0)):
            person.refresh_from_db()
            assert person.credits_balance == expected == ledger_sum(person)
        row = CreditTransaction.objects.get(external_event_id=f"refill:free:2026-12:{spent.pk}")
        assert (row.amount, row.transaction_type, row.plan) == (1, "grant", "free")

    def test_spending_the_refill_does_not_earn_another_that_month(self, people):
        spent, _, _ = people
        with time_machine.travel(self.DECEMBER_1, tick=False):
            ledger.refill_free_plans()
        set_balance(spent, 0)
        with time_machine.travel(self.DECEMBER_1 + dt.timedelta(days=3), tick=False):
            assert ledger.refill_free_plans() == 0
        with time_machine.travel(self.DECEMBER_1 + dt.timedelta(days=31), tick=False):  # January
            assert ledger.refill_free_plans() == 1

    def test_people_who_joined_this_month_already_have_their_credit(self, django_user_model):
        with time_machine.travel(self.DECEMBER_1 + dt.timedelta(hours=1), tick=False):
            newcomer = django_user_model.objects.create_user("new@example.com")
        set_balance(newcomer, 0)
        with time_machine.travel(self.DECEMBER_1 + dt.timedelta(hours=2), tick=False):
            assert ledger.refill_free_plans() == 0

    def test_a_negative_balance_is_left_for_the_operator(self, people):
        spent, _, _ = people
        set_balance(spent, -2)
        with time_machine.travel(self.DECEMBER_1, tick=False):
            assert ledger.refill_free_plans() == 0

    def test_the_schedule_is_the_first_of_the_month(self):
        from huey.contrib.djhuey import HUEY

        def due(when):
            return {task.name for task in HUEY.read_periodic(when)}

        assert "refill_free_plans" in {t.name.split(".")[-1] for t in HUEY.read_periodic(self.DECEMBER_1)}
        assert not {n for n in due(self.DECEMBER_1 + dt.timedelta(days=1)) if n.endswith("refill_free_plans")}
        hourly = {n for n in due(dt.datetime(2026, 12, 5, 7, 11)) if n.endswith("refund_unanswered_campaigns")}
        assert hourly
