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


# --- The document's request shapes are the ones the validators and pages enforce ---------------
# Each check starts from /api/openapi.json and asks the validator (and the page) about every field
# and limit it lists, so a field or limit added to one side only fails here.


def _body(spec: dict, path: str, method: str) -> dict:
    return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _string(prop: dict) -> dict:
    """The string branch of a property (an optional one is `anyOf: [string, null]`)."""
    return next(p for p in prop.get("anyOf", [prop]) if p.get("type") == "string")


def _text(prop: dict, length: int) -> str:
    """A value the validator accepts apart from its length: an address where the document says email."""
    if _string(prop).get("format") != "email":
        return "a" * length
    local = "a" * 64
    domain = "".join("." if i % 60 == 59 else "b" for i in range(length - len(local) - 1 - len(".com")))
    return f"{local}@{domain.strip('.')}{'b' if domain.endswith('.') else ''}.com"


def _limits(schema: dict, *, leave_out: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """(minLength, maxLength) of each documented text field."""
    return {
        name: (_string(prop).get("minLength", 0), _string(prop)["maxLength"])
        for name, prop in schema["properties"].items()
        if name not in leave_out
    }


def test_the_intake_schema_is_what_the_intake_validates(client):
    from sixdegrees.campaigns.intake import validate_intake

    schema = _body(client.get("/api/openapi.json").json(), "/api/intake", "post")
    limits = _limits(schema)
    longest = {name: _text(schema["properties"][name], high) for name, (_, high) in limits.items()}
    assert all(len(v) == limits[k][1] for k, v in longest.items())
    cleaned, errors = validate_intake(longest)
    assert errors == {}
    assert set(cleaned) == set(limits)  # the validator takes exactly the documented fields
    for name, (low, high) in limits.items():
        prop = schema["properties"][name]
        _, errors = validate_intake({**longest, name: _text(prop, high + 1)})
        assert set(errors) == {name}, (name, "longer than maxLength")
        _, errors = validate_intake({k: v for k, v in longest.items() if k != name})
        assert set(errors) == ({name} if name in schema["required"] else set()), (name, "left out")
        _, errors = validate_intake({**longest, name: ""})
        assert set(errors) == ({name} if low else set()), (name, "blank")


def test_the_intake_page_uses_the_documented_limits(client):
    schema = _body(client.get("/api/openapi.json").json(), "/api/intake", "post")
    html = client.get("/intake").content.decode()
    on_page = dict(re.findall(r'name="([a-z_]+)"[^>]*\smaxlength="(\d+)"', html))
    assert {k: int(v) for k, v in on_page.items()} == {k: high for k, (_, high) in _limits(schema).items()}


def test_the_edit_schemas_are_what_clean_edits_validates(client):
    from sixdegrees.lib.http import BadRequest
    from sixdegrees.outreach.approval import clean_edits

    spec = client.get("/api/openapi.json").json()
    schema = _body(spec, "/api/email/{email_id}", "patch")
    limits = _limits(schema)
    longest = {name: _text(schema["properties"][name], high) for name, (_, high) in limits.items()}
    assert set(clean_edits({**longest, "unknown": "x"})) == set(limits)

    def rejected(data: dict) -> set[str]:
        try:
            clean_edits(data)
        except BadRequest as exc:
            return set(exc.fields)
        return set()

    assert "required" not in schema  # an edit sends only what changes
    for name, (low, high) in limits.items():
        assert rejected({name: _text(schema["properties"][name], high + 1)}) == {name}, (name, "too long")
        assert rejected({name: ""}) == ({name} if low else set()), (name, "blank")

    # /api/send takes the same fields (the address as `to`) with the same limits.
    send = _body(spec, "/api/send", "post")
    send_limits = _limits(send, leave_out=("campaign_id", "email_id"))
    assert {("recipient_email" if k == "to" else k): v for k, v in send_limits.items()} == limits
    assert send["required"] == ["campaign_id"]


def test_the_edit_dialog_uses_the_documented_limits(client, intake_data):
    from sixdegrees.conftest import post_json

    schema = _body(client.get("/api/openapi.json").json(), "/api/email/{email_id}", "patch")
    campaign = post_json(client, "/api/intake", intake_data).json()
    html = client.get(campaign["dashboard_url"]).content.decode()
    form = html[html.index("data-m-edit ") : html.index("</form>", html.index("data-m-edit "))]
    on_page = dict(re.findall(r'name="([a-z_]+)"[^>]*\smaxlength="(\d+)"', form))
    assert {k: int(v) for k, v in on_page.items()} == {
        k: high for k, (_, high) in _limits(schema).items() if k != "recipient_name"
    }
