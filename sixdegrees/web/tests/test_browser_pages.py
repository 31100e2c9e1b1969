"""Every page in a real browser, in both languages, at desktop and phone widths: screenshots
under test-artifacts/, no console errors (CSP refusals included), no serious axe violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.web.tests.browser import Console, new_context, run_axe, screenshot, session_for
from sixdegrees.web.views import server_error

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

PAGES = [
    ("landing", "/", 200),
    ("intake", "/intake", 200),
    ("dashboard", "/dashboard?campaign={cid}", 200),
    ("connections", "/dashboard?campaign={cid}&tab=connections", 200),
    ("credits", "/dashboard?campaign={cid}&tab=credits", 200),
    ("settings", "/dashboard?campaign={cid}&tab=settings", 200),
    ("campaigns", "/dashboard", 200),
    ("signin", "/signin", 200),
    ("signin-code", "/signin?email=alice%40example.com&step=code", 200),
    ("signin-link", "/signin/link/not-a-real-token", 200),
    ("privacy", "/privacy", 200),
    ("contact", "/contact", 200),
    ("not-found", "/no-such-page", 404),
    ("campaign-missing", "/dashboard?campaign=camp_doesnotexist", 404),
]
AXE_PAGES = {"landing", "intake", "dashboard", "settings"}


@pytest.fixture
def alice_world(alice):
    """Alice, signed in, with a campaign under way: the first email sent 5 h ago, a reply elsewhere."""
    client = Client()
    client.force_login(alice)
    campaign_id = post_json(client, "/api/intake", INTAKE).json()["campaign_id"]
    first = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    EmailOutreach.objects.filter(pk=first.pk).update(
        recipient_email="founder@example.org",
        status=EmailOutreach.Status.SENT,
        queued_at=timezone.now() - dt.timedelta(hours=5, minutes=20),
        sent_at=timezone.now() - dt.timedelta(hours=5, minutes=12),
    )
    Campaign.objects.filter(pk=campaign_id).update(status=Campaign.Status.IN_PROGRESS)
    other = post_json(
        client, "/api/intake", {**INTAKE, "target_name": "王小明", "target_company": "清华大学 教授"}
    ).json()["campaign_id"]
    replied = EmailOutreach.objects.filter(campaign_id=other).order_by("hop").first()
    EmailOutreach.objects.filter(pk=replied.pk).update(
        recipient_email="li@example.cn",
        status=EmailOutreach.Status.REPLIED,
        sent_at=timezone.now() - dt.timedelta(days=1),
        replied_at=timezone.now() - dt.timedelta(hours=3),
        reply_text="Happy to introduce you. I have copied Wang on this email.",
        reply_intent="intro",
    )
    Campaign.objects.filter(pk=other).update(status=Campaign.Status.IN_PROGRESS)
    CreditTransaction.objects.create(user=alice, amount=1, transaction_type="grant", reason="Welcome credit")
    CreditTransaction.objects.create(user=alice, amount=-1, transaction_type="usage", campaign_id=campaign_id)
    return {"campaign_id": campaign_id, "session": session_for(alice)}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_page_renders_cleanly(browser, live_server, alice_world, language, viewport):
    context = new_context(browser, live_server, language=language, viewport=viewport, session=alice_world["session"])
    problems = []
    for name, path, status in PAGES:
        page = context.new_page()
        console = Console()
        console.attach(page)
        response = page.goto(live_server.url + path.format(cid=alice_world["campaign_id"]))
        assert response.status == status, (name, response.status)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"{name}-{language}-{viewport}")
        errors = console.real_errors(allow_status=(status,) if status != 200 else ())
        if errors:
            problems.append((name, errors))
        if name in AXE_PAGES:
            violations = run_axe(page)
            if violations:
                problems.append((name, violations))
        assert not console.dialogs, (name, console.dialogs)
        page.close()
    # The friendly 500 page, served in place of a page that failed.
    page = context.new_page()
    console = Console()
    console.attach(page)
    with translation.override(language):
        html = server_error(type("R", (), {"path": "/boom"})()).content.decode()
    page.route(
        live_server.url + "/boom",
        lambda route: route.fulfill(status=500, body=html, content_type="text/html; charset=utf-8"),
    )
    page.goto(live_server.url + "/boom")
    page.wait_for_load_state("networkidle")
    screenshot(page, f"server-error-{language}-{viewport}")
    assert not console.real_errors(allow_status=(500,))
    context.close()
    assert not problems, problems


SCRIPT_NAME = "<script>alert(1)</script>"


@pytest.mark.parametrize("target", [SCRIPT_NAME, "王小明"])
def test_a_target_name_is_only_ever_text(browser, live_server, alice, target):
    """Whatever a person types as a name shows as text on every page, in drafts too; nothing runs."""
    client = Client()
    client.force_login(alice)
    response = post_json(client, "/api/intake", {**INTAKE, "target_name": target, "target_reason": f"Meet {target}."})
    campaign_id = response.json()["campaign_id"]
    EmailOutreach.objects.filter(campaign_id=campaign_id).update(status="sent", sent_at=timezone.now())
    context = new_context(browser, live_server, session=session_for(alice))
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.add_init_script("window.alert = () => { window.__alerted = true; };")
    urls = [
        f"/dashboard?campaign={campaign_id}",
        f"/dashboard?campaign={campaign_id}&tab=connections",
        f"/dashboard/live?campaign={campaign_id}",
        "/dashboard",
    ]
    for path in urls:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        text = page.locator("body").inner_text()
        assert target in text, path
        assert page.evaluate("window.__alerted === undefined"), path
        assert page.locator("script:not([src]):not([type='application/json'])").count() == 0, path
    # The drafts quote the reason, and the preview shows it as text as well.
    page.goto(live_server.url + f"/dashboard?campaign={campaign_id}")
    page.locator("[data-preview]").first.click()
    body = page.locator("[data-m-body]").inner_text()
    assert "<" not in body or target in body
    assert page.locator("[data-m-body] script").count() == 0
    assert not console.dialogs and not console.errors, (console.dialogs, console.errors)
    context.close()
