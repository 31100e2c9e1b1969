"""Hardening: Retry-After on every 429, CORS allow-list, security headers, body limits, admin audit."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.urls import URLPattern, get_resolver

from sixdegrees.accounts.models import User
from sixdegrees.api import api
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.ops.models import WorkerHeartbeat
from sixdegrees.outreach.models import EmailOutreach, Suppression

pytestmark = pytest.mark.django_db

ONE_MB = 1024 * 1024


# --- Retry-After on every 429 -------------------------------------------------------------------------

RATE_LIMITED = [
    ("/api/intake", "RATE_LIMIT_INTAKE", INTAKE),
    ("/api/send", "RATE_LIMIT_SEND", {"campaign_id": "camp_nope"}),
    ("/api/auth/request-code", "RATE_LIMIT_SIGNIN", {"email": "alice@example.com"}),
    ("/api/auth/verify", "RATE_LIMIT_SIGNIN", {"email": "alice@example.com", "code": "000000"}),
]


@pytest.mark.parametrize(("url", "setting", "body"), RATE_LIMITED, ids=[r[0] for r in RATE_LIMITED])
def test_a_429_says_when_to_retry(client, settings, url, setting, body):
    setattr(settings, setting, "2/h")

    responses = [post_json(client, url, body) for _ in range(3)]

    assert [r.status_code for r in responses[:2]] != [429, 429]
    limited = responses[2]
    assert limited.status_code == 429
    assert limited.json()["success"] is False
    assert 1 <= int(limited["Retry-After"]) <= 3600


def test_the_stripe_webhook_is_rate_limited_with_retry_after(client, settings):
    settings.RATE_LIMIT_WEBHOOK = "5/m"
    responses = [client.post("/api/webhook/stripe", data="{}", content_type="application/json") for _ in range(8)]

    assert all(r.status_code != 500 for r in responses)
    assert [r.status_code == 429 for r in responses] == [False] * 5 + [True] * 3
    assert all(int(r["Retry-After"]) >= 1 for r in responses if r.status_code == 429)


def test_a_page_that_answers_429_gets_retry_after_too(client, settings):
    settings.RATE_LIMIT_SIGNIN = "1/h"
    form = {"step": "request", "email": "alice@example.com"}

    client.post("/signin", form)
    limited = client.post("/signin", form)

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


# --- CORS ---------------------------------------------------------------------------------------------


def preflight(client, url: str, origin: str):
    return client.options(
        url,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_same_origin_only_by_default(client):
    assert django_settings.CORS_ALLOWED_ORIGINS == []

    answer = preflight(client, "/api/intake", "https://elsewhere.example")
    simple = client.get("/api/health", HTTP_ORIGIN="https://elsewhere.example")

    assert "Access-Control-Allow-Origin" not in answer
    assert "Access-Control-Allow-Origin" not in simple


def test_listed_origins_may_call_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    answer = preflight(client, "/api/intake", "https://app.example.com")
    other = preflight(client, "/api/intake", "https://evil.example")
    page = client.get("/", HTTP_ORIGIN="https://app.example.com")

    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "POST" in answer["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in answer  # no cookies across origins
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in page  # only /api/ is shared


# --- Security headers ---------------------------------------------------------------------------------

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.parametrize("url", ["/api/health", "/api/campaign/camp_nope", "/", "/intake", "/metrics"])
def test_security_headers(client, url):
    response = client.get(url)

    for name, value in HEADERS.items():
        assert response[name] == value, name


@pytest.mark.parametrize("url", ["/api/health", "/api/campaign/camp_nope", "/"])
def test_api_responses_carry_the_content_security_policy(client, url):
    # No skip: the middleware exists, so a missing header is a bug (SIXDEGREES_REQUIRE_SERVICES or not).
    response = client.get(url)

    assert "Content-Security-Policy" in response, "no Content-Security-Policy header"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_hsts_in_production(client, settings):
    # What settings.py turns on when SIXDEGREES_ENV=production (test_settings_env imports it for real).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/api/health", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- Request size limits ------------------------------------------------------------------------------


def api_write_routes() -> list[tuple[str, str]]:
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            if method in ("post", "put", "patch", "delete"):
                routes.append((method.upper(), path))
    return sorted(routes)


def page_routes() -> list[str]:
    """Every page URL without parameters (the web app's and the admin login)."""
    found = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) == "web" or getattr(pattern, "namespace", None) == "web":
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and "<" not in str(inner.pattern):
                    found.append("/" + str(inner.pattern))
    return [*sorted(found), "/admin/login/", "/i18n/setlang/"]


@pytest.fixture
def alices_campaign(alice):
    return Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe", status="ready")


@pytest.mark.parametrize(("method", "path"), api_write_routes(), ids=lambda v: str(v))
def test_a_one_megabyte_body_is_refused_not_a_crash(client, alice, alices_campaign, method, path):
    client.force_login(alice)
    url = re.sub(r"\{campaign_id\}", alices_campaign.id, path)
    url = re.sub(r"\{[a-z_]+\}", "x_made_up", url)
    body = json.dumps({"user_name": "A" * ONE_MB})

    response = client.generic(method, url, body, content_type="application/json")

    assert response.status_code in (400, 413), (url, response.status_code, response.content[:200])


