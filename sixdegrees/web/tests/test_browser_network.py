"""The Your network page in Chromium, in English and Chinese: import a LinkedIn export and read the
report (counts and the skipped line with its reason), correct a strength and see it survive a
reload, hide someone, with no console errors and no serious axe violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sixdegrees.network.models import ContactImport, Person
from sixdegrees.web.tests.browser import Console, new_context, run_axe, screenshot, session_for
from sixdegrees.web.tests.test_browser_flow import hold_requests_while_python_works

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

CONNECTIONS = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Ana,Lima,https://www.linkedin.com/in/ana-lima,ana@stripe.com,"Stripe, Inc.",Engineer,16 Jul 2026\r\n'
    "Ben,Okafor,https://www.linkedin.com/in/ben-okafor,,Acme,CTO,3 Mar 2026\r\n"
    ",,,,,,\r\n"
    ",,,,Nobody Inc,,16 Jul 2026\r\n"
    "陈,伟,https://www.linkedin.com/in/chen-wei,,清华大学,教授,1 Jan 2026\r\n"
)
WORDS = {
    "en": {
        "import": "Import",
        "save": "Save",
        "hide": "Hide",
        "skipped": "Line 8 no name, email or phone",
        "corrected": "your correction",
        "evidence": "You set this strength. A LinkedIn connection; no emails measured yet.",
        "title": "Your network",
    },
    "zh-hans": {
        "import": "导入",
        "save": "保存",
        "hide": "隐藏",
        "skipped": "第 8 行 没有姓名、邮箱或电话",
        "corrected": "您的修正",
        "evidence": "此关系强度由您设定。LinkedIn 联系人；尚未统计邮件往来。",
        "title": "您的人脉",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_import_correct_and_hide_on_the_network_page(browser, live_server, alice, tmp_path, language):
    words = WORDS[language]
    export = tmp_path / "Connections.csv"
    export.write_bytes(CONNECTIONS.encode("utf-8"))
    context = new_context(browser, live_server, language=language, session=session_for(alice))
    page = context.new_page()
    hold_requests_while_python_works(page)
    console = Console()
    console.attach(page)

    page.goto(live_server.url + "/dashboard")
    page.locator(".site-nav").get_by_role("link", name=words["title"]).click()
    expect(page.locator("h1")).to_have_text(words["title"])
    assert page.locator("html").get_attribute("lang") == language

    page.set_input_files("#import-file", str(export))
    page.select_option("#import-format", "linkedin")
    page.locator("[data-import-form]").get_by_role("button", name=words["import"]).click()
    report = page.locator("[data-import-report]")
    expect(report).to_be_visible()
    expect(report.locator("[data-count=added]")).to_have_text("3")
    for name in ("merged", "unchanged", "needs_review"):
        expect(report.locator(f"[data-count={name}]")).to_have_text("0")
    expect(report.locator("[data-count=skipped]")).to_have_text("1")
    expect(report.locator("[data-skipped-list] li")).to_have_text([words["skipped"]])
    expect(page.locator("[data-person]")).to_have_count(3)  # the list refreshed itself
    screenshot(page, f"network-imported-{language}")
    assert run_axe(page) == []

    ben = page.locator('[data-person][data-name="Ben Okafor"]')
    expect(ben.locator("[data-strength-value]")).to_have_text("0.10")
    ben.locator("input[name=strength]").fill("0.8")
    ben.get_by_role("button", name=words["save"], exact=True).click()
    expect(ben.locator("[data-strength-value]")).to_have_text("0.80")
    expect(page.locator("[data-person]").first).to_have_attribute("data-name", "Ben Okafor")  # strongest first

    page.reload()
    ben = page.locator('[data-person][data-name="Ben Okafor"]')
    expect(ben.locator("[data-strength-value]")).to_have_text("0.80")
    expect(ben.locator(".strength__basis")).to_have_text(words["corrected"])
    expect(ben.locator("[data-evidence]")).to_have_text(words["evidence"])
    expect(ben.locator("input[name=strength]")).to_have_value("0.8")

    ana = page.locator('[data-person][data-name="Ana Lima"]')
    ana.get_by_role("button", name=words["hide"], exact=True).click()
    expect(page.locator('[data-person][data-name="Ana Lima"]')).to_have_count(0)
    expect(page.locator("[data-person]")).to_have_count(2)
    screenshot(page, f"network-corrected-{language}")
    assert run_axe(page) == []

    people = {p.name: p for p in Person.objects.filter(owner=alice)}
    assert people["Ben Okafor"].strength_override == 0.8 and people["Ben Okafor"].strength == 0.8
    assert people["Ana Lima"].hidden is True
    assert ContactImport.objects.get(owner=alice).status == ContactImport.Status.DONE
    assert console.real_errors() == [] and console.dialogs == []
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_refused_file_says_why_and_changes_nothing(browser, live_server, alice, tmp_path, language):
    broken = tmp_path / "contacts.vcf"
    broken.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\n")
    context = new_context(browser, live_server, language=language, session=session_for(alice))
    page = context.new_page()
    hold_requests_while_python_works(page)
    console = Console()
    console.attach(page)
    page.goto(live_server.url + "/network")

    page.set_input_files("#import-file", str(broken))
    page.locator("[data-import-submit]").click()

    error = page.locator("[data-import-error]")
    expect(error).to_be_visible()
    expected = {
        "en": "Line 1: this card has BEGIN:VCARD but no END:VCARD (is the file cut short?)",
        "zh-hans": "第 1 行：这张名片有 BEGIN:VCARD 但没有 END:VCARD（文件是否被截断？）",
    }[language]
    expect(error).to_have_text(expected)
    assert not Person.objects.filter(owner=alice).exists()
    # The refusal is a 400 the page expected; nothing else went wrong.
    assert console.real_errors(allow_status=(400,)) == []
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_page_with_evidence_and_a_review_pair_renders_cleanly(browser, live_server, alice, language, viewport):
    import datetime as dt

    from sixdegrees.network.editing import add_typed_in

    _, ana = add_typed_in(alice, {"name": "Ana Lima", "emails": ["ana@stripe.com"], "organisation": "Stripe, Inc."})
    Person.objects.filter(pk=ana.pk).update(
        measured_strength=0.86,
        strength=0.86,
        emails_sent=7,
        emails_received=7,
        last_emailed_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
    )
    add_typed_in(alice, {"name": "Jonathan Park", "organisation": "Acme", "title": "CTO"})
    add_typed_in(alice, {"name": "Jon Park", "organisation": "Acme"})
    context = new_context(browser, live_server, language=language, viewport=viewport, session=session_for(alice))
    page = context.new_page()
    console = Console()
    console.attach(page)

    page.goto(live_server.url + "/network")
    page.wait_for_load_state("networkidle")

    evidence = {
        "en": "14 emails, both ways, last on 3 Nov 2026",
        "zh-hans": "14 封邮件，双向往来，最近一次在 2026年11月3日",
    }
    expect(page.locator('[data-person][data-name="Ana Lima"] [data-evidence]')).to_have_text(evidence[language])
    expect(page.locator("[data-review] [data-pair]")).to_have_count(1)
    screenshot(page, f"network-{language}-{viewport}")
    assert run_axe(page) == []
    # Nothing wider than the screen (a phone must not scroll sideways).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert console.real_errors() == [] and console.dialogs == []
    context.close()


def large_export(rows: int) -> bytes:
    header = (
        CONNECTIONS.split("First Name")[0] + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    )
    lines = [
        f'Person{n},Surname{n},https://www.linkedin.com/in/person-{n},,Company {n},"Staff Engineer, Platform {n}",16 Jul 2026'
        for n in range(rows)
    ]
    return (header + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_large_export_goes_to_the_worker_and_the_page_follows_it(browser, live_server, alice, tmp_path):
    """2,500 rows: past the inline limit, so the answer says queued and the page polls the import."""
    export = tmp_path / "Connections.csv"
    export.write_bytes(large_export(2500))
    context = new_context(browser, live_server, session=session_for(alice))
    page = context.new_page()
    hold_requests_while_python_works(page)
    console = Console()
    console.attach(page)
    polled: list[str] = []
    page.on("request", lambda request: "/api/contacts/imports/" in request.url and polled.append(request.url))
    page.goto(live_server.url + "/network")

    page.set_input_files("#import-file", str(export))
    page.locator("[data-import-submit]").click()

    report = page.locator("[data-import-report]")
    expect(report).to_be_visible(timeout=30_000)
    expect(report.locator("[data-count=added]")).to_have_text("2500")
    expect(page.locator("[data-import-text]")).to_have_text("Import finished.")
    assert polled, "the page should have followed the queued import"
    expect(page.locator("[data-everyone]")).to_have_text("2500 people")
    assert console.real_errors() == []
    context.close()


def test_a_multi_megabyte_export_uploads_over_real_http(live_server, alice):
    """Past the 256 kB body limit and Django's 2.5 MB in-memory limit: streamed, accepted, imported."""
    import http.client
    import re
    import uuid
    from urllib.parse import urlsplit

    from django.test import Client

    data = large_export(24_000)
    assert len(data) > 2_600_000
    browser_like = Client()
    browser_like.force_login(alice)
    session = browser_like.cookies["sessionid"].value
    page = browser_like.get("/network").content.decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    csrf_cookie = browser_like.cookies["csrftoken"].value
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nlinkedin\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="Connections.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    connection.request(
        "POST",
        "/api/contacts/import",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}",
            "X-CSRFToken": token,
            "Referer": live_server.url + "/network",
            "Origin": live_server.url,
        },
    )
    response = connection.getresponse()
    answer = response.read()
    connection.close()

    assert response.status == 200, answer[:300]
    assert Person.objects.filter(owner=alice).count() == 24_000
    assert ContactImport.objects.get(owner=alice).status == ContactImport.Status.DONE


