"""Signing in on the pages: ask for a code, use it, the emailed link, signing out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sixdegrees.accounts.models import LoginCode
from sixdegrees.mail import service as mail

pytestmark = pytest.mark.django_db(transaction=True)


def ask_for_code(client: Client, email: str, **extra) -> str:
    response = client.post("/signin", {"step": "request", "email": email, **extra})
    assert response.status_code == 200
    return response.content.decode()


def code_and_link() -> tuple[str, str]:
    body = mail.outbox[-1].body
    return re.search(r"\b(\d{6})\b", body).group(1), re.search(r"(/signin/link/\S+)", body).group(1)


def test_the_code_signs_in_and_goes_where_it_was_asked(client, alice):
    html = ask_for_code(client, "Alice@Example.com", next="/dashboard?tab=settings")
    assert "Enter your sign-in code" in html and 'name="step" value="verify"' in html
    code, _link = code_and_link()
    response = client.post(
        "/signin", {"step": "verify", "email": "alice@example.com", "code": code, "next": "/dashboard?tab=settings"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard?tab=settings"
    assert "Signed in as alice@example.com" in client.get("/dashboard?tab=settings").content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    html = ask_for_code(client, "nobody@example.com")
    assert "If that address has campaigns, a sign-in code is on its way." in html
    assert mail.outbox == []


def test_a_wrong_code_says_so_kindly(client, alice):
    ask_for_code(client, "alice@example.com")
    response = client.post("/signin", {"step": "verify", "email": "alice@example.com", "code": "000000"})
    assert response.status_code == 400
    assert "That code is not right or has expired. Ask for a new one." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_never_leaves_the_site(client, alice):
    ask_for_code(client, "alice@example.com")
    code, _link = code_and_link()
    response = client.post(
        "/signin", {"step": "verify", "email": "alice@example.com", "code": code, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/dashboard"


def test_opening_the_link_does_not_use_it_up(client, alice):
    ask_for_code(client, "alice@example.com")
    _code, link = code_and_link()
    scanner = Client()
    page = scanner.get(link)
    assert page.status_code == 200 and "Sign in to SixDegrees" in page.content.decode()
    assert LoginCode.objects.filter(user=alice, used_at__isnull=True).count() == 1
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/dashboard"
    assert client.session["_auth_user_id"] == alice.pk
    assert not LoginCode.objects.filter(user=alice, used_at__isnull=True).exists()
    again = Client().post(link)
    assert again.status_code == 400
    assert "This link cannot sign you in" in again.content.decode()


def test_a_broken_link_is_explained(client):
    response = client.post("/signin/link/garbage")
    assert response.status_code == 400
    assert "Get a new code" in response.content.decode()


def test_signing_out(client, alice):
    client.force_login(alice)
    response = client.post("/signout")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert client.get("/signout").status_code == 405


def test_the_sign_in_page_speaks_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/signin").content.decode()
    assert "给我发送验证码" in html and '<html lang="zh-hans">' in html


def test_too_many_requests_are_refused_politely(client, alice, settings):
    settings.RATE_LIMIT_SIGNIN = "1/h"
    ask_for_code(client, "alice@example.com")
    response = client.post("/signin", {"step": "request", "email": "alice@example.com"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
