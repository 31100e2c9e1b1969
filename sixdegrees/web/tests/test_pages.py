"""Every page renders in both languages, with the security headers and no inline code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sixdegrees.conftest import INTAKE, post_json

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = ["/", "/intake", "/dashboard", "/privacy", "/contact", "/signin", "/signin/link/whatever"]


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def campaign_id(alice_client) -> str:
    return post_json(alice_client, "/api/intake", INTAKE).json()["campaign_id"]


def all_pages(campaign_id: str) -> list[str]:
    return [
        *PUBLIC_PAGES,
        f"/dashboard?campaign={campaign_id}",
        f"/dashboard?campaign={campaign_id}&tab=connections",
        f"/dashboard?campaign={campaign_id}&tab=credits",
        f"/dashboard?campaign={campaign_id}&tab=settings",
        f"/dashboard/live?campaign={campaign_id}",
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders(alice_client, campaign_id, language):
    alice_client.cookies["django_language"] = language
    for url in all_pages(campaign_id):
        response = alice_client.get(url)
        assert response.status_code == 200, url
        if "/live" not in url:
            assert f'<html lang="{language}">' in response.content.decode(), url


def test_pages_carry_a_strict_content_security_policy(alice_client, campaign_id):
    for url in all_pages(campaign_id):
        policy = alice_client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy, url


def test_only_the_api_docs_relax_styles(client):
    assert "style-src 'self' 'unsafe-inline'" in client.get("/api/docs")["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get("/api/docs")["Content-Security-Policy"].split("script-src")[1]


def test_no_inline_script_or_style_anywhere(alice_client, campaign_id):
    for url in all_pages(campaign_id):
        html = alice_client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            assert alice_client.get(asset).status_code == 200, asset
        assert not re.search(r'src="(?:https?:)?//', html), url  # no CDN: every script and image is ours
        for sheet in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
            assert sheet.startswith("/static/"), (url, sheet)


def test_assets_are_served_and_small(client):
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith("base.css") for a in assets) and any(a.endswith("landing.css") for a in assets)
    total = len(html.encode())
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(b"".join(response.streaming_content) if response.streaming else response.content)
    assert total < 150 * 1024, total


@pytest.mark.parametrize(
    "language, heading", [("en", "This page is one introduction too far"), ("zh-hans", "这个页面离您还差一次引荐")]
)
def test_a_missing_page_is_friendly_in_both_languages(client, language, heading):
    response = client.get("/no/such/page", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert heading in response.content.decode()


def test_a_missing_api_route_still_answers_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    "language, heading", [("en", "Something went wrong on our side"), ("zh-hans", "我们这边出了点问题")]
)
def test_a_server_error_is_friendly_and_never_technical(client, settings, language, heading, monkeypatch):
    def boom(request):
        raise RuntimeError("database error: no such table")

    monkeypatch.setattr("sixdegrees.web.views.board.page_context", lambda *a, **k: boom(None))
    client.raise_request_exception = False
    response = client.get("/dashboard", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    body = response.content.decode()
    assert heading in body
    assert "database" not in body.lower() and "Traceback" not in body