@pytest.mark.parametrize("url", page_routes())
def test_a_one_megabyte_form_is_refused_not_a_crash(client, alice, url):
    client.force_login(alice)

    response = client.post(url, {"name": "A" * ONE_MB})

    assert response.status_code in (400, 413), (url, response.status_code)


def test_a_body_within_the_limit_still_reaches_the_view(client, alice):
    client.force_login(alice)

    response = client.post("/api/auth/logout", json.dumps({"pad": "x" * 1000}), content_type="application/json")

    assert response.status_code == 200


def test_the_intake_answers_413_for_a_big_body(client):
    response = post_json(client, "/api/intake", {**INTAKE, "user_background": "x" * ONE_MB})

    assert response.status_code == 413
    assert response.json()["success"] is False


# --- The admin: what an operator fixes by hand, and who did it ----------------------------------------


def test_the_runbook_models_are_in_the_admin():
    for model in (User, Campaign, EmailOutreach, Suppression, WorkerHeartbeat):
        assert admin.site.is_registered(model), model.__name__


@pytest.fixture
def operator(django_user_model, client):
    user = django_user_model.objects.create_superuser("ops@example.com", password="correct-horse-battery")
    client.force_login(user)
    return user


@pytest.fixture
def admin_log_lines(caplog):
    caplog.set_level(logging.INFO, logger="sixdegrees.admin")

    def lines(event: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if getattr(r, "event", None) == event]

    return lines


def test_changing_a_persons_email_is_logged_with_the_actor(client, operator, alice, admin_log_lines):
    response = client.post(
        f"/admin/accounts/user/{quote(alice.pk)}/change/",
        {
            "email": "Alice.New@Example.com",
            "name": "Alice",
            "language": "en",
            "email_verified": "on",
            "reminder_emails": "on",
            "is_active": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content[:500]
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    entry = LogEntry.objects.get(object_id=alice.pk)
    assert entry.user == operator
    (line,) = admin_log_lines("admin_change")
    assert line.actor == "ops@example.com"
    assert line.action == "changed"
    assert line.model == "accounts.user"
    assert "Email" in line.change


def test_an_id_that_looks_escaped_still_opens_from_the_admin_list(client, operator, django_user_model):
    """The admin escapes "_22" as '"' in URLs; ids are random, so about 1 in 200 starts like that."""
    person = django_user_model.objects.create_user("escaped@example.com", id="user_22aaaaaaaaaaaaaaaaaaaaaaa")

    listing = client.get("/admin/accounts/user/")
    links = re.findall(r'href="(/admin/accounts/user/[^"/]+/change/)"', listing.content.decode())
    (link,) = [link for link in links if "aaaaaaaa" in link]
    page = client.get(link)

    assert page.status_code == 200
    assert person.email.encode() in page.content


def test_credits_are_not_editable_on_the_person(client, operator, alice):
    page = client.get(f"/admin/accounts/user/{quote(alice.pk)}/change/")

    assert page.status_code == 200
    assert b'name="credits_balance"' not in page.content
    assert b"Grant credits" in page.content


def test_marking_a_campaign_completed(client, operator, alices_campaign, admin_log_lines):
    response = client.post(
        "/admin/campaigns/campaign/",
        {"action": "mark_completed", "_selected_action": [alices_campaign.pk], "index": "0"},
    )

    assert response.status_code == 302
    alices_campaign.refresh_from_db()
    assert alices_campaign.status == "completed"
    (change,) = admin_log_lines("admin_change")
    assert change.actor == "ops@example.com"
    assert "Marked completed (was ready)" in change.change
    (action,) = admin_log_lines("admin_action")
    assert (action.action, action.model, action.selected) == (
        "mark_completed",
        "campaigns.campaign",
        [alices_campaign.pk],
    )


def test_granting_credits_goes_through_the_ledger_and_is_logged(client, operator, alice, admin_log_lines):
    before = User.objects.get(pk=alice.pk).credits_balance

    response = client.post(
        "/admin/billing/creditaccount/",
        {
            "action": "grant_credits",
            "_selected_action": [alice.pk],
            "index": "0",
            "apply": "1",
            "amount": "5",
            "reason": "sorry for the outage",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=alice.pk).credits_balance == before + 5
    row = CreditTransaction.objects.get(user=alice, reason="sorry for the outage")
    assert row.actor == "admin:ops@example.com"
    (action,) = admin_log_lines("admin_action")
    assert (action.actor, action.action, action.selected_count) == ("ops@example.com", "grant_credits", 1)


def test_admin_log_lines_never_carry_form_values(client, operator, caplog):
    caplog.set_level(logging.INFO, logger="sixdegrees.admin")
    from sixdegrees.outreach.models import Mailbox

    mailbox = Mailbox.objects.create(owner=None, address="ops-box@example.com", smtp_host="127.0.0.1")
    client.post(
        "/admin/outreach/mailbox/",
        {"action": "resume_sending", "_selected_action": [mailbox.pk], "index": "0", "new_password": "s3cret-pw-X"},
    )

    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "resume_sending" in text
    assert "s3cret-pw-X" not in text
