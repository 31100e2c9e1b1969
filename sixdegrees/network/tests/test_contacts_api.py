"""The contacts API: the owner's network only, validated input, corrections that win, real uploads."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sixdegrees.conftest import post_json
from sixdegrees.network import people
from sixdegrees.network.models import (
    ContactImport,
    DuplicateCandidate,
    MailObservation,
    Person,
    PersonEmail,
    PersonPhone,
    PersonSource,
)
from sixdegrees.network.strength import LINKEDIN_PRIOR
from sixdegrees.network.tests.importing_files import linkedin_file

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def patch_json(client: Client, url: str, data: dict):
    return client.generic("PATCH", url, json.dumps(data), content_type="application/json")


def upload(client: Client, data: bytes, name: str = "Connections.csv", **fields: str):
    return client.post("/api/contacts/import", {"file": SimpleUploadedFile(name, data, "text/csv"), **fields})


@pytest.fixture
def ana(alice):
    """Alice's colleague Ana, typed in, with an address."""
    _, person = _add(alice, {"name": "Ana Lima", "emails": ["ana@stripe.com"], "organisation": "Stripe, Inc."})
    return person


def _add(owner, values):
    from sixdegrees.network.editing import add_typed_in

    return add_typed_in(owner, values)


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/contacts"),
        ("POST", "/api/contacts"),
        ("GET", "/api/contacts/duplicates"),
        ("POST", "/api/contacts/import"),
        ("GET", "/api/contacts/pers_x"),
        ("PATCH", "/api/contacts/pers_x"),
        ("DELETE", "/api/contacts/pers_x"),
        ("GET", "/api/contacts/imports/imp_x"),
    ],
)
def test_anonymous_gets_401_like_the_rest_of_the_api(client, method, path):
    response = client.generic(method, path, "{}", content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Please sign in to see your network.", "fields": {}}


def test_it_checks_ownership(bob, ana):
    stranger = signed_in(bob)
    url = f"/api/contacts/{ana.pk}"

    answers = [
        stranger.get(url),
        patch_json(stranger, url, {"strength": 1}),
        stranger.delete(url),
        stranger.get("/api/contacts/pers_madeup"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert answers[0].json() == answers[3].json()  # someone else's id and a made-up one look the same
    assert stranger.get("/api/contacts").json()["total"] == 0
    ana.refresh_from_db()
    assert ana.strength_override is None


def test_someone_elses_import_and_review_pairs_are_404(alice, bob, tmp_path):
    owner = signed_in(alice)
    started = upload(owner, linkedin_file(tmp_path, ["Ana,Lima,,,Stripe,,16 Jul 2026"])).json()
    pair = DuplicateCandidate.objects.create(
        owner=alice,
        person=Person.objects.create(owner=alice, name="Jo Park"),
        other=Person.objects.create(owner=alice, name="Jo Parks"),
        score=0.9,
    )
    stranger = signed_in(bob)

    assert stranger.get(f"/api/contacts/imports/{started['import_id']}").status_code == 404
    assert stranger.post(f"/api/contacts/duplicates/{pair.pk}/merge").status_code == 404
    assert stranger.post(f"/api/contacts/duplicates/{pair.pk}/separate").status_code == 404
    assert stranger.get("/api/contacts/duplicates").json() == {"duplicates": []}
    assert Person.objects.filter(owner=alice).count() == 3


def test_an_address_in_someone_elses_network_looks_fresh(alice, bob, ana):
    response = post_json(signed_in(bob), "/api/contacts", {"name": "Ana", "emails": ["ana@stripe.com"]})

    assert response.status_code == 200
    assert response.json()["outcome"] == "added"  # exactly as for an address nobody has
    theirs = Person.objects.get(owner=bob)
    assert theirs.name == "Ana" and theirs.organisation == ""
    ana.refresh_from_db()
    assert ana.name == "Ana Lima"  # Alice's row is untouched


# --- Listing ------------------------------------------------------------------------------------


def test_search_filters_and_hidden_people(alice, django_assert_max_num_queries):
    client = signed_in(alice)
    for values in (
        {"name": "Ana Lima", "emails": ["ana@stripe.com"], "organisation": "Stripe, Inc."},
        {"name": "Ben Okafor", "emails": ["ben@acme.test"], "organisation": "Acme"},
        {"name": "Chen Wei", "phones": ["+44 20 7946 0958"], "title": "Partner at Stripe Ventures"},
        {"name": "Dee Hidden", "organisation": "Stripe"},
    ):
        post_json(client, "/api/contacts", values)
    hidden = Person.objects.get(name="Dee Hidden")
    patch_json(client, f"/api/contacts/{hidden.pk}", {"hidden": True})
    ben = Person.objects.get(name="Ben Okafor")
    patch_json(client, f"/api/contacts/{ben.pk}", {"strength": 0.8})

    def names(**query):
        return [c["name"] for c in client.get("/api/contacts", query).json()["contacts"]]

    with django_assert_max_num_queries(8):
        everyone = client.get("/api/contacts").json()
    assert [c["name"] for c in everyone["contacts"]] == ["Ben Okafor", "Ana Lima", "Chen Wei"]
    assert everyone["total"] == 3
    assert {"key": "stripe", "name": "Stripe, Inc.", "count": 1} in everyone["organisations"]
    assert names(q="stripe") == ["Ana Lima", "Chen Wei"]  # organisation and title
    assert names(q="BEN@acme") == ["Ben Okafor"]  # an address
    assert names(org="stripe") == ["Ana Lima"]
    assert names(org="Stripe Inc") == ["Ana Lima"]  # the key, not the spelling
    assert names(strength="strong") == ["Ben Okafor"]
    assert names(strength="weak") == ["Ana Lima", "Chen Wei"]
    assert names(hidden="only") == ["Dee Hidden"]
    assert len(names(hidden="include")) == 4
    assert client.get("/api/contacts", {"strength": "loud"}).status_code == 400


def test_pagination(alice):
    client = signed_in(alice)
    for n in range(5):
        post_json(client, "/api/contacts", {"name": f"Person {n}"})

    page = client.get("/api/contacts", {"per_page": 2, "page": 3}).json()

    assert (page["total"], page["pages"], page["page"], len(page["contacts"])) == (5, 3, 3, 1)


# --- Adding by hand -----------------------------------------------------------------------------


def test_adding_someone_by_hand(alice):
    response = post_json(
        signed_in(alice),
        "/api/contacts",
        {
            "name": "Ana Lima",
            "emails": ["Ana.Lima@Stripe.com"],
            "phones": ["+1 650 555 0100"],
            "organisation": "Stripe",
            "title": "Engineer",
            "profile_url": "https://www.linkedin.com/in/ana-lima",
        },
    )

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["outcome"] == "added"
    contact = answer["contact"]
    assert contact["emails"] == ["Ana.Lima@stripe.com"]
    assert contact["phones"] == ["+1 650 555 0100"]
    assert [s["kind"] for s in contact["sources"]] == ["manual"]
    assert contact["sources"][0]["label"] == "Typed in"
    assert contact["strength_basis"] == "prior"
    assert contact["evidence"] == "In your address book; no emails measured yet."
    assert Person.objects.get(owner=alice).linkedin_handle == "ana-lima"


def test_adding_merges_on_an_exact_key_like_an_import(alice, tmp_path):
    client = signed_in(alice)
    upload(
        client, linkedin_file(tmp_path, ["Ana,Lima,https://www.linkedin.com/in/ana-lima,,Stripe,Engineer,16 Jul 2026"])
    )

    response = post_json(
        client,
        "/api/contacts",
        {"name": "Ana", "emails": ["ana@stripe.com"], "profile_url": "https://linkedin.com/in/ana-lima/"},
    )

    assert response.json()["outcome"] == "merged"
    person = Person.objects.get(owner=alice)
    assert sorted(PersonSource.objects.filter(person=person).values_list("kind", flat=True)) == ["linkedin", "manual"]
    assert response.json()["contact"]["emails"] == ["ana@stripe.com"]
    again = post_json(
        client,
        "/api/contacts",
        {"name": "Ana", "emails": ["ana@stripe.com"], "profile_url": "https://linkedin.com/in/ana-lima/"},
    )
    assert again.json()["outcome"] == "unchanged"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"emails": ["not an address"]}, "emails"),
        ({"name": "Ana", "emails": "ana@"}, "emails"),
        ({"name": "Ana", "emails": [1]}, "emails"),
        ({"name": "Ana", "phones": ["12"]}, "phones"),
        ({"name": "A" * 201}, "name"),
        ({"name": "Ana", "profile_url": "javascript:alert(1)"}, "profile_url"),
        ({"name": "Ana", "organisation": 5}, "organisation"),
        ({"name": "Ana", "emails": [f"a{n}@example.com" for n in range(11)]}, "emails"),
        ({"name": "Ana", "strength": 0.5}, "strength"),  # a correction is for a person who exists
        ({"name": "Ana", "owner": "bob"}, "owner"),
    ],
)
def test_adding_validates_with_clear_field_errors(alice, body, field):
    response = post_json(signed_in(alice), "/api/contacts", body)

    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["success"] is False and set(answer["fields"]) == {field}
    assert Person.objects.count() == 0


