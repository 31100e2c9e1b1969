"""The Your network page without a browser: who sees it, what it shows, and both languages."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client

from sixdegrees.network.editing import add_typed_in
from sixdegrees.network.models import DuplicateCandidate, Person
from sixdegrees.web.tests.test_i18n import VisibleText, english_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_network(alice):
    _, ana = add_typed_in(alice, {"name": "Ana Lima", "emails": ["ana@stripe.com"], "organisation": "Stripe, Inc."})
    Person.objects.filter(pk=ana.pk).update(
        measured_strength=0.86,
        strength=0.86,
        emails_sent=7,
        emails_received=7,
        last_emailed_at=dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC),
    )
    _, jon = add_typed_in(alice, {"name": "Jonathan Park", "organisation": "Acme"})
    add_typed_in(alice, {"name": "Jon Park", "organisation": "Acme"})
    assert DuplicateCandidate.objects.filter(owner=alice).count() == 1
    return {"ana": ana, "jon": jon}


def signed_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_signed_out_gets_the_sign_in_prompt(client):
    html = client.get("/network").content.decode()

    assert "Sign in to see your network" in html
    assert 'href="/signin?next=/network"' in html
    assert "data-list>" not in html and "data-import-form" not in html
    assert client.get("/network/list").status_code == 401


def test_the_navigation_links_the_page_for_signed_in_people_only(client, alice):
    assert 'href="/network"' not in client.get("/").content.decode()
    assert 'href="/network"' in signed_in(alice).get("/").content.decode()


def test_the_page_shows_people_with_their_evidence_and_the_review_queue(alice, alices_network):
    html = signed_in(alice).get("/network").content.decode()

    assert html.index("Ana Lima") < html.index("Jonathan Park")  # strongest first
    assert "14 emails, both ways, last on 3 Nov 2026" in html
    assert "measured from your mail" in html
    assert "Typed in" in html
    assert "Review possible duplicates" in html and "Same person: merge" in html
    assert "3 people" in html


def test_the_page_shows_only_the_owners_network(bob, alices_network):
    html = signed_in(bob).get("/network").content.decode()

    assert "Ana Lima" not in html and "Jon Park" not in html
    assert "Nobody here yet" in html


def test_filters_work_without_javascript(alice, alices_network):
    client = signed_in(alice)

    by_org = client.get("/network", {"org": "acme"}).content.decode()
    by_search = client.get("/network/list", {"q": "ana@stripe"}).content.decode()
    strong = client.get("/network/list", {"strength": "strong"}).content.decode()

    assert "Jonathan Park" in by_org and "Ana Lima" not in by_org.split("data-list")[1]
    assert "Ana Lima" in by_search and "Jon Park" not in by_search
    assert "Ana Lima" in strong and "Jon Park" not in strong
    assert "1 person matches." in strong


def test_the_chinese_page_has_no_english_ui_left(alice, alices_network):
    html = signed_in(alice, "zh-hans").get("/network").content.decode()
    parser = VisibleText()
    parser.feed(html)
    patterns = english_patterns()
    leaks = [
        (text, msgid)
        for text in (" ".join(t.split()) for t in parser.texts)
        if text
        for msgid, pattern in patterns
        if pattern.match(text)
    ]

    assert not leaks, leaks
    assert "14 封邮件，双向往来，最近一次在 2026年11月3日" in html
    assert "根据您的邮件统计" in html
    assert "共 3 位联系人，按关系强度从高到低排列。" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "2 people, strongest first. 1 hidden person is not listed."),
        ("zh-hans", "另有 1 位已隐藏的联系人未列出。"),
    ],
)
def test_the_list_says_why_it_is_shorter_than_the_head_count(alice, alices_network, language, words):
    Person.objects.filter(pk=alices_network["jon"].pk).update(hidden=True)
    html = signed_in(alice, language).get("/network").content.decode()

    assert words in html
    assert "Jonathan Park" not in signed_in(alice).get("/network/list").content.decode()
    assert "hidden" not in signed_in(alice).get("/network/list", {"q": "Ana"}).content.decode().split("</p>")[0]


def test_the_page_has_one_label_per_control(alice, alices_network):
    class Controls(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids: list[str] = []
            self.labels: set[str] = set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
                self.ids.append(attrs.get("id", ""))
            if tag == "label":
                self.labels.add(attrs.get("for", ""))

    controls = Controls()
    controls.feed(signed_in(alice).get("/network").content.decode())

    assert controls.ids and all(controls.ids)
    assert len(controls.ids) == len(set(controls.ids))  # unique ids
    assert set(controls.ids) <= controls.labels
