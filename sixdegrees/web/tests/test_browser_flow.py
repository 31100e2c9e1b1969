"""The whole journey in Chromium, as a person would take it, in Chinese:

landing → 中文 → intake (blocked when empty, counters, 500-character limit, typed input kept across
a language switch) → submit → the dashboard shows the plan being made, then updates itself →
sign in with the emailed code → preview, edit and send an email → the sender delivers it to a
local SMTP server → Connections shows it sent → tabs by keyboard → reload keeps the language →
delete the account.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sixdegrees.accounts.models import User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns import planning
from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach import sender
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.servers import SMTP_USER, make_mailbox
from sixdegrees.web.tests.browser import Console, new_context, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

NEW_SUBJECT = "能否请您引荐我认识王小明先生？"
INTAKE = {
    "user_name": "陈爱丽",
    "user_email": "aili@example.com",
    "user_background": "气候科技创业公司创始人，曾任 Stripe 机器学习工程师。",
    "target_name": "王小明",
    "target_company": "红杉资本合伙人",
    "target_reason": "我们正在进行 A 轮融资，王先生去年主导了两笔气候领域的投资。",
}


def hold_requests_while_python_works(page) -> None:
    """Route every request through this thread.

    The live server shares the test's in-memory SQLite connection. Playwright only runs route
    handlers while this thread waits inside a Playwright call, so the page's timed polls cannot
    reach the server while the test itself is using the database.
    """
    page.route("**/*", lambda route: route.continue_())


@pytest.fixture
def planning_paused(monkeypatch):
    """Intake queues the plan but nothing makes it, so the test can watch the "making" state."""
    monkeypatch.setattr("sixdegrees.campaigns.tasks.plan_campaign", lambda campaign_id: None)


def test_the_whole_journey_in_chinese(browser, live_server, planning_paused, mailoutbox, smtp_server):
    context = new_context(browser, live_server)
    page = context.new_page()
    page.set_default_timeout(15000)
    console = Console()
    console.attach(page)
    hold_requests_while_python_works(page)
    url = live_server.url

    # Landing, in English first; the toggle switches it to Chinese and stays on the page.
    page.goto(url + "/")
    expect(page.locator("h1")).to_have_text("Get a reply from anyone, through people who know them.")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("通过认识对方的人，得到任何人的回复。")
    screenshot(page, "flow-01-landing-zh-hans")

    # Intake: nothing can be sent while it is empty.
    page.locator(".hero").get_by_role("link", name="发起活动").click()
    expect(page).to_have_url(re.compile(r"/intake$"))
    submit = page.get_by_role("button", name="寻找引荐路径")
    expect(submit).to_be_disabled()
    expect(page.locator("[data-progress-label]")).to_have_text("已填写 0/6")
    page.locator("#id_user_name").press("Enter")  # implicit submission: blocked too
    expect(page).to_have_url(re.compile(r"/intake$"))
    page.locator("#id_user_name").press("Tab")  # leaving a field empty says what is missing
    expect(page.locator("#user_name-error")).to_have_text("请填写“您的姓名”。")
    expect(page.locator("#id_user_name")).to_have_attribute("aria-invalid", "true")

    # Counters and progress move as the person types.
    page.locator("#id_user_name").press_sequentially(INTAKE["user_name"])
    expect(page.locator("#user_name-count")).to_have_text("3/50")
    expect(page.locator("[data-progress-label]")).to_have_text("已填写 1/6")
    expect(page.locator("#user_name-error")).to_be_hidden()
    page.locator("#id_user_email").fill(INTAKE["user_email"])

    # A 501st character is refused.
    background = page.locator("#id_user_background")
    background.fill("好" * 500)
    expect(page.locator("#user_background-count")).to_have_text("500/500")
    background.press("End")
    background.press_sequentially("多")
    assert len(background.input_value()) == 500
    background.fill(INTAKE["user_background"])

    # Switching the language keeps what was typed.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_user_name")).to_have_value(INTAKE["user_name"])
    expect(page.locator("#id_user_background")).to_have_value(INTAKE["user_background"])
    expect(page.locator("[data-progress-label]")).to_have_text("3/6 answered")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#id_user_email")).to_have_value(INTAKE["user_email"])

    for name in ("target_name", "target_company", "target_reason"):
        page.locator(f"#id_{name}").fill(INTAKE[name])
    expect(page.locator("[data-progress-label]")).to_have_text("已填写 6/6")
    expect(submit).to_be_enabled()
    screenshot(page, "flow-02-intake-filled-zh-hans")
    submit.click()

    # The dashboard shows the plan being made…
    expect(page).to_have_url(re.compile(r"/dashboard\?campaign=camp_"))
    campaign_id = page.url.split("campaign=")[1]
    badge = page.locator("[data-status-badge]")
    expect(badge).to_have_text("分析中")
    expect(page.locator(".planning h2")).to_have_text("正在制定方案")
    screenshot(page, "flow-03-dashboard-planning-zh-hans")
    page.evaluate("window.__samePage = true")

    # …and updates itself, without a reload, once the worker has made it.
    assert planning.run_plan(campaign_id) == "ready"
    expect(badge).to_have_text("准备就绪", timeout=10000)
    expect(page.locator(".hop")).to_have_count(2)
    assert page.evaluate("window.__samePage") is True
    expect(page.locator("[data-announce]")).to_have_text("您的方案已就绪。")

    # Sending needs a confirmed address: sign in with the code from the email.
    box = page.locator(".signin-box")
    expect(box).to_be_visible()
    [message] = [m for m in mailoutbox if m.to == [INTAKE["user_email"]]]
    code = re.search(r"\b(\d{6})\b", message.subject).group(1)
    box.get_by_label("登录验证码").fill("000000" if code != "000000" else "111111")
    box.get_by_role("button", name="确认").click()  # POST /api/auth/verify, answered in place
    expect(page.locator("#confirm-code-error")).to_have_text("验证码不正确或已过期，请重新获取。")
    box.get_by_label("登录验证码").fill(code)
    box.get_by_role("button", name="确认").click()
    expect(page.locator(".signin-box")).to_have_count(0)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    user = User.objects.get(email=INTAKE["user_email"])
    assert user.email_verified
    make_mailbox(user, smtp_server, display_name=INTAKE["user_name"])

    # Preview the first email; Esc closes the dialog and gives focus back.
    first_hop = page.locator(".hop").first
    preview = first_hop.get_by_role("button", name="预览")
    preview.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    first = EmailOutreach.objects.filter(campaign_id=campaign_id).order_by("hop").first()
    expect(dialog.locator("[data-m-subject]")).to_have_text(first.subject)
    expect(dialog.locator("[data-m-body]")).to_have_text(first.body)
    screenshot(page, "flow-04-preview-zh-hans")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(preview).to_be_focused()

    # Edit it in place (saved with PATCH), then send it as it is now.
    preview.click()
    dialog.get_by_role("button", name="编辑").click()
    dialog.get_by_label("主题").fill(NEW_SUBJECT)
    dialog.get_by_role("button", name="保存修改").click()
    expect(dialog.locator("[data-m-status]")).to_have_text("已保存。")
    expect(dialog.locator("[data-m-subject]")).to_have_text(NEW_SUBJECT)
    first.refresh_from_db()
    assert first.subject == NEW_SUBJECT and first.status == "draft"
    dialog.get_by_role("button", name="直接发送").click()
    expect(dialog.locator("#m-send-to-error")).to_have_text("发送前请填写收件人的邮箱地址。")
    dialog.get_by_label("对方的邮箱地址").fill("founder@example.org")
    screenshot(page, "flow-05-send-zh-hans")
    dialog.get_by_role("button", name="直接发送").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-announce]")).to_have_text("已批准，邮件正在排队发送。")
    expect(first_hop.locator(".pill")).to_have_text("排队中")
    expect(page.locator(".chain--h .chain__node--queued")).to_have_count(1)
    first.refresh_from_db()
    assert first.status == "queued" and first.recipient_email == "founder@example.org"
    assert Campaign.objects.get(id=campaign_id).status == "in_progress"

    # The worker's sender delivers it to the connected mailbox's SMTP server.
    assert sender.deliver(first.id).sent == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["founder@example.org"] and received.mail_from == SMTP_USER
    assert received.message["Subject"] == NEW_SUBJECT

    # Tabs by keyboard; Connections shows it sent after a refresh, and filters work.
    page.get_by_role("tab", name="您的活动").focus()
    page.keyboard.press("ArrowRight")
    connections = page.get_by_role("tab", name="联系记录")
    expect(connections).to_be_focused()
    expect(connections).to_have_attribute("aria-selected", "true")
    panel = page.locator("#panel-connections")
    expect(panel).to_be_visible()
    expect(page.locator("#panel-campaign")).to_be_hidden()
    page.get_by_role("button", name="刷新").click()
    row = panel.locator(".connection").first
    expect(row.locator(".pill")).to_have_text("已发送")
    panel.get_by_role("button", name="已发送").click()
    expect(panel.locator(".connection:visible")).to_have_count(1)
    row.locator("summary").click()
    expect(row.locator(".email-text")).to_contain_text("王小明")
    screenshot(page, "flow-06-connections-zh-hans")

    page.get_by_role("tab", name="积分与付款").click()
    expect(page.locator("#panel-credits")).to_contain_text("可用积分")
    page.get_by_role("tab", name="积分与付款").press("End")
    expect(page.get_by_role("tab", name="设置")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"tab=settings"))

    # A reload keeps the language (cookie) and the tab (address).
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("tab", name="设置")).to_have_attribute("aria-selected", "true")
    screenshot(page, "flow-07-settings-zh-hans")

    # Delete the account: data goes, the ledger stays, anonymised.
    CreditTransaction.objects.create(user=user, amount=-1, transaction_type="usage", campaign_id=campaign_id)
    settings_panel = page.locator("#panel-settings")
    settings_panel.get_by_label("请输入您的邮箱地址以确认").fill(INTAKE["user_email"])
    settings_panel.get_by_role("button", name="删除我的账户").click()
    expect(page.locator(".messages")).to_contain_text("您的账户和活动已删除。")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid" and user.name == "" and not user.is_active
    assert not Campaign.objects.filter(owner=user).exists()
    assert not EmailOutreach.objects.filter(campaign_id=campaign_id).exists()
    assert CreditTransaction.objects.filter(user=user).count() >= 1
    screenshot(page, "flow-08-deleted-zh-hans")

    # The one 400 is the wrong code typed on purpose (Chromium logs every non-2xx response).
    assert not console.real_errors(allow_status=(400,)), console.errors
    assert len(console.errors) <= 1, console.errors
    assert not console.dialogs, console.dialogs
    context.close()