def test_adding_in_chinese_says_so_in_chinese(alice):
    client = signed_in(alice)
    client.cookies["django_language"] = "zh-hans"

    answer = post_json(client, "/api/contacts", {}).json()

    assert answer["fields"]["name"] == "请至少填写姓名、邮箱地址或电话号码之一。"


# --- Correcting, hiding, editing, removing ------------------------------------------------------


def test_a_correction_always_wins_and_can_be_cleared(alice, ana):
    client = signed_in(alice)
    Person.objects.filter(pk=ana.pk).update(measured_strength=0.42, emails_sent=3, emails_received=4)

    corrected = patch_json(client, f"/api/contacts/{ana.pk}", {"strength": 0.9}).json()["contact"]
    assert (corrected["strength"], corrected["strength_basis"]) == (0.9, "corrected")
    assert corrected["evidence"].startswith("You set this strength.")

    # A later mailbox scan or import recomputes the strength; the correction still wins.
    ana.refresh_from_db()
    Person.objects.filter(pk=ana.pk).update(measured_strength=0.2)
    ana.refresh_from_db()
    assert people.refresh_strength(ana) == 0.9

    cleared = patch_json(client, f"/api/contacts/{ana.pk}", {"strength": None}).json()["contact"]
    assert (cleared["strength"], cleared["strength_basis"]) == (0.2, "measured")
    assert client.get(f"/api/contacts/{ana.pk}").json()["strength"] == 0.2


