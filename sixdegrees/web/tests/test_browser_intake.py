"""Intake and dashboard details in Chromium: retry after a network failure, the server's field
errors next to their fields, choosing another path, and the preview dialog's focus trap."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from sixdegrees.campaigns.models import Campaign
from sixdegrees.conftest import INTAKE, post_json
from sixdegrees.web.tests.browser import Console, new_context, session_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]


def fill_intake(page, **changes) -> None:
    for name, value in {**INTAKE, **changes}.items():
        page.locator(f"#id_{name}").fill(value)


def test_a_network_failure_can_be_retried(browser, live_server):
    context = new_context(browser, live_server)
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(live_server.url + "/intake")
    fill_intake(page)
    page.route("**/api/intake", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Find my path").click()
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    expect(page.locator("[data-retry-message]")).to_have_text(
        "We could not reach SixDegrees. Check your connection and try again."
    )
    expect(retry).to_be_focused()
    page.unroute("**/api/intake")
    retry.click()
    expect(page).to_have_url(re.compile(r"/dashboard\?campaign=camp_"))
    assert Campaign.objects.count() == 1
    errors = [e for e in console.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert not errors, errors
    context.close()


def test_the_servers_field_errors_appear_next_to_their_fields(browser, live_server):
    context = new_context(browser, live_server, language="zh-hans")
    page = context.new_page()
    page.goto(live_server.url + "/intake")
    fill_intake(page, user_email="alice@localhost-without-dot")  # the browser accepts it, the server does not
    page.get_by_role("button", name="寻找引荐路径").click()
    expect(page.locator("#user_email-error")).to_have_text("请输入有效的邮箱地址，例如 name@example.com。")
    expect(page.locator("#id_user_email")).to_be_focused()
    expect(page.locator("[data-status]")).to_have_text("请检查标出的字段。")
    assert not Campaign.objects.exists()
    context.close()


def test_choosing_another_path_and_the_dialog_keeps_focus(browser, live_server, alice):
    client = Client()
    client.force_login(alice)
    campaign_id = post_json(client, "/api/intake", INTAKE).json()["campaign_id"]
    context = new_context(browser, live_server, session=session_for(alice))
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(live_server.url + f"/dashboard?campaign={campaign_id}")
    page.evaluate("window.__samePage = true")

    second = page.locator(".path").nth(1)
    second.get_by_role("button", name="Use this path").click()
    expect(page.locator(".path").nth(1)).to_have_class(re.compile(r"path--selected"))
    expect(page.locator(".path").nth(1).locator(".pill")).to_have_text("Chosen")
    assert Campaign.objects.get(id=campaign_id).selected_path == 1
    assert page.evaluate("window.__samePage") is True

    # Tab and Shift+Tab stay inside the open dialog.
    page.locator(".hop").first.get_by_role("button", name="Preview").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('email-modal').contains(document.activeElement)")
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.getElementById('email-modal').contains(document.activeElement)")
    dialog.get_by_role("button", name="Close").last.click()
    expect(dialog).to_be_hidden()
    assert not console.errors, console.errors
    context.close()
