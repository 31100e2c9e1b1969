"""Every state-changing endpoint is rate-limited and refuses a forged cross-site post.

The routes come from the URLconf (ops/tests/routes.py), not from a list kept by hand: an endpoint
added tomorrow is tried here too, and fails the test if it forgot either guard.
"""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.ops.tests.routes import fill, write_targets
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db

TARGETS = write_targets()
# Authenticated by a signature, not by a cookie, and called by servers that carry no CSRF token.
SIGNED = {("POST", "/api/webhook/stripe"), ("POST", "/unsubscribe/1")}
EVIL = "https://evil.example"


@pytest.fixture
def ids(alice) -> dict[str, str]:
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe", status="ready")
    email = EmailOutreach.objects.create(campaign=campaign, hop=1, recipient_email="bob@example.com")
    return {"campaign_id": campaign.id, "email_id": email.id}


def victim(user) -> Client:
    """A signed-in browser that has visited the site (session and CSRF cookies), on a forged form."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.cookies["csrftoken"] = _get_new_csrf_string()
    return browser


def test_the_enumeration_finds_the_endpoints_that_matter():
    found = set(TARGETS)
    assert {
        ("POST", "/api/campaign/{campaign_id}/regenerate"),
        ("POST", "/api/campaign/{campaign_id}/select-path"),
        ("POST", "/api/auth/logout"),
        ("PATCH", "/api/email/{email_id}"),
        ("POST", "/settings/delete"),
        ("POST", "/admin/login/"),
        ("POST", "/i18n/setlang/"),
    } <= found
    assert len(found) > 100  # the admin's routes too
    assert SIGNED <= found


@pytest.mark.parametrize(("method", "path"), sorted(set(TARGETS) - SIGNED), ids=lambda v: str(v))
def test_a_cross_site_form_post_without_a_csrf_token_is_refused(alice, ids, method, path):
    browser = victim(alice)

    response = browser.generic(
        method,
        fill(path, ids),
        "campaign=1&language=zh-hans",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN=EVIL,
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert response.status_code == 403, (response.status_code, response.content[:200])


@pytest.mark.parametrize(("method", "path"), TARGETS, ids=lambda v: str(v))
def test_every_write_is_rate_limited(client, alice, ids, settings, method, path):
    settings.RATE_LIMIT_WRITE = "2/m"
    settings.RATE_LIMIT_WEBHOOK = "2/m"
    client.force_login(alice)
    url = fill(path, ids)

    answers = [client.generic(method, url, "{}", content_type="application/json") for _ in range(3)]

    assert answers[-1].status_code == 429, [a.status_code for a in answers]
    assert int(answers[-1]["Retry-After"]) >= 1
    assert all(a.status_code != 500 for a in answers)


def test_a_flood_of_bad_select_path_requests_is_cut_off(client, alice, ids, settings):
    settings.RATE_LIMIT_WRITE = "60/m"
    client.force_login(alice)
    url = fill("/api/campaign/{campaign_id}/select-path", ids)

    statuses = [client.post(url, "[" * 1000, content_type="application/json").status_code for _ in range(200)]

    assert statuses.count(400) == 60
    assert statuses.count(429) == 140


# --- The JSON API's CSRF rule, case by case ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/auth/logout", "/api/campaign/{campaign_id}/regenerate"])
def test_regenerate_and_logout_refuse_a_forged_form_post(alice, ids, url):
    browser = victim(alice)

    response = browser.post(fill(url, ids), {}, HTTP_ORIGIN=EVIL)

    assert response.status_code == 403
    assert response.json()["success"] is False
    assert Campaign.objects.get(pk=ids["campaign_id"]).status == "ready"  # no new plan was started
    assert browser.get("/api/me").json()["authenticated"] is True  # still signed in


def test_a_json_post_with_the_session_cookie_needs_the_csrf_header(alice, ids):
    browser = victim(alice)
    url = fill("/api/campaign/{campaign_id}/regenerate", ids)

    without = browser.post(url, "{}", content_type="application/json")
    token = _mask_cipher_secret(browser.cookies["csrftoken"].value)
    with_token = browser.post(url, "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert with_token.status_code == 200, with_token.content


def test_a_json_client_without_cookies_needs_no_token(intake_data):
    script = Client(enforce_csrf_checks=True)  # curl, a script: no cookies, nothing to forge

    response = script.post("/api/intake", intake_data, content_type="application/json")

    assert response.status_code == 200, response.content


def test_a_form_post_without_cookies_still_needs_a_token(intake_data):
    # A form is what a foreign page can post without a preflight, cookies or not.
    response = Client(enforce_csrf_checks=True).post("/api/intake", intake_data)

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("origin", "fetch_site", "status"),
    [(EVIL, "cross-site", 403), ("null", "cross-site", 403), (None, "cross-site", 403), (None, None, 200)],
)
def test_a_foreign_browser_is_refused_even_without_cookies(intake_data, origin, fetch_site, status):
    headers = {}
    if origin:
        headers["HTTP_ORIGIN"] = origin
    if fetch_site:
        headers["HTTP_SEC_FETCH_SITE"] = fetch_site

    response = Client(enforce_csrf_checks=True).post(
        "/api/intake", intake_data, content_type="application/json", **headers
    )

    assert response.status_code == status, response.content


def test_an_origin_listed_for_cors_may_post_without_cookies(intake_data, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    response = Client(enforce_csrf_checks=True).post(
        "/api/intake",
        intake_data,
        content_type="application/json",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert response.status_code == 200, response.content
