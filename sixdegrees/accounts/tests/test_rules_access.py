"""Who sees which campaign (accounts/access.py), as a browser notices it.

- Signed in is not enough to see an account's campaigns: the address must be confirmed (a code
  sent to it). Until then a browser sees only the campaigns it created itself.
- A browser that created several campaigns keeps seeing every one of them, not only the newest.
"""

from __future__ import annotations

import pytest
from django.test import Client

from sixdegrees.accounts.models import User
from sixdegrees.conftest import INTAKE, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def start(client: Client, **changes) -> str:
    response = post_json(client, "/api/intake", {**INTAKE, **changes})
    assert response.status_code == 200, response.content
    return response.json()["campaign_id"]


def listed(client: Client) -> list[str]:
    response = client.get("/api/campaigns")
    assert response.status_code == 200
    return [c["campaign_id"] for c in response.json()["campaigns"]]


def test_a_signed_in_but_unconfirmed_person_sees_only_what_this_browser_created(alice):
    laptop = Client()
    laptop.force_login(alice)
    on_laptop = start(laptop)
    User.objects.filter(pk=alice.pk).update(email_verified=False)  # the operator withdrew the confirmation
    phone = Client()
    phone.force_login(User.objects.get(pk=alice.pk))

    assert listed(phone) == []
    assert phone.get(f"/api/campaign/{on_laptop}").status_code == 404
    assert phone.get(f"/dashboard?campaign={on_laptop}").status_code == 404
    on_phone = start(phone, target_name="John Roe")
    assert listed(phone) == [on_phone]

    User.objects.filter(pk=alice.pk).update(email_verified=True)  # confirmed again with a code
    assert set(listed(phone)) == {on_laptop, on_phone}


def test_a_browser_keeps_every_campaign_it_created(client):
    first = start(client, user_email="new@example.com")
    second = start(client, user_email="new@example.com", target_name="John Roe")
    third = start(client, user_email="other@example.com", target_name="Mary Major")

    assert listed(client) == [third, second, first]
    for campaign_id in (first, second, third):
        assert client.get(f"/api/campaign/{campaign_id}").status_code == 200, campaign_id
