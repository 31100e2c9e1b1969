"""Bad request bodies on every JSON endpoint: a clear 4xx in the API's one shape, never a 500.

The endpoints are enumerated from the API itself (ops/tests/routes.py), so a new one is covered
the day it is added.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.lib.http import MAX_JSON_DEPTH, parse_json
from sixdegrees.ops.tests.routes import api_write_routes, fill
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000  # 2 kB
BAD_BODIES = {
    "nested 1,000 deep": NESTED,
    "nested objects 1,000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "a 5,000-digit number": '{"path_index": ' + "9" * 5000 + "}",
    "a 5,000-digit negative number": '{"code": -' + "1" * 5000 + "}",
    "a float beyond the double range": '{"path_index": 1e999}',
    "a long float": '{"path_index": 0.' + "1" * 5000 + "}",
    "NaN": '{"path_index": NaN}',
    "Infinity": '{"autopilot": -Infinity}',
    "not JSON": "{",
    "not UTF-8": b'{"email": "\xff"}',
}
ROUTES = api_write_routes()


@pytest.fixture
def signed_in(alice, settings) -> tuple[Client, dict[str, str]]:
    """Alice, signed in, with a planned campaign and a draft: every view gets as far as her data."""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    campaign = Campaign.objects.create(
        owner=alice,
        email=alice.email,
        target_name="Jane Doe",
        status="ready",
        results={"strategy": {"paths": [{"chain": []}, {"chain": []}]}},
    )
    email = EmailOutreach.objects.create(
        campaign=campaign, hop=1, recipient_email="bob@example.com", subject="Hello", body="Hi Bob"
    )
    client = Client()
    client.force_login(alice)
    return client, {"campaign_id": campaign.id, "email_id": email.id}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_bad_json_body_is_a_400_on_every_endpoint(signed_in, method, path, body):
    client, ids = signed_in

    response = client.generic(method, fill(path, ids), body, content_type="application/json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    answer = response.json()
    assert answer["success"] is False and answer["error"] and answer["fields"] == {}


def test_every_json_endpoint_is_covered():
    # If the enumeration broke, the test above would pass on nothing.
    assert {path for _method, path in ROUTES} >= {
        "/api/intake",
        "/api/auth/verify",
        "/api/auth/request-code",
        "/api/auth/logout",
        "/api/send",
        "/api/campaign/{campaign_id}/select-path",
        "/api/campaign/{campaign_id}/regenerate",
        "/api/email/{email_id}",
        "/api/webhook/stripe",
    }


def test_a_bad_body_logs_one_short_line_and_no_traceback(signed_in, caplog):
    client, ids = signed_in
    caplog.set_level(logging.INFO)

    client.post(fill("/api/campaign/{campaign_id}/select-path", ids), NESTED, content_type="application/json")
    client.post("/api/intake", BAD_BODIES["a 5,000-digit number"], content_type="application/json")

    assert all(r.exc_info is None for r in caplog.records)
    assert all(r.levelno < logging.WARNING for r in caplog.records)
    requests = [r for r in caplog.records if getattr(r, "event", None) == "request"]
    assert [r.status for r in requests] == [400, 400]
    assert all(len(r.getMessage()) < 200 for r in caplog.records)


def test_limits_leave_honest_bodies_alone():
    deep_enough = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    text = json.dumps(
        {"a": [1, -2.5, 1e300, '[[[[ {{{{ in a string, with a \\" quote ]]]'], "b": {"c": 12345678901234567890}}
    )

    assert parse_json(text)["b"]["c"] == 12345678901234567890
    assert parse_json(deep_enough) is not None


def test_a_good_body_still_works_after_the_limits(signed_in):
    client, ids = signed_in

    response = client.post(
        fill("/api/campaign/{campaign_id}/autopilot", ids), {"autopilot": True}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["autopilot"] is True
