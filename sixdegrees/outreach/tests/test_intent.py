"""The rule-based reply classifier, in English and Chinese."""

from __future__ import annotations

import pytest

from sixdegrees.outreach.intent import classify

OURS = ("sender@example.test",)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Happy to introduce you to Jane! I'll send an email today.", "yes"),
        ("Sure, cc'ing Jane here.", "yes"),
        ("No problem, happy to help.", "yes"),
        ("Thanks for reaching out, happy to chat next week.", "yes"),
        ("好的，我来介绍", "yes"),
        ("没问题，我转发给她。", "yes"),
        ("Happy to help - can you send me a short blurb I can forward?", "blurb"),
        ("Sure, send me a blurb.", "blurb"),
        ("可以，发我一段简介，我转给她。", "blurb"),
        ("Not right now, I'm swamped. Maybe next quarter.", "not_now"),
        ("Ping me again next month.", "not_now"),
        ("最近太忙了，以后再说吧。", "not_now"),
        ("Sorry, I don't know her well enough to make an intro.", "no"),
        ("Unfortunately I can't help with this one.", "no"),
        ("No, thanks.", "no"),
        ("抱歉，我帮不了这个忙。", "no"),
        ("Please stop emailing me.", "stop"),
        ("Unsubscribe", "stop"),
        ("Don't contact me again.", "stop"),
        ("请不要再联系我。", "stop"),
        ("退订", "stop"),
        ("I'm on vacation until December 3.", "out_of_office"),
        ("I'm not sure I'm the right person.", "unclear"),
        ("Who are you?", "unclear"),
        ("Thanks for reaching out.", "unclear"),
        ("", "unclear"),
    ],
)
def test_intents(text, intent):
    assert classify(text, exclude_emails=OURS).intent == intent


@pytest.mark.parametrize(
    ("text", "name", "address"),
    [
        (
            "I'm not the right person, but you should ask Carol Lee (carol@example.org) instead.",
            "Carol Lee",
            "carol@example.org",
        ),
        ("You should talk to Carol Lee, she knows Jane much better.", "Carol Lee", ""),
        ("Try my colleague Dan Wu <dan.wu@example.org>, he runs that team.", "Dan Wu", "dan.wu@example.org"),
        ("你可以找李明（liming@example.cn），他和她更熟。", "李明", "liming@example.cn"),
        ("我不太熟，你可以找李明试试。", "李明", ""),
    ],
)
def test_ask_someone_else_names_them(text, name, address):
    result = classify(text, exclude_emails=OURS)
    assert (result.intent, result.other_name, result.other_email) == ("ask_other", name, address)


def test_our_own_address_is_never_the_other_person():
    result = classify("You could email me at sender@example.test instead, or ask Carol.", exclude_emails=OURS)
    assert result.intent == "ask_other" and result.other_email == "" and result.other_name == "Carol"
