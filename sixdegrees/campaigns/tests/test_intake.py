"""POST /api/intake: validation at the edge, fast answer, background plan, duplicates, limits."""

from __future__ import annotations

import json

import pytest

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import post_json

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_valid_intake_answers_success_and_the_plan_becomes_ready(client, intake_data):
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True and body["campaign_id"].startswith("camp_")
    assert body["dashboard_url"] == f"/dashboard?campaign={body['campaign_id']}"
    # Tasks run inline in tests, so the plan is already made when the answer arrives.
    detail = client.get(f"/api/campaign/{body['campaign_id']}").json()
    assert detail["status"] == "ready"
    assert len(detail["paths"]) >= 2
    assert detail["emails"] and all(e["status"] == "draft" for e in detail["emails"])
    assert {s["step_type"] for s in detail["work_log"]} >= {"research_target", "find_paths", "draft_emails"}


def test_fields_are_trimmed_and_stored(client, intake_data):
    intake_data["target_name"] = "   Jane Doe  "
    intake_data["user_email"] = "  Alice@Example.COM "
    campaign_id = post_json(client, "/api/intake", intake_data).json()["campaign_id"]
    campaign = Campaign.objects.get(id=campaign_id)
    assert campaign.target_name == "Jane Doe"
    assert campaign.email == "alice@example.com"


@pytest.mark.parametrize(
    "field", ["user_name", "user_email", "user_background", "target_name", "target_company", "target_reason"]
)
def test_each_missing_field_is_named(client, intake_data, field):
    del intake_data[field]
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and set(body["fields"]) == {field}
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("user_name", 50),
        ("user_background", 500),
        ("target_reason", 500),
        ("target_name", 200),
        ("target_company", 200),
    ],
)
def test_limits_are_exact(client, intake_data, field, limit):
    intake_data[field] = "x" * limit
    assert post_json(client, "/api/intake", intake_data).status_code == 200
    intake_data[field] = "y" * (limit + 1)
    intake_data["target_name"] = intake_data["target_name"] if field == "target_name" else "Someone Else"
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    assert str(limit) in response.json()["fields"][field]


def test_ten_kilobyte_strings_get_field_messages_not_a_crash(client, intake_data):
    data = {key: "x" * 10_000 for key in intake_data}
    response = post_json(client, "/api/intake", data)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(intake_data)


def test_ten_thousand_chinese_characters_in_one_field(client, intake_data):
    intake_data["target_reason"] = "长" * 10_000
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"target_reason"}


@pytest.mark.parametrize("bad", [123, 4.5, True, ["a"], {"a": 1}])
def test_wrong_types_are_refused(client, intake_data, bad):
    intake_data["target_name"] = bad
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    assert "target_name" in response.json()["fields"]


@pytest.mark.parametrize("value", ["Jane\x00Doe", "Jane\x07", "abc\u202edcba", "line\nbreak"])
def test_control_characters_in_single_line_fields_are_refused(client, intake_data, value):
    intake_data["target_name"] = value
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    assert "target_name" in response.json()["fields"]


def test_newlines_are_fine_in_the_long_fields(client, intake_data):
    intake_data["target_reason"] = "First line.\r\nSecond line."
    campaign_id = post_json(client, "/api/intake", intake_data).json()["campaign_id"]
    assert Campaign.objects.get(id=campaign_id).motivation == "First line.\nSecond line."


def test_a_lone_surrogate_is_refused_not_a_500(client, intake_data):
    raw = json.dumps(intake_data).replace("Jane Doe", "Jane \\ud800 Doe")
    response = client.generic("POST", "/api/intake", raw, content_type="application/json")
    assert response.status_code == 400
    assert "target_name" in response.json()["fields"]


@pytest.mark.parametrize("name", ["王小明", "Zoë Ñúñez", "<script>alert(1)</script>", "🙂 Emoji Person"])
def test_unicode_and_markup_names_are_kept_as_text(client, intake_data, name):
    intake_data["target_name"] = name
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 200
    assert Campaign.objects.get(id=response.json()["campaign_id"]).target_name == name


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "alice@@example.com", "alice example@x.com"])
def test_bad_email_syntax(client, intake_data, email):
    intake_data["user_email"] = email
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 400
    assert "user_email" in response.json()["fields"]


