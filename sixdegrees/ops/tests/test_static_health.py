"""Production static files: `/api/health` fails exactly when pages would (no manifest, a file gone)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

from sixdegrees.ops.health import record_heartbeat
from sixdegrees.ops.static import collect_static, static_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage (hashed names through a manifest) over an empty static directory."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "sixdegrees.lib.static_storage.StaticStorage"}}
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    record_heartbeat("host:1")
    return settings.STATIC_ROOT


def health(client) -> tuple[int, dict]:
    response = client.get("/api/health")
    return response.status_code, response.json()


def test_without_collected_files_pages_fail_and_so_does_health(production_static):
    browser = Client(raise_request_exception=False)
    assert browser.get("/").status_code == 500  # "Missing staticfiles manifest entry"

    status, body = health(browser)

    assert status == 503
    assert body["failed"] == ["static"]
    assert "is not in the static files manifest" in body["checks"]["static"]
    assert "restart the web server" in body["checks"]["static"]


def test_after_collecting_pages_and_health_are_fine(production_static, client):
    assert collect_static() > 0
    assert (production_static / "staticfiles.json").is_file()

    page = client.get("/")
    assert page.status_code == 200
    assert staticfiles_storage.url("css/base.css") in page.content.decode()  # the hashed name
    status, body = health(client)
    assert status == 200 and body["checks"]["static"] == "ok"


def test_a_collected_file_gone_fails_health(production_static, client):
    collect_static()
    (production_static / staticfiles_storage.stored_name("css/base.css")).unlink()

    status, body = health(client)

    assert status == 503 and body["failed"] == ["static"]
    assert "css/base." in body["checks"]["static"] and "is missing" in body["checks"]["static"]


def test_collecting_again_is_skipped_until_the_manifest_is_gone(production_static):
    assert collect_static() > 0
    assert collect_static() == 0.0
    (production_static / "staticfiles.json").unlink()
    assert collect_static() > 0
    assert (production_static / "staticfiles.json").is_file()


def test_the_check_covers_what_the_base_page_names():
    assert {"css/base.css", "js/base.js", "img/logo.svg"} <= set(static_names())


def test_development_needs_no_collecting(client):
    record_heartbeat("host:1")
    assert collect_static() is None
    assert health(client)[1]["checks"]["static"] == "ok"