@pytest.mark.parametrize("value", [1.5, -0.1, "0.5", True])
def test_a_correction_must_be_0_to_1(alice, ana, value):
    response = patch_json(signed_in(alice), f"/api/contacts/{ana.pk}", {"strength": value})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"strength"}


def test_hide_and_unhide(alice, ana):
    client = signed_in(alice)

    assert patch_json(client, f"/api/contacts/{ana.pk}", {"hidden": True}).json()["contact"]["hidden"] is True
    assert client.get("/api/contacts").json()["total"] == 0
    assert patch_json(client, f"/api/contacts/{ana.pk}", {"hidden": False}).status_code == 200
    assert client.get("/api/contacts").json()["total"] == 1


def test_editing_fields(alice, ana):
    client = signed_in(alice)

    contact = patch_json(
        client,
        f"/api/contacts/{ana.pk}",
        {
            "organisation": "Acme",
            "title": "CTO",
            "emails": ["ana@acme.test", "ana@stripe.com"],
            "phones": ["+1 650 555 0100"],
        },
    ).json()["contact"]

    assert (contact["organisation"], contact["title"]) == ("Acme", "CTO")
    assert contact["emails"] == ["ana@acme.test", "ana@stripe.com"]
    assert contact["phones"] == ["+1 650 555 0100"]
    assert Person.objects.get(pk=ana.pk).organisation_key == "acme"
    assert patch_json(client, f"/api/contacts/{ana.pk}", {}).status_code == 400


def test_an_address_of_another_person_is_a_conflict_not_a_silent_merge(alice, ana):
    client = signed_in(alice)
    _, ben = _add(alice, {"name": "Ben", "emails": ["ben@acme.test"]})

    response = patch_json(client, f"/api/contacts/{ben.pk}", {"emails": ["ana@stripe.com"]})

    assert response.status_code == 409
    assert "Ana Lima" in response.json()["error"]
    assert list(PersonEmail.objects.filter(person=ben).values_list("address", flat=True)) == ["ben@acme.test"]


def test_remove_deletes_the_person_and_their_rows(alice, bob, ana):
    client = signed_in(alice)
    MailObservation.objects.create(owner=alice, address="ana@stripe.com", direction="out", at="2026-11-01T10:00Z")
    MailObservation.objects.create(owner=bob, address="ana@stripe.com", direction="out", at="2026-11-01T10:00Z")
    _add(bob, {"name": "Ana", "emails": ["ana@stripe.com"]})

    assert client.delete(f"/api/contacts/{ana.pk}").json() == {"success": True}

    assert not Person.objects.filter(owner=alice).exists()
    assert not PersonEmail.objects.filter(owner=alice).exists()
    assert not PersonSource.objects.filter(owner=alice).exists()
    assert not MailObservation.objects.filter(owner=alice).exists()
    assert MailObservation.objects.filter(owner=bob).count() == 1
    assert Person.objects.filter(owner=bob).count() == 1
    assert client.get(f"/api/contacts/{ana.pk}").status_code == 404


