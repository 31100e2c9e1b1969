"""/admin/login/: password guesses are limited per IP address and per username."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/admin/login/"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("ops@example.com", PASSWORD)


def attempt(client: Client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post(URL, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in(client, staff):
    response = attempt(client, staff.email, PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_guesses_from_one_address_stop_even_before_the_right_password(client, settings, staff):
    settings.RATE_LIMIT_ADMIN_LOGIN = "3/h"
    # Each guess names another username, so only the per-address limit can stop them.
    guesses = [attempt(client, f"guess{n}@example.com", "wrong") for n in range(3)]
    limited = attempt(client, staff.email, PASSWORD)

    assert [g.status_code for g in guesses] == [200, 200, 200]
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in limited.content.decode()
    assert not signed_in(client)


def test_guesses_for_one_username_stop_whatever_address_they_come_from(settings, staff):
    settings.RATE_LIMIT_ADMIN_LOGIN = "3/h"
    for n in range(3):
        attempt(Client(), staff.email.upper(), "wrong", ip=f"192.0.2.{n}")
    browser = Client()

    limited = attempt(browser, staff.email, PASSWORD, ip="203.0.113.50")

    assert limited.status_code == 429 and not signed_in(browser)
    # Someone else's username from that new address is still let through to the password check.
    assert attempt(Client(), "other@example.com", "wrong", ip="203.0.113.51").status_code == 200


def test_the_sign_in_page_itself_still_opens(client, settings, staff):
    settings.RATE_LIMIT_ADMIN_LOGIN = "1/h"
    attempt(client, staff.email, "wrong")
    attempt(client, staff.email, "wrong")

    assert client.get(URL).status_code == 200
    assert client.get("/admin/").status_code == 302
