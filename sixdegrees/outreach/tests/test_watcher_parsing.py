"""Reading incoming mail without a server: bounces, automatic replies, return dates, reply text."""

from __future__ import annotations

import datetime as dt

import pytest

from sixdegrees.outreach import parsing
from sixdegrees.outreach.tests import mail_samples as mail

ORIGINAL = "<email_abc.123@example.test>"


def test_an_rfc_3464_report_is_a_hard_bounce_with_the_servers_words():
    incoming = parsing.read(mail.dsn_bounce(original_message_id=ORIGINAL, recipient="gone@example.org"))
    bounce = incoming.bounce
    assert incoming.kind == "bounce" and bounce.hard and not bounce.delayed
    assert (bounce.status, bounce.recipients, bounce.original_message_id) == ("5.1.1", ["gone@example.org"], ORIGINAL)
    assert bounce.reason == "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown"


def test_gmails_delivery_status_notification_is_recognised():
    incoming = parsing.read(mail.gmail_bounce(original_message_id=ORIGINAL, recipient="nobody@example.org"))
    assert incoming.kind == "bounce" and incoming.from_address == "mailer-daemon@googlemail.com"
    assert incoming.bounce.hard and incoming.bounce.status == "5.1.1"
    assert incoming.bounce.recipients == ["nobody@example.org"] and incoming.bounce.original_message_id == ORIGINAL
    assert "does not exist" in incoming.bounce.reason


def test_gmails_older_plain_text_bounce_is_recognised():
    incoming = parsing.read(mail.old_gmail_bounce(original_message_id=ORIGINAL, recipient="old@example.org"))
    assert incoming.kind == "bounce" and incoming.bounce.hard
    assert incoming.bounce.recipients == ["old@example.org"] and incoming.bounce.original_message_id == ORIGINAL


def test_a_delay_warning_is_not_a_bounce_and_a_policy_refusal_is_not_hard():
    delayed = parsing.read(
        mail.dsn_bounce(
            original_message_id=ORIGINAL,
            recipient="slow@example.org",
            status="4.4.1",
            diagnostic="smtp; 451 4.4.1 later",
        )
    ).bounce
    assert delayed.delayed and not delayed.hard
    refused = parsing.read(
        mail.dsn_bounce(
            original_message_id=ORIGINAL,
            recipient="picky@example.org",
            status="5.7.1",
            diagnostic="smtp; 550 5.7.1 Message rejected as spam",
        )
    ).bounce
    assert not refused.delayed and not refused.hard  # the address is fine; it stays emailable


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "auto_reply"},
    ],
)
def test_automatic_replies_by_header(headers):
    raw = mail.out_of_office(
        in_reply_to=ORIGINAL, from_name="Bob", from_address="bob@example.org", subject="Re: hi", headers=headers
    )
    assert parsing.read(raw).kind == "auto_reply"


@pytest.mark.parametrize("subject", ["Out of Office: hi", "Automatic reply: hi", "自动回复：你好", "Auto: hi"])
def test_automatic_replies_by_subject(subject):
    raw = mail.out_of_office(
        in_reply_to=ORIGINAL, from_name="Bob", from_address="bob@example.org", subject=subject, headers={}
    )
    assert parsing.read(raw).kind == "auto_reply"


def test_auto_submitted_no_is_a_person():
    raw = mail.reply(
        in_reply_to=ORIGINAL,
        from_name="Bob",
        from_address="bob@example.org",
        text="Yes!",
        headers={"Auto-Submitted": "no"},
    )
    assert parsing.read(raw).kind == "reply"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on December 3.", dt.date(2026, 12, 3)),
        ("Returning Dec. 3rd, 2026 with limited access.", dt.date(2026, 12, 3)),
        ("I am away until 3 December.", dt.date(2026, 12, 3)),
        ("Back on January 5, happy new year.", dt.date(2027, 1, 5)),
        ("我12月3日回来。", dt.date(2026, 12, 3)),
        ("休假至12月3日，期间回复较慢。", dt.date(2026, 12, 3)),
        ("2026年12月3日返回办公室。", dt.date(2026, 12, 3)),
        ("I am out of the office this week.", None),
    ],
)
def test_return_dates(text, expected):
    assert parsing.return_date(text, dt.date(2026, 12, 1)) == expected


def test_reply_text_drops_quoted_history_and_signature():
    raw = mail.reply(
        in_reply_to=ORIGINAL,
        from_name="Bob Smith",
        from_address="bob@example.org",
        text="Happy to help!\n- I know Jane\n- I'll cc her\n\nBest,\nBob\n\nSent from my iPhone",
    )
    assert parsing.read(raw).text == "Happy to help!\n- I know Jane\n- I'll cc her"


@pytest.mark.parametrize(
    "history",
    [
        "\n\n-----Original Message-----\nFrom: Alice\nSent: Monday\nHi",
        "\n\n------------------ 原始邮件 ------------------\n发件人: Alice\n发送时间: 周一\n你好",
        "\n\n发件人：Alice <sender@example.test>\n发送时间：2026年12月1日 10:00\n主题：帮忙",
        "\n\nAlice Chen <sender@example.test> 于2026年12月1日周一 10:00写道：\n> 你好",
    ],
)
def test_reply_text_cuts_outlook_and_chinese_client_history(history):
    assert parsing.reply_text("好的，我来介绍。" + history) == "好的，我来介绍。"


def test_html_only_replies_lose_the_gmail_quote():
    html = '<div dir="ltr">Sure, happy to!<br></div><div class="gmail_quote">On Mon… wrote:<blockquote>Hi</blockquote></div>'
    assert parsing.reply_text(parsing.html_to_text(html)) == "Sure, happy to!"


@pytest.mark.parametrize(
    "subject",
    ["Re: A small favour", "RE: Fwd: a small  favour", "回复：A small favour", "答复: [External] A small favour"],
)
def test_thread_subjects_compare_equal(subject):
    assert parsing.normalize_subject(subject) == parsing.normalize_subject("A small favour")


def test_a_message_without_message_id_gets_a_stable_one():
    raw = mail.unrelated().replace(b"Message-ID:", b"X-Old-ID:")
    assert parsing.read(raw).message_id == parsing.read(raw).message_id.strip()
    assert parsing.read(raw).message_id.endswith("@no-message-id.invalid>")
