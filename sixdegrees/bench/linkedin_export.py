"""A generated LinkedIn Connections.csv with the quirks real exports have (for the import benchmark).

Deterministic for a seed. What it copies from real exports (NETWORK.md, "Export formats"):
the `Notes:` preamble with its quoted two-line disclaimer and a blank line before the header;
CRLF line ends; email present for a minority only (members must allow it), some in capitals;
company names and positions with commas, hence quoted ("Stripe, Inc.", "VP, Product"), and a
quote inside a quoted field; one company spelled several ways ("Stripe, Inc.", "Stripe",
"STRIPE INC"); names with accents, in Chinese characters, and with emoji or credentials
("Ana Lima, PhD 🌱"); empty `,,,,,,` rows; a row with nothing but a URL; and dates written
`16 Jul 2026`. Common names repeat at one company now and then, as they do in a real network,
so the import has look-alikes to put up for review.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing.\r\n'
    'You will only see email addresses for connections who have allowed their connections to see or download it."\r\n'
    "\r\n"
)
HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]

GIVEN = (
    "Olivia", "James", "Emma", "Noah", "Grace", "Oliver", "Hannah", "Ethan", "Chloe", "Daniel", "Ruth", "Priya",
    "Aarav", "Ananya", "Rohan", "Lucía", "Mateo", "Sofía", "Diego", "Chinedu", "Amara", "Lukas", "Anna", "Jürgen",
    "Haruto", "Yui", "Omar", "Layla", "Minjun", "Seoyeon", "Tomás", "Zoë", "François", "Ngozi", "Wei", "Fang",
)  # fmt: skip
FAMILY = (
    "Harper", "Whitfield", "Carver", "Lindqvist", "Ashdown", "Pryce", "Brennan", "Hale", "Sharma", "Iyer",
    "Patel", "Reddy", "García", "Fernández", "Morales", "Okafor", "Adeyemi", "Becker", "Schäfer", "Krüger",
    "Sato", "Takahashi", "Haddad", "Khalil", "Kim", "Park", "Ó Briain", "Nguyen", "Zhang", "Chen", "Müller",
)  # fmt: skip
# Surnames are also made from syllables ("Lindberg", "Okavane"), so 50,000 people have tens of
# thousands of names between them, as a real network does, not a few hundred repeated.
SYLLABLES = (
    "an", "ber", "ka", "lind", "mo", "ra", "ski", "ton", "vel", "dor", "ha", "ne", "ok", "sa", "ri", "bo", "chen",
    "gu", "stro", "mi", "ov", "el", "ja", "wa", "zu", "ler", "fin", "cor", "ta", "ley",
)  # fmt: skip
CHINESE_GIVEN = ("伟", "芳", "静", "磊", "敏", "浩", "秀英", "洋")
CHINESE_FAMILY = ("张", "王", "李", "陈", "刘", "赵")
# (spellings, email domain); the spellings are how different members typed one employer.
COMPANIES = (
    (("Stripe, Inc.", "Stripe", "STRIPE INC"), "stripe.com"),
    (("Alphabet Inc. (Google)", "Google", "Google LLC"), "google.com"),
    (("Société Générale S.A.", "Societe Generale"), "socgen.com"),
    (("Ernst & Young LLP", "EY"), "ey.com"),
    (("腾讯科技有限公司", "Tencent"), "tencent.com"),
    (("Amazon.com, Inc.", "Amazon"), "amazon.com"),
    (("The Boeing Company", "Boeing"), "boeing.com"),
    (("Deutsche Bank AG",), "db.com"),
    (("McKinsey & Company",), "mckinsey.com"),
    (("J.P. Morgan", "JPMorgan Chase & Co."), "jpmorgan.com"),
    *(((f"Company {n} Ltd", f"Company {n}"), f"company{n}.example") for n in range(400)),
)
POSITIONS = (
    "Software Engineer", "Staff Engineer", "VP, Product", "Head of Growth", "Partner", "Principal",
    "Research Scientist", 'Head of "Special Projects"', "Founder & CEO", "Account Executive, EMEA", "Designer",
    "Engineering Manager", "Data Scientist", "Chief of Staff", "Investor", "",
)  # fmt: skip
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def connections_csv(rows: int, seed: int = 12) -> bytes:
    """A Connections.csv of `rows` data lines (blank and URL-only ones among them), as UTF-8 bytes."""
    rng = random.Random(seed)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    start = dt.date(2012, 1, 1)
    for n in range(rows):
        roll = rng.random()
        if roll < 0.004:
            writer.writerow([""] * 7)  # LinkedIn writes these for members who left
            continue
        if roll < 0.006:
            writer.writerow(["", "", f"https://www.linkedin.com/in/member-{n}", "", "", "", "01 Feb 2020"])
            continue
        if rng.random() < 0.04:
            given, family = rng.choice(CHINESE_GIVEN), rng.choice(CHINESE_FAMILY)
        elif rng.random() < 0.3:
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        else:
            given = rng.choice(GIVEN)
            family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        shown_family = family
        if rng.random() < 0.01:
            shown_family = f"{family}, PhD 🌱"
        # Half work at the ten big names, the rest anywhere: a few hundred organisations in all.
        spellings, domain = COMPANIES[rng.randrange(10)] if rng.random() < 0.5 else rng.choice(COMPANIES)
        company = rng.choice(spellings)
        handle = f"{_ascii(given)}-{_ascii(family)}-{n:x}"
        email = ""
        if rng.random() < 0.08:
            local = f"{_ascii(given)}.{_ascii(family)}{n}"
            email = f"{local}@{domain}" if rng.random() < 0.6 else f"{local}@gmail.com"
            if rng.random() < 0.1:
                email = email.upper()
        day = start + dt.timedelta(days=rng.randrange(5000))
        writer.writerow(
            [
                given,
                shown_family,
                f"https://www.linkedin.com/in/{handle}",
                email,
                company,
                rng.choice(POSITIONS),
                f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}",
            ]
        )
    return (PREAMBLE + buffer.getvalue()).encode("utf-8")


def _ascii(text: str) -> str:
    kept = "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())
    return kept or "m"


__all__ = ["connections_csv"]