UNSENDABLE = ['"quoted"@example.org', "x@localhost", "user@[192.0.2.1]", "user@[IPv6:2001:db8::1]", "a b@example.org"]


@pytest.mark.parametrize("email", UNSENDABLE)
def test_an_address_the_mailer_cannot_send_to_is_refused_like_a_typo(client, intake_data, email):
    intake_data["user_email"] = email

    response = post_json(client, "/api/intake", intake_data)

    assert response.status_code == 400
    assert response.json()["fields"] == {"user_email": "Please enter a valid email address, like name@example.com."}
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("email", ["o'brien+intro@example.org", "a.b-c_d@sub.example.co.uk", "x@xn--fiqs8s.cn"])
def test_ordinary_addresses_are_still_accepted(client, intake_data, email):
    intake_data["user_email"] = email

    response = post_json(client, "/api/intake", intake_data)

    assert response.status_code == 200, response.content


def test_non_json_body_is_415(client):
    response = client.generic("POST", "/api/intake", "hello", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["success"] is False


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"a string"', "null", '{"a": '])
def test_malformed_json_is_400(client, raw):
    response = client.generic("POST", "/api/intake", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_oversized_body_is_413(client, intake_data):
    intake_data["padding"] = "x" * 200_000
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 413


def test_errors_speak_chinese_to_a_chinese_caller(client, intake_data):
    del intake_data["target_name"]
    response = post_json(client, "/api/intake", intake_data, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    body = response.json()
    assert response.status_code == 400
    assert "请" in body["error"] and "请" in body["fields"]["target_name"]


def test_a_form_post_needs_a_csrf_token(intake_data):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/intake", intake_data)
    assert response.status_code == 403
    assert Campaign.objects.count() == 0


def test_a_form_post_with_a_csrf_token_works(intake_data):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get("/api/health")  # any page; the token comes from the cookie we set below
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    response = browser.post("/api/intake", {**intake_data, "csrfmiddlewaretoken": _mask_cipher_secret(secret)})
    assert response.status_code == 200, response.content
    assert Campaign.objects.count() == 1


def test_the_same_active_target_is_not_duplicated(client, intake_data):
    first = post_json(client, "/api/intake", intake_data).json()
    second = post_json(client, "/api/intake", intake_data).json()
    assert second["duplicate"] is True
    assert second["campaign_id"] == first["campaign_id"]
    assert Campaign.objects.count() == 1


def test_a_duplicate_elsewhere_is_not_revealed(client, intake_data):
    from django.test import Client

    post_json(client, "/api/intake", intake_data)
    stranger = Client()
    body = post_json(stranger, "/api/intake", intake_data).json()
    assert body["duplicate"] is False
    assert Campaign.objects.count() == 2


def test_intake_is_rate_limited_with_retry_after(client, intake_data, settings):
    settings.RATE_LIMIT_INTAKE = "3/h"
    for n in range(3):
        intake_data["target_name"] = f"Person {n}"
        assert post_json(client, "/api/intake", intake_data).status_code == 200
    intake_data["target_name"] = "One Too Many"
    response = post_json(client, "/api/intake", intake_data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Campaign.objects.count() == 3


def test_a_new_address_gets_a_sign_in_code(client, intake_data, mailoutbox):
    post_json(client, "/api/intake", intake_data)
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert "sign-in code" in mailoutbox[0].subject


def test_without_a_mailbox_the_code_lands_in_the_outbox_folder(client, intake_data, settings, tmp_path):
    settings.SERVICE_MAIL_TRANSPORT = "folder"
    settings.OUTBOX_DIR = tmp_path
    post_json(client, "/api/intake", intake_data)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "To: alice@example.com" in written
    assert "sign-in code" in written
