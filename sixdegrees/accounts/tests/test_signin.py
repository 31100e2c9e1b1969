"""Passwordless sign-in by emailed code or link: single use, expiring, and it verifies the address."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.conftest import post_json

pytestmark = pytest.mark.django_db


def code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def link_from(message) -> str:
    return re.search(r"(/signin/link/\S+)", message.body).group(1)


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol@example.com", name="Carol")


def test_a_code_signs_in_and_verifies_the_address(client, carol, mailoutbox):
    assert post_json(client, "/api/auth/request-code", {"email": "Carol@Example.com"}).status_code == 200
    code = code_from(mailoutbox[-1])
    response = post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": code})
    assert response.status_code == 200
    assert client.get("/api/me").json()["email"] == "carol@example.com"
    carol.refresh_from_db()
    assert carol.email_verified
    # single use
    other = Client()
    assert post_json(other, "/api/auth/verify", {"email": "carol@example.com", "code": code}).status_code == 400


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, mailoutbox):
    response = post_json(client, "/api/auth/request-code", {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert mailoutbox == []
    assert not User.objects.filter(email="nobody@example.com").exists()


def test_wrong_codes_lock_the_code_after_five_tries(client, carol, mailoutbox):
    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    code = code_from(mailoutbox[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": wrong}).status_code == 400
    assert post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": code}).status_code == 400
    assert client.get("/api/me").json() == {"authenticated": False}


def test_codes_expire(client, carol, mailoutbox):
    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    code = code_from(mailoutbox[-1])
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": code}).status_code == 400


def test_a_newer_code_replaces_the_older(client, carol, mailoutbox):
    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    first = code_from(mailoutbox[-1])
    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    second = code_from(mailoutbox[-1])
    if first != second:
        assert post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": first}).status_code == 400
    assert post_json(client, "/api/auth/verify", {"email": "carol@example.com", "code": second}).status_code == 200


def test_the_link_works_once(client, carol, mailoutbox):
    from sixdegrees.accounts.signin import verify_link

    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    token = link_from(mailoutbox[-1]).rsplit("/", 1)[1]
    assert verify_link(token).user == carol
    assert verify_link(token).user is None
    assert verify_link(token + "x").user is None


def test_the_code_email_speaks_the_persons_language(client, django_user_model, mailoutbox):
    django_user_model.objects.create_user("li@example.com", language="zh-hans")
    post_json(client, "/api/auth/request-code", {"email": "li@example.com"})
    assert "登录验证码" in mailoutbox[-1].subject
    assert "您好" in mailoutbox[-1].body


def test_sign_in_is_rate_limited(client, carol, settings):
    settings.RATE_LIMIT_SIGNIN = "2/h"
    for _ in range(2):
        assert post_json(client, "/api/auth/request-code", {"email": "carol@example.com"}).status_code == 200
    response = post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    assert response.status_code == 429 and "Retry-After" in response


def test_codes_are_not_stored_in_clear(client, carol, mailoutbox):
    from sixdegrees.accounts.models import LoginCode

    post_json(client, "/api/auth/request-code", {"email": "carol@example.com"})
    code = code_from(mailoutbox[-1])
    assert code not in LoginCode.objects.get(user=carol).code_hash
