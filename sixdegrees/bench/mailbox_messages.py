"""A generated mailbox for the scan benchmark: a few thousand messages shaped like a working person's.

Deterministic for a seed. Two years of mail: two-way threads with colleagues and contacts (with
In-Reply-To and References), small group threads with Cc, newsletters (List-Id,
List-Unsubscribe, Precedence: bulk), receipts from no-reply senders, one-way cold emails,
announcements to 30 recipients, display names with accents and Chinese characters written as
RFC 2047 encoded words. Each message is header-heavy and has a short body, as real mail does
(the scan never reads the body).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime, formataddr

NAMES = (
    "Maria Souza", "James Harper", "Priya Raman", "Tomás Ó Briain", "Li Wei", "王小明", "Ana Lima", "Jürgen Becker",
    "Amara Okafor", "Kenji Sato", "Layla Haddad", "Zoë Müller", "Daniel Kim", "Olivia Whitfield", "陈静",
)  # fmt: skip
DOMAINS = ("acme.example", "northwind.example", "contoso.example", "fabrikam.example", "gmail.com", "uni.example")


@dataclass(frozen=True)
class Message:
    folder: str  # "Sent" | "INBOX"
    raw: bytes
    at: dt.datetime


def _address(name: str, address: str) -> str:
    # Non-ASCII display names travel as encoded words, as mail clients write them.
    if name.isascii():
        return formataddr((name, address))
    return f"{Header(name, 'utf-8').encode()} <{address}>"


def _raw(headers: list[tuple[str, str]], body: str = "Thanks, see you then.\r\n") -> bytes:
    lines = [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def messages(owner: str, count: int, now: dt.datetime, seed: int = 5) -> Iterator[Message]:
    """`count` messages, oldest first, all dated in the two years before `now`."""
    rng = random.Random(seed)
    people = [
        (
            name,
            f"{''.join(ch for ch in name.lower() if ch.isascii() and ch.isalpha()) or 'wang'}{n}@{rng.choice(DOMAINS)}",
        )
        for n, name in enumerate(NAMES * 12)
    ]
    start = now - dt.timedelta(days=730)
    step = dt.timedelta(days=729) / max(1, count)
    previous: dict[str, str] = {}
    for n in range(count):
        at = (start + step * n + dt.timedelta(minutes=rng.randrange(60))).replace(microsecond=0)
        message_id = f"<m{n}.{seed}@bench.example>"
        common = [("Date", format_datetime(at)), ("Message-ID", message_id), ("Subject", "Re: plans")]
        kind = rng.random()
        if kind < 0.55:  # a thread with one person, turns taken
            name, address = people[int(rng.paretovariate(1.1)) % len(people)]
            mine = rng.random() < 0.45
            headers = [
                ("From", owner if mine else _address(name, address)),
                ("To", _address(name, address) if mine else owner),
                *common,
            ]
            if address in previous:
                headers += [("In-Reply-To", previous[address]), ("References", previous[address])]
            previous[address] = message_id
            yield Message("Sent" if mine else "INBOX", _raw(headers), at)
        elif kind < 0.65:  # a small group thread
            group = rng.sample(people, 3)
            mine = rng.random() < 0.5
            sender = group[0]
            headers = [
                ("From", owner if mine else _address(*sender)),
                ("To", ", ".join(_address(*p) for p in group[1:]) if mine else owner),
                ("Cc", _address(*sender) if mine else ", ".join(_address(*p) for p in group[1:])),
                *common,
            ]
            yield Message("Sent" if mine else "INBOX", _raw(headers), at)
        elif kind < 0.82:  # a newsletter
            list_name = rng.choice(("weekly", "digest", "product-news"))
            headers = [
                ("From", f"The {list_name.title()} <{list_name}@news.example>"),
                ("To", owner),
                *common,
                ("List-Id", f"{list_name} <{list_name}.news.example>"),
                ("List-Unsubscribe", f"<https://news.example/u/{n}>, <mailto:leave@news.example>"),
                ("Precedence", "bulk"),
            ]
            yield Message("INBOX", _raw(headers, "This week…\r\n" * 20), at)
        elif kind < 0.9:  # receipts and notifications
            headers = [("From", "Billing <no-reply@billing.example>"), ("To", owner), *common]
            headers.append(("Auto-Submitted", "auto-generated"))
            yield Message("INBOX", _raw(headers), at)
        elif kind < 0.96:  # a cold email, never answered
            headers = [("From", f"Sales {n} <rep{n}@vendor.example>"), ("To", owner), *common]
            yield Message("INBOX", _raw(headers), at)
        else:  # an announcement to 30 people
            recipients = ", ".join(f"p{i}@team.example" for i in range(30))
            headers = [("From", "Team <team-lead@team.example>"), ("To", recipients), ("Cc", owner), *common]
            yield Message("INBOX", _raw(headers), at)


__all__ = ["Message", "messages"]
