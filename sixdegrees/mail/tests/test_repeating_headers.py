"""The policy that parses and folds a repeated header once writes the very bytes the email
package writes without it, keeps refusing header injection, and leaves a parsed message's own
folding alone."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

import pytest

from sixdegrees.mail import build

PLAIN = policy.SMTP.clone(cte_type="7bit")
NAMES = ["陈爱丽 Alice Chen", 'Alice "Al" Chen, PhD', "", "Zoë Ångström", "A" * 90]
SUBJECTS = [
    "想请您帮忙引荐 — a quick intro?",
    "Introduction",
    "A very long subject line that goes on and on well past the seventy-eight characters a line may have",
    "混合 mixed 言語 " * 12,
]


def build_with(which: policy.EmailPolicy, monkeypatch: pytest.MonkeyPatch, n: int) -> bytes:
    monkeypatch.setattr(build, "POLICY", which)
    message = build.compose(
        from_name=NAMES[n % len(NAMES)],
        from_address="alice@example.org",
        to_name=NAMES[(n + 1) % len(NAMES)],
        to_address=f"p{n}@example.org",
        subject=SUBJECTS[n % len(SUBJECTS)],
        body="王小明您好：\n\n我是陈爱丽。能否帮忙引荐？\n\n谢谢！\n爱丽\n",
        message_id=f"<email_{n}.abc@example.org>",
        reply_to="replies@example.org" if n % 2 else "",
        unsubscribe_url=f"https://sixdegrees.example/unsubscribe/{n}",
        html="<p>王小明您好</p>" if n % 3 == 0 else "",
    )
    return message.as_bytes()


def test_the_bytes_are_the_same_as_without_the_cache_even_the_second_time(monkeypatch):
    cached = build.RepeatingHeadersPolicy(linesep="\r\n", cte_type="7bit")
    for n in range(2 * len(NAMES) * len(SUBJECTS)):  # every header is seen again at least once
        plain_bytes, cached_bytes = (settled(build_with(p, monkeypatch, n)) for p in (PLAIN, cached))
        assert cached_bytes == plain_bytes, n


def settled(message: bytes) -> bytes:
    """The message with what differs on every build (the clock's Date, a random multipart boundary) fixed."""
    message = re.sub(rb"Date: [^\r]*", b"Date: now", message)
    for boundary in re.findall(rb'boundary="([^"]+)"', message):
        message = message.replace(boundary, b"BOUNDARY")
    return message


def test_a_line_break_in_a_repeated_header_is_still_refused():
    with pytest.raises(build.MessageError):
        build.compose(
            from_name="Alice",
            from_address="alice@example.org",
            to_name="Bob",
            to_address="bob@example.org",
            subject="Hello\r\nBcc: everyone@example.org",
            body="Hi",
            message_id="<x@example.org>",
        )


def test_a_parsed_message_keeps_its_own_folding():
    source = b"From: Alice <alice@example.org>\r\nSubject: folded\r\n  by hand\r\n\r\nbody\r\n"
    parsed = email.message_from_bytes(source, _class=EmailMessage, policy=build.POLICY)
    assert parsed.as_bytes(policy=build.POLICY) == email.message_from_bytes(
        source, _class=EmailMessage, policy=PLAIN
    ).as_bytes(policy=PLAIN)