# --- Importing through the API ------------------------------------------------------------------


def big_linkedin(tmp_path, rows: int) -> bytes:
    """A real-shaped export past the 256 kB request limit, with one blank-name row to skip."""
    lines = [
        f"Person{n},Lastname{n},https://www.linkedin.com/in/person-{n},,Company {n},"
        f'"{"Senior Staff Engineer, Platform and Infrastructure " * 2}{n}",16 Jul 2026'
        for n in range(rows)
    ]
    lines[7] = ",,,,Nobody Inc,,16 Jul 2026"
    return linkedin_file(tmp_path, lines)


def test_importing_a_file_over_256_kb_through_the_api(alice, tmp_path):
    data = big_linkedin(tmp_path, 1800)
    assert len(data) > 256 * 1024
    client = signed_in(alice)

    response = upload(client, data)

    assert response.status_code == 200, response.content[:300]
    started = response.json()
    assert started["status"] == "done"
    assert (started["added"], started["merged"], started["unchanged"], started["skipped"]) == (1799, 0, 0, 1)
    assert started["skipped_lines"] == [{"line": 13, "reason": "no name, email or phone"}]
    report = client.get(f"/api/contacts/imports/{started['import_id']}").json()
    assert report["rows_done"] == report["rows_total"] == 1800
    assert Person.objects.filter(owner=alice).count() == 1799
    assert Person.objects.filter(owner=alice).first().strength == LINKEDIN_PRIOR

    again = upload(client, data).json()
    assert (again["added"], again["unchanged"]) == (0, 1799)


def test_a_large_import_is_queued_and_reports_progress(alice, tmp_path, django_capture_on_commit_callbacks):
    client = signed_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        started = upload(client, big_linkedin(tmp_path, 2500)).json()

    assert started["status"] == "queued"  # the answer came before the work
    report = client.get(f"/api/contacts/imports/{started['import_id']}").json()
    assert report["status"] == "done"  # Huey runs tasks inline in the tests
    assert (report["added"], report["skipped"], report["rows_done"]) == (2499, 1, 2500)


def test_an_upload_over_the_import_limit_is_413_with_a_clear_error(alice, settings):
    client = signed_in(alice)
    big = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" + b"x" * (21 * 1024 * 1024)

    response = upload(client, big)

    assert response.status_code == 413
    assert response.json()["error"] == "The file is too large: one import takes at most 20 MB."
    assert not ContactImport.objects.exists()


def test_the_larger_limit_is_for_the_import_upload_only(alice):
    client = signed_in(alice)
    body = json.dumps({"name": "A" * (300 * 1024)})

    assert client.post("/api/contacts", body, content_type="application/json").status_code == 413
    assert client.post("/api/contacts/import", body, content_type="application/json").status_code == 413
    assert client.post("/api/contacts/import", {"format": "x" * (300 * 1024)}).status_code == 413