def test_add_by_hand_review_the_lookalike_and_remove(browser, live_server, alice):
    from sixdegrees.network.editing import add_typed_in

    add_typed_in(alice, {"name": "Jonathan Park", "organisation": "Acme", "title": "CTO"})
    add_typed_in(alice, {"name": "Mia Chen", "organisation": "Globex"})
    context = new_context(browser, live_server, session=session_for(alice))
    page = context.new_page()
    hold_requests_while_python_works(page)
    console = Console()
    console.attach(page)
    page.goto(live_server.url + "/network")
    expect(page.locator("[data-review]")).to_be_hidden()

    add = page.locator("[data-add-form]")
    add.get_by_role("button", name="Add", exact=True).click()
    expect(add.locator("[data-add-error]")).to_have_text("Give at least a name, an email address or a phone number.")
    page.fill("#add-name", "Jon Park")
    page.fill("#add-org", "Acme")
    page.fill("#add-email", "jon@acme.test")
    add.get_by_role("button", name="Add", exact=True).click()

    review = page.locator("[data-review]")
    expect(review.locator("[data-pair]")).to_have_count(1)
    expect(page.locator("[data-person]")).to_have_count(3)
    review.get_by_role("button", name="Same person: merge").click()
    expect(review).to_be_hidden()
    expect(page.locator("[data-person]")).to_have_count(2)
    jonathan = page.locator('[data-person][data-name="Jonathan Park"]')
    expect(jonathan.locator(".person__reach")).to_have_text("jon@acme.test")

    mia = page.locator('[data-person][data-name="Mia Chen"]')
    mia.get_by_role("button", name="Remove", exact=True).click()
    mia.get_by_role("button", name="Cancel").click()
    expect(mia.locator("[data-confirm]")).to_be_hidden()
    mia.get_by_role("button", name="Remove", exact=True).click()
    mia.get_by_role("button", name="Yes, remove").click()
    expect(page.locator("[data-person]")).to_have_count(1)
    page.fill("#network-q", "acme.test")
    expect(page.locator("[data-network-list] .network-list__summary")).to_have_text("1 person matches.")
    assert sorted(Person.objects.filter(owner=alice).values_list("name", flat=True)) == ["Jonathan Park"]
    assert console.real_errors(allow_status=(400,)) == [] and console.dialogs == []
    context.close()
