"""The admin shows the ledger read-only; the grant action goes through the ledger."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from sixdegrees.billing.ledger import check_balances
from sixdegrees.billing.models import CreditTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("ops@example.com", password="pw")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "page", ["credittransaction", "payment", "subscription", "processedwebhookevent", "billingflag", "creditaccount"]
)
def test_billing_pages_open(admin_client, alice, page):
    assert admin_client.get(f"/admin/billing/{page}/").status_code == 200


def test_the_ledger_cannot_be_edited_or_added_to_by_hand(admin_client, alice):
    row = CreditTransaction.objects.get(user=alice)
    assert admin_client.get("/admin/billing/credittransaction/add/").status_code == 403
    page = admin_client.get(f"/admin/billing/credittransaction/{row.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_the_grant_action_asks_then_writes_ledger_rows(admin_client, alice, bob):
    selected = {"action": "grant_credits", ACTION_CHECKBOX_NAME: [alice.pk, bob.pk]}
    form = admin_client.post("/admin/billing/creditaccount/", selected)
    assert form.status_code == 200 and b"Grant credits" in form.content

    done = admin_client.post(
        "/admin/billing/creditaccount/", {**selected, "apply": "1", "amount": "4", "reason": "beta"}
    )

    assert done.status_code == 302
    grants = CreditTransaction.objects.filter(reason="beta")
    assert sorted(grants.values_list("user_id", "amount", "actor")) == sorted(
        [(alice.pk, 4, "admin:ops@example.com"), (bob.pk, 4, "admin:ops@example.com")]
    )
    alice.refresh_from_db()
    assert alice.credits_balance == 5
    assert check_balances() == []
