"""Unsubscribe links: no login, the recipient's language, RFC 8058 one-click, suppression honoured."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach import sender, unsubscribe
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import Suppression
from sixdegrees.outreach.tests.servers import make_campaign, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # as a mail client or a stranger's browser would be


def link_path(row) -> str:
    return unsubscribe.url_for(row.recipient_email, row.id).split("://", 1)[1].split("/", 1)[1]


def test_the_link_in_a_sent_email_works_without_login_in_the_recipients_language(alice, client, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    row = queue_email(make_campaign(alice, language="zh-hans"), recipient_email="Wang@Example.org")
    sender.deliver(row.id)
    message = email.message_from_bytes((tmp_path / f"{row.id}.eml").read_bytes(), policy=policy.default)
    url = str(message["List-Unsubscribe"]).strip("<>")
    assert url.startswith(settings.SITE_URL + "/unsubscribe/")
    path = url[len(settings.SITE_URL) :]

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")  # the campaign's language wins over the browser's
    assert page.status_code == 200
    html = page.content.decode()
    with translation.override("zh-hans"):
        title, done_title = gettext("Stop these emails?"), gettext("You are unsubscribed")
        who = gettext(
            "%(sender)s wrote to you through SixDegrees, a service that helps people ask for introductions."
        ) % {"sender": "陈爱丽 Alice Chen"}
    assert '<html lang="zh-hans">' in html and title in html and who in html and "wang@example.org" in html
    assert not Suppression.objects.exists()  # looking is not unsubscribing

    done = client.post(path)
    assert done.status_code == 200 and done_title in done.content.decode()
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == ("wang@example.org", "unsubscribed")
    assert row.id in suppression.detail


def test_the_page_speaks_english_to_an_english_campaigns_recipient(alice, client):
    row = queue_email(make_campaign(alice, language="en"))
    html = client.get("/" + link_path(row)).content.decode()
    assert '<html lang="en">' in html and "Stop these emails?" in html


def test_one_click_unsubscribe_from_a_mail_client(alice, client):
    row = queue_email(make_campaign(alice))
    response = client.post(
        "/" + link_path(row), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Suppression.is_suppressed(row.recipient_email)
    assert "one-click" in Suppression.objects.get().detail
    assert client.post("/" + link_path(row)).status_code == 200  # twice is fine
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("token", ["nonsense", unsubscribe.make_token("a@example.org") + "x"])
def test_a_forged_or_damaged_link_changes_nothing(client, token):
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert not Suppression.objects.exists()


def test_a_link_without_an_email_still_unsubscribes_the_address(client):
    token = unsubscribe.make_token("Someone@Example.org")
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert Suppression.is_suppressed("someone@example.org")


def test_after_unsubscribing_approval_and_the_sender_both_refuse(alice, client, settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path
    campaign = make_campaign(alice)
    queued = queue_email(campaign)  # approved before the click
    client.post("/" + link_path(queued))
    draft = queue_email(campaign, status="draft", queued_at=None, next_attempt_at=None)
    with pytest.raises(BadRequest) as refused:
        approve(draft, alice)
    assert refused.value.status == 403
    assert sender.deliver(queued.id).failed == 1
    queued.refresh_from_db()
    assert queued.status == "failed" and "asked not to be contacted" in queued.error_message
    assert not list(tmp_path.glob("*.eml"))
