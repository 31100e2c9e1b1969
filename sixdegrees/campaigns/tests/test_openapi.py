"""The API description at /api/docs matches the routes and needs nothing from the internet."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_docs_page_loads_its_assets_locally(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the docs page should load Swagger UI"
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources


def test_openapi_lists_the_contract(client):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/intake", "post"),
        ("/api/campaign/{campaign_id}", "get"),
        ("/api/campaigns", "get"),
        ("/api/campaign/{campaign_id}/select-path", "post"),
        ("/api/campaign/{campaign_id}/regenerate", "post"),
        ("/api/email/{email_id}", "patch"),
        ("/api/send", "post"),
        ("/api/health", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    intake_body = paths["/api/intake"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(intake_body["required"]) == {
        "user_name",
        "user_email",
        "user_background",
        "target_name",
        "target_company",
        "target_reason",
    }
    assert {"200", "400", "413", "415", "429"} <= set(paths["/api/intake"]["post"]["responses"])
