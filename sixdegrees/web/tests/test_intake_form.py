"""The intake page without JavaScript: the form posts to /intake and the server does the work."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE

pytestmark = pytest.mark.django_db(transaction=True)

LIMITS = {
    "user_name": 50,
    "user_email": 254,
    "user_background": 500,
    "target_name": 200,
    "target_company": 200,
    "target_reason": 500,
}


def test_the_form_has_six_labelled_fields_with_limits(client):
    html = client.get("/intake").content.decode()
    for name, limit in LIMITS.items():
        assert f'<label for="id_{name}">' in html, name
        tag = re.search(rf'<(?:input|textarea) id="id_{name}"[^>]*>', html).group(0)
        assert f'maxlength="{limit}"' in tag and "required" in tag and "placeholder=" in tag, tag
        assert re.search(rf'id="{name}-count"[^>]*>0/{limit}<', html), name
    assert 'action="/intake"' in html and 'method="post"' in html
    assert "0/6 answered" in html


def test_a_valid_post_starts_the_campaign_and_opens_the_dashboard(client):
    response = client.post("/intake", INTAKE)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/dashboard?campaign={campaign.id}"
    assert campaign.target_name == "Jane Doe" and campaign.language == "en"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Reaching Jane Doe" in page.content.decode()


def test_a_chinese_post_makes_a_chinese_campaign(client):
    client.cookies["django_language"] = "zh-hans"
    client.post("/intake", {**INTAKE, "target_name": "王小明"})
    assert Campaign.objects.get().language == "zh-hans"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("user_name", "", "Please fill in “Your name”."),
        ("user_email", "not-an-address", "Please enter a valid email address, like name@example.com."),
        ("user_background", "x" * 501, "can be at most 500 characters (you have 501)"),
        ("target_reason", "   ", "Please fill in “Why them”."),
    ],
)
def test_errors_are_shown_next_to_their_field_and_input_is_kept(client, field, value, message):
    response = client.post("/intake", {**INTAKE, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<p class="field__error" id="{field}-error" data-error>([^<]*)</p>', html)
    assert error and message in error.group(1).replace("&quot;", '"').replace("&#x27;", "'"), html
    assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"', html)
    assert "Please check the highlighted fields." in html
    assert 'value="Alice Chen"' in html or field == "user_name"
    assert not Campaign.objects.exists()


def test_errors_speak_chinese_on_a_chinese_page(client):
    client.cookies["django_language"] = "zh-hans"
    html = client.post("/intake", {**INTAKE, "user_name": ""}).content.decode()
    assert "请填写“您的姓名”。" in html and "请检查标出的字段。" in html


def test_the_same_target_twice_opens_the_existing_campaign(client):
    first = client.post("/intake", INTAKE)["Location"]
    second = client.post("/intake", INTAKE)
    assert second["Location"] == first
    assert Campaign.objects.count() == 1


def test_too_many_attempts_are_refused_politely(client, settings):
    settings.RATE_LIMIT_INTAKE = "1/h"
    client.post("/intake", INTAKE)
    response = client.post("/intake", {**INTAKE, "target_name": "Someone Else"})
    assert response.status_code == 400
    assert "Too many requests. Please wait a little and try again." in response.content.decode()
    assert Campaign.objects.count() == 1


def test_the_form_needs_its_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/intake", INTAKE).status_code == 403
