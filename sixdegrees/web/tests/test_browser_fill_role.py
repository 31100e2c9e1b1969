"""In Chromium: "I know who this is" on a step still to find, filled from the network.

Alice, signed in, has a plan whose first step is someone to find. She searches her network from
that step, picks Ravi, and the draft's To and greeting change; in English and in Chinese, with no
console errors and no serious axe violations.
"""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from sixdegrees.campaigns.tests.test_network_plans import add_person
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.web.tests.browser import Console, new_context, run_axe, screenshot, session_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

WORDS = {
    "en": {"fill": "I know who this is", "search": "Search your network", "choose": "Choose Ravi Menon"},
    "zh-hans": {"fill": "我知道这是谁", "search": "在您的人脉中搜索", "choose": "选择Ravi Menon"},
}
GREETING = {"en": "Hi Ravi,", "zh-hans": "Ravi，您好！"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_fill_a_step_from_the_network_and_see_the_draft_change(browser, live_server, alice, language):
    add_person(alice, "Ravi Menon", "ravi@menon.bakery", "Menon Bakery", "Baker", 0.7)
    client = Client()
    client.force_login(alice)
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"} if language == "zh-hans" else {}
    campaign_id = post_json(client, "/api/intake", INTAKE, **headers).json()["campaign_id"]
    draft = EmailOutreach.objects.get(campaign_id=campaign_id, hop=1)
    assert draft.recipient_email == ""

    context = new_context(browser, live_server, language=language, session=session_for(alice))
    page = context.new_page()
    page.set_default_timeout(15000)
    console = Console()
    console.attach(page)
    # The live server shares this test's database: route requests through this thread, so the
    # page's polls reach the server only while the test waits inside a Playwright call.
    page.route("**/*", lambda route: route.continue_())
    page.goto(live_server.url + f"/dashboard?campaign={campaign_id}")
    words = WORDS[language]

    hop = page.locator(f'[data-email-id="{draft.id}"]')
    expect(hop.locator("[data-fill-role]")).to_be_visible()
    hop.get_by_text(words["fill"]).click()
    hop.get_by_label(words["search"]).press_sequentially("Ravi")
    choose = hop.get_by_role("button", name=words["choose"])
    expect(choose).to_be_visible(timeout=15000)  # the search waits for a pause in typing
    violations = run_axe(page)
    assert violations == [], violations
    choose.click()

    hop = page.locator(f'[data-email-id="{draft.id}"]')
    expect(hop.locator(".hop__meta dd").first).to_have_text("ravi@menon.bakery", timeout=15000)
    expect(hop.locator(".hop__name")).to_have_text("Ravi Menon")
    expect(hop.locator(".hop__excerpt")).to_contain_text(GREETING[language])
    expect(hop.locator("[data-fill-role]")).to_have_count(0)
    screenshot(page, f"fill-role-{language}")
    assert run_axe(page) == []
    assert console.real_errors() == []
    draft.refresh_from_db()
    assert draft.recipient_email == "ravi@menon.bakery" and draft.body.startswith(GREETING[language])
    context.close()