@pytest.mark.parametrize(
    ("data", "language", "error"),
    [
        (b"", "en", "The file is empty."),
        (
            b"name,phone\r\nAna,1\r\n",
            "en",
            "this is not a contacts export: the first row is 'name,phone'; expected a LinkedIn, Google, Outlook or vCard file",
        ),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n",
            "en",
            "Line 1: this card has BEGIN:VCARD but no END:VCARD (is the file cut short?)",
        ),
        (b"", "zh-hans", "文件是空的。"),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n",
            "zh-hans",
            "第 1 行：这张名片有 BEGIN:VCARD 但没有 END:VCARD（文件是否被截断？）",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_the_readers_language(alice, data, language, error):
    client = signed_in(alice)
    client.cookies["django_language"] = language

    response = upload(client, data, name="contacts.vcf")

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not Person.objects.exists() and not ContactImport.objects.exists()


def test_import_upload_validation(alice, tmp_path):
    client = signed_in(alice)

    missing = client.post("/api/contacts/import", {"format": "auto"})
    wrong_format = upload(client, linkedin_file(tmp_path, ["Ana,Lima,,,Stripe,,16 Jul 2026"]), format="excel")
    as_json = post_json(client, "/api/contacts/import", {"file": "Ana"})

    assert (missing.status_code, set(missing.json()["fields"])) == (400, {"file"})
    assert (wrong_format.status_code, set(wrong_format.json()["fields"])) == (400, {"format"})
    assert as_json.status_code == 415
    assert not ContactImport.objects.exists()


def test_a_failed_background_import_says_why_in_chinese(alice):
    from sixdegrees.network.importing import run_import

    row = ContactImport.objects.create(owner=alice, format="vcard", data=b"BEGIN:VCARD\r\nFN:Ana\r\n", size_bytes=20)
    run_import(row.pk)
    client = signed_in(alice)
    client.cookies["django_language"] = "zh-hans"

    report = client.get(f"/api/contacts/imports/{row.pk}").json()

    assert report["status"] == "failed"
    assert report["error"] == "第 1 行：这张名片有 BEGIN:VCARD 但没有 END:VCARD（文件是否被截断？）"
    assert report["error_line"] == 1


# --- Duplicates ---------------------------------------------------------------------------------


def test_reviewing_duplicates_merge_and_keep_separate(alice, tmp_path):
    client = signed_in(alice)
    upload(
        client,
        linkedin_file(
            tmp_path,
            [
                "Jonathan,Park,https://www.linkedin.com/in/jpark,,Acme,CTO,16 Jul 2026",
                "Jon,Park,https://www.linkedin.com/in/jon-park-2,,Acme,,16 Jul 2026",
                "Mia,Chen,https://www.linkedin.com/in/mia,,Globex,,16 Jul 2026",
                "Mia,Chen,https://www.linkedin.com/in/mia-chen-2,,Globex,,16 Jul 2026",
            ],
        ),
    )
    pairs = client.get("/api/contacts/duplicates").json()["duplicates"]
    assert len(pairs) == 2
    by_name = {pair["person"]["name"]: pair for pair in pairs}

    merged = client.post(f"/api/contacts/duplicates/{by_name['Jonathan Park']['duplicate_id']}/merge").json()
    kept = client.post(f"/api/contacts/duplicates/{by_name['Mia Chen']['duplicate_id']}/separate").json()

    assert merged["success"] is True and merged["contact"]["name"] == "Jonathan Park"
    assert len(merged["contact"]["sources"]) == 2
    assert kept == {"success": True}
    assert client.get("/api/contacts/duplicates").json() == {"duplicates": []}
    assert sorted(Person.objects.filter(owner=alice).values_list("name", flat=True)) == [
        "Jonathan Park",
        "Mia Chen",
        "Mia Chen",
    ]
    assert PersonPhone.objects.count() == 0
    # A decided pair is not asked about again when the same file comes back.
    upload(client, linkedin_file(tmp_path, ["Mia,Chen,https://www.linkedin.com/in/mia,,Globex,,16 Jul 2026"]))
    assert client.get("/api/contacts/duplicates").json() == {"duplicates": []}
    assert client.post(f"/api/contacts/duplicates/{by_name['Mia Chen']['duplicate_id']}/merge").status_code == 404


def test_the_contacts_api_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/contacts", "get"),
        ("/api/contacts", "post"),
        ("/api/contacts/{person_id}", "get"),
        ("/api/contacts/{person_id}", "patch"),
        ("/api/contacts/{person_id}", "delete"),
        ("/api/contacts/import", "post"),
        ("/api/contacts/imports/{import_id}", "get"),
        ("/api/contacts/duplicates", "get"),
        ("/api/contacts/duplicates/{duplicate_id}/merge", "post"),
        ("/api/contacts/duplicates/{duplicate_id}/separate", "post"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    upload_body = paths["/api/contacts/import"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload_body["required"] == ["file"]
    add_body = paths["/api/contacts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    from sixdegrees.network.editing import clean

    # The documented fields are the ones the validator takes.
    documented = set(add_body["properties"])
    assert clean({name: None for name in documented}, partial=False).errors == {
        "name": "Give at least a name, an email address or a phone number."
    }
    assert "200" in paths["/api/contacts"]["get"]["responses"]
    assert "ContactOut" in json.dumps(spec["components"])


def test_a_phone_of_another_person_is_a_conflict_too(alice, ana):
    client = signed_in(alice)
    assert patch_json(client, f"/api/contacts/{ana.pk}", {"phones": ["+1 650 555 0100"]}).status_code == 200
    _, ben = _add(alice, {"name": "Ben", "phones": ["+1 650 555 0199"]})

    response = patch_json(client, f"/api/contacts/{ben.pk}", {"phones": ["+1 (650) 555-0100"]})

    assert response.status_code == 409
    assert "Ana Lima" in response.json()["error"]
    assert list(PersonPhone.objects.filter(person=ben).values_list("number", flat=True)) == ["+1 650 555 0199"]
