"""Sign-in codes per address and per caller, whichever path asks (intake, sign-in page, API).

Mails are counted where they really land: the local outbox folder the service's mail writes,
as the service does without a mailbox.
"""

from __future__ import annotations

import logging
from email import message_from_string
from pathlib import Path

import pytest
from django.test import Client

from sixdegrees.conftest import INTAKE, post_json

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
SAME_ANSWER = "If that address has campaigns, a sign-in code is on its way."


@pytest.fixture
def outbox(settings, tmp_path) -> Path:
    settings.SERVICE_MAIL_TRANSPORT = "folder"
    settings.OUTBOX_DIR = tmp_path
    return tmp_path


def codes_to(outbox: Path, address: str) -> int:
    count = 0
    for file in outbox.iterdir():
        for chunk in file.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                message = message_from_string(chunk.strip())
                count += message["To"] == address and "sign-in code" in str(message["Subject"])
    return count


def refusals(caplog) -> int:
    return sum(getattr(r, "event", "") == "signin_code_limited" for r in caplog.records)


@pytest.mark.parametrize("who", ["a new address", "a verified person"])
def test_thirty_intakes_from_three_ips_send_at_most_the_per_address_limit(outbox, settings, caplog, who, alice):
    settings.RATE_LIMIT_SIGNIN_CODES = "5/h"
    address = VICTIM if who == "a new address" else alice.email
    caplog.set_level(logging.INFO, logger="sixdegrees.accounts.signin")
    answers = []
    for n in range(30):
        ip = f"198.51.100.{n % 3 + 1}"
        data = {**INTAKE, "user_email": address, "target_name": f"Target {n}"}
        response = post_json(Client(), "/api/intake", data, REMOTE_ADDR=ip)
        assert response.status_code == 200, response.content
        answers.append(response.json()["message"].replace(f"Target {n}", "…"))

    assert codes_to(outbox, address) == 5
    # The caller cannot tell the 25 refused from the 5 sent: every answer says a code went out.
    assert len(set(answers)) == 1 and f"We sent a sign-in code to {address}" in answers[0]
    assert refusals(caplog) == 25


def test_the_limit_is_shared_by_every_path_that_sends_a_code(outbox, settings, django_user_model):
    settings.RATE_LIMIT_SIGNIN_CODES = "4/h"
    django_user_model.objects.create_user(VICTIM)
    api = [
        post_json(Client(), "/api/auth/request-code", {"email": VICTIM}, REMOTE_ADDR=f"192.0.2.{n}") for n in range(3)
    ]
    pages = [
        Client().post("/signin", {"step": "request", "email": VICTIM}, REMOTE_ADDR=f"192.0.2.{n + 10}")
        for n in range(3)
    ]
    intakes = [
        post_json(Client(), "/api/intake", {**INTAKE, "user_email": VICTIM}, REMOTE_ADDR=f"192.0.2.{n + 20}")
        for n in range(3)
    ]

    assert codes_to(outbox, VICTIM) == 4
    assert [r.status_code for r in api + pages + intakes] == [200] * 9
    assert {r.json()["message"] for r in api} == {SAME_ANSWER}
    assert all(SAME_ANSWER in r.content.decode() for r in pages)


def test_the_per_address_sign_in_request_limit_holds_across_ips(outbox, settings, django_user_model, client):
    """Many callers asking for one person's code: the address gets the limit, no more."""
    settings.RATE_LIMIT_SIGNIN_CODES = "3/h"
    django_user_model.objects.create_user(VICTIM)
    responses = [
        post_json(Client(), "/api/auth/request-code", {"email": VICTIM}, REMOTE_ADDR=f"203.0.113.{n}")
        for n in range(12)
    ]

    assert codes_to(outbox, VICTIM) == 3
    # Past the limit the answer is the usual one: no 429 that would tell the address is being limited.
    assert [r.status_code for r in responses] == [200] * 12
    assert {r.json()["message"] for r in responses} == {SAME_ANSWER}
    # Another address is not held back by this one's limit.
    django_user_model.objects.create_user("other@example.org")
    post_json(client, "/api/auth/request-code", {"email": "other@example.org"}, REMOTE_ADDR="203.0.113.99")
    assert codes_to(outbox, "other@example.org") == 1


def test_codes_are_limited_per_caller_across_addresses(outbox, settings):
    """One caller typing a new address into each intake: the per-IP code limit caps the mail it causes."""
    settings.RATE_LIMIT_SIGNIN = "3/h"
    for n in range(6):
        data = {**INTAKE, "user_email": f"person{n}@example.org"}
        assert post_json(Client(), "/api/intake", data, REMOTE_ADDR="198.51.100.50").status_code == 200

    assert sum(codes_to(outbox, f"person{n}@example.org") for n in range(6)) == 3


def test_refused_codes_are_counted_in_metrics(client, settings, django_user_model):
    from prometheus_client.parser import text_string_to_metric_families

    def refused() -> float:
        text = client.get("/metrics").content.decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "sixdegrees_signin_codes_refused_total" and sample.labels == {"limit": "address"}:
                    return sample.value
        return 0.0

    settings.RATE_LIMIT_SIGNIN_CODES = "1/h"
    django_user_model.objects.create_user(VICTIM)
    before = refused()
    for n in range(3):
        post_json(Client(), "/api/auth/request-code", {"email": VICTIM}, REMOTE_ADDR=f"192.0.2.{n}")

    assert refused() - before == 2


def test_guessing_codes_on_the_sign_in_page_is_rate_limited(client, settings, django_user_model, mailoutbox):
    """The web verify step: past the limit even the right code is refused, so guessing stops."""
    import re

    settings.RATE_LIMIT_SIGNIN = "3/h"
    django_user_model.objects.create_user("carol@example.com")
    client.post("/signin", {"step": "request", "email": "carol@example.com"})
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"

    guesses = [
        client.post("/signin", {"step": "verify", "email": "carol@example.com", "code": wrong}) for _ in range(3)
    ]
    limited = client.post("/signin", {"step": "verify", "email": "carol@example.com", "code": code})

    assert [g.status_code for g in guesses] == [400, 400, 400]
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "Too many requests" in limited.content.decode()
    assert client.get("/api/me").json() == {"authenticated": False}
    # Another browser elsewhere is not affected, and the code still works there.
    other = Client()
    ok = other.post("/signin", {"step": "verify", "email": "carol@example.com", "code": code}, REMOTE_ADDR="192.0.2.77")
    assert ok.status_code == 302
