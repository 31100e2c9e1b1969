"""A clearly fictional data set: a few demo people, each with a network of a few hundred contacts.

Why it exists: a newcomer's first run has no network, so every plan is made of roles. With the
demo, signing in as a demo person and starting a campaign for someone at Northwind Ventures shows
a path through a named contact, with their address in the To and the strength behind it.

Everything here is fictional and can never reach anyone:
- every address is on a domain reserved for examples (RFC 2606, RFC 6761 §6.5), which belongs to
  no one: work addresses and the demo accounts (DEMO_DOMAIN) under the `.example` top-level
  domain, which is never delegated, so it never resolves; personal ones at example.net and
  example.org, which IANA holds for documentation and nobody can register. Unlike `.invalid`, these are addresses
  email-validator accepts, so the demo's people are keyed, matched and merged exactly as imported
  ones are (an export naming one of them merges into them), and a work address's domain gives its
  organisation ("northwind-ventures.example" → "northwind ventures"), as a real one would;
- phones are in ranges reserved for fiction: +1 NPA 555-0100…0199 (NANPA) and 020 7946 0xxx
  (Ofcom's London drama range);
- organisations are Microsoft's sample companies (Contoso, Northwind, Fabrikam…) and invented
  universities;
- profile URLs are on PROFILE_HOST, under `.example` too, and `linkedin_handle` stays empty: a
  `linkedin.com/in/demo-…` URL could be a real member's handle (members choose them), so it could
  point at a real person; a `.example` host cannot.

Rows are recognisable: the owners are the demo accounts, and every source fingerprint starts
with FINGERPRINT_PREFIX (demo_install.py writes them and removes them).

Deterministic and pure: seed, sizes and `now` in, plans out; dates are relative to `now`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, replace

from sixdegrees.network.models import SourceKind
from sixdegrees.network.observed import Observed

DEMO_DOMAIN = "demo.sixdegrees.example"
PROFILE_HOST = "profiles.demo.sixdegrees.example"
FINGERPRINT_PREFIX = "demo-"
MAX_PEOPLE = 8
MIN_CONTACTS = 40  # room for the anchors, the duplicates and the shared people
MAX_CONTACTS = 5000

# The demo accounts: "Demo" as the family name says what they are wherever a name is shown.
DEMO_PEOPLE = (
    ("Avery", "en", "Product lead looking for investors and design partners."),
    ("Lin", "zh-hans", "Founder of a small robotics start-up in Shanghai."),
    ("Sam", "en", "Researcher moving from a university lab into industry."),
    ("Noor", "en", "Operations manager building a climate start-up."),
    ("Kenji", "en", "Engineer who wants to meet people in venture capital."),
    ("Zanele", "en", "Designer starting a studio for health-care products."),
    ("Mateo", "en", "Sales lead opening an office in Europe."),
    ("Priya", "en", "PhD student looking for a research internship."),
)


@dataclass(frozen=True)
class Organisation:
    name: str
    domain: str  # for work addresses; under .example
    titles: tuple[str, ...]
    spellings: tuple[str, ...] = ()  # how exports also write it ("Northwind Ventures LLC")


ORGANISATIONS = (
    Organisation(
        "Northwind Ventures",
        "northwind-ventures.example",
        ("Partner", "Principal", "Associate", "Venture Partner", "Platform Lead", "Analyst"),
        ("Northwind Ventures LLC", "northwind ventures"),
    ),
    Organisation(
        "Contoso Labs",
        "contoso-labs.example",
        ("Staff Engineer", "Research Scientist", "Engineering Manager", "Product Manager", "Designer"),
        ("Contoso Labs, Inc.",),
    ),
    Organisation("Fabrikam Robotics", "fabrikam.example", ("Founder", "CTO", "Mechanical Engineer", "Head of Sales")),
    Organisation("Adventure Works", "adventure-works.example", ("Marketing Director", "Account Executive", "COO")),
    Organisation("Tailspin Toys", "tailspin-toys.example", ("Product Designer", "Head of Growth", "Data Analyst")),
    Organisation("Woodgrove Bank", "woodgrove-bank.example", ("Relationship Manager", "Risk Analyst", "VP Strategy")),
    Organisation("Litware Health", "litware.example", ("Clinical Lead", "Software Engineer", "Regulatory Affairs")),
    Organisation("Proseware Systems", "proseware.example", ("Solutions Architect", "Sales Engineer", "CEO")),
    Organisation("Trey Research", "trey-research.example", ("Research Director", "Lab Manager", "Scientist")),
    Organisation("Wide World Importers", "wideworld.example", ("Logistics Manager", "Buyer", "Country Manager")),
    Organisation("Fourth Coffee", "fourth-coffee.example", ("Store Operations Lead", "Brand Manager")),
    Organisation("Lucerne Publishing", "lucerne-publishing.example", ("Editor", "Rights Manager", "Publisher")),
    Organisation(
        "Contoso University",
        "contoso-university.example",
        ("Professor of Computer Science", "Associate Professor", "Postdoctoral Researcher", "PhD Candidate"),
    ),
    Organisation(
        "Northwind Institute of Technology",
        "northwind-tech.example",
        ("Professor of Robotics", "Lecturer", "Research Fellow", "Director of Admissions"),
    ),
    Organisation("Tailspin State University", "tailspin-state.example", ("Dean of Engineering", "Assistant Professor")),
)
NORTHWIND, CONTOSO, CONTOSO_UNIVERSITY = ORGANISATIONS[0], ORGANISATIONS[1], ORGANISATIONS[12]
PERSONAL_DOMAINS = ("example.net", "example.org")  # the demo's free mail

# (given names, family names, written in Chinese characters?). The characters' pool lines up with
# the pinyin pool before it, so a person written 张伟 gets the address zhang.wei@….
NAME_POOLS: tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...] = (
    (
        ("Olivia", "James", "Emma", "Noah", "Grace", "Oliver", "Hannah", "Ethan", "Chloe", "Daniel", "Ruth"),
        ("Harper", "Whitfield", "Carver", "Lindqvist", "Ashdown", "Pryce", "Callow", "Brennan", "Hale"),
        False,
    ),
    (
        ("Wei", "Fang", "Jing", "Lei", "Min", "Hao", "Xiuying", "Yang", "Tao", "Ying", "Jun", "Lan"),
        ("Zhang", "Wang", "Li", "Chen", "Liu", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma"),
        False,
    ),
    (
        ("伟", "芳", "静", "磊", "敏", "浩", "秀英", "洋", "涛", "颖", "俊", "岚"),
        ("张", "王", "李", "陈", "刘", "赵", "黄", "周", "吴", "徐", "孙", "马"),
        True,
    ),
    (
        ("Aarav", "Ananya", "Rohan", "Diya", "Vikram", "Meera", "Arjun", "Kavya", "Ishaan"),
        ("Sharma", "Iyer", "Patel", "Reddy", "Nair", "Kapoor", "Menon", "Rao"),
        False,
    ),
    (
        ("Lucía", "Mateo", "Sofía", "Diego", "Valentina", "Javier", "Camila", "Andrés"),
        ("García", "Fernández", "Morales", "Castillo", "Ortega", "Navarro", "Vega"),
        False,
    ),
    (
        ("Chinedu", "Amara", "Tunde", "Ngozi", "Kwame", "Adaeze", "Emeka", "Folake"),
        ("Okafor", "Adeyemi", "Mensah", "Eze", "Balogun", "Owusu", "Nwosu"),
        False,
    ),
    (
        ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Jürgen", "Katrin"),
        ("Becker", "Hoffmann", "Schäfer", "Krüger", "Wagner", "Vogel", "Brandt"),
        False,
    ),
    (
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Daiki", "Mei"),
        ("Sato", "Takahashi", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Yamada"),
        False,
    ),
    (
        ("Omar", "Layla", "Youssef", "Amira", "Karim", "Salma", "Tariq", "Nadia"),
        ("Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Farouk"),
        False,
    ),
    (("Minjun", "Seoyeon", "Jiho", "Hayoon", "Dohyun"), ("Kim", "Park", "Choi", "Jung", "Kang", "Yoon"), False),
)

# Pairs the review queue should offer: one person written twice (a nickname, a spelling).
DUPLICATE_NAMES = (
    (("Robert", "Bob"), "Whitfield"),
    (("Katherine", "Catherine"), "Lindqvist"),
    (("William", "Bill"), "Ashdown"),
)

US_AREA_CODES = ("212", "415", "617", "312", "206", "512", "303", "404", "213", "646")


@dataclass(frozen=True)
class DemoTarget:
    """Someone to try a campaign for: their organisation is in every demo network."""

    name: str
    title_and_company: str
    reason: str
    organisation: str


DEMO_TARGETS = (
    DemoTarget(
        "Imani Falk",
        "Managing Partner, Northwind Ventures",
        "I am raising a seed round for a robotics start-up and Northwind leads rounds like ours.",
        NORTHWIND.name,
    ),
    DemoTarget(
        "Professor Elena Marsh",
        "Professor of Computer Science, Contoso University",
        "I would like to discuss a research internship in her lab next summer.",
        CONTOSO_UNIVERSITY.name,
    ),
)


@dataclass(frozen=True)
class DemoSource:
    kind: str
    fingerprint: str
    connected_on: dt.date | None = None


@dataclass(frozen=True)
class DemoContact:
    key: str  # who they are across networks: a shared person or a demo account has one key in each
    name: str
    given_name: str
    family_name: str
    organisation: str
    title: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    profile_url: str
    sources: tuple[DemoSource, ...]
    observations: tuple[Observed, ...] = ()  # the mailbox-like history behind the strength
    strength_override: float | None = None
    hidden: bool = False
    shared: bool = False  # drawn from the pool every demo person knows some of
    duplicate_of: int | None = None  # index (in the same network) of the record this one repeats


@dataclass(frozen=True)
class DemoNetwork:
    email: str
    name: str
    language: str
    background: str
    contacts: tuple[DemoContact, ...]


def demo_address(given: str) -> str:
    return f"{given.lower()}@{DEMO_DOMAIN}"


def is_demo_address(address: str) -> bool:
    return address.strip().lower().endswith("@" + DEMO_DOMAIN)


def phone_numbers() -> list[str]:
    """Every fictional number the demo may use, in a fixed order (US 555-01xx, then London 7946 0xxx)."""
    numbers = [f"+1 {area} 555 01{n:02d}" for n in range(100) for area in US_AREA_CODES]
    return numbers + [f"+44 20 7946 0{n:03d}" for n in range(1000)]


def _fingerprint(seed: int, slot: int, identity: str, kind: str) -> str:
    digest = hashlib.sha256(f"{seed}|{slot}|{identity}|{kind}".encode()).hexdigest()
    return FINGERPRINT_PREFIX + digest[: 64 - len(FINGERPRINT_PREFIX)]


def _slug(text: str) -> str:
    # Chinese names have no Latin letters: their address uses a number instead.
    ascii_only = text.lower().encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_only if ch.isalnum())


@dataclass(frozen=True)
class _Identity:
    """A fictional person before they are placed in a network: who they are, not how well known."""

    key: str
    given: str
    family: str
    name: str
    organisation: Organisation
    spelling: str
    title: str
    email: str
    phone: str


class _Builder:
    def __init__(self, seed: int, now: dt.datetime) -> None:
        self.seed = seed
        self.now = now
        self.numbers = phone_numbers()

    def identity(
        self, rng: random.Random, key: str, organisation: Organisation, phone_index: int | None, work: bool = False
    ) -> _Identity:
        pool = rng.randrange(len(NAME_POOLS))
        givens, families, chinese = NAME_POOLS[pool]
        g, f = rng.randrange(len(givens)), rng.randrange(len(families))
        given, family = givens[g], families[f]
        if not chinese:
            return self._identity(rng, key, given, family, f"{given} {family}", organisation, phone_index, work)
        pinyin_givens, pinyin_families, _ = NAME_POOLS[pool - 1]
        who = self._identity(rng, key, pinyin_givens[g], pinyin_families[f], "", organisation, phone_index, work)
        return replace(who, given=given, family=family, name=f"{family}{given}")

    def _identity(
        self,
        rng: random.Random,
        key: str,
        given: str,
        family: str,
        name: str,
        organisation: Organisation,
        phone_index: int | None,
        work: bool = False,
    ) -> _Identity:
        local = ".".join(part for part in (_slug(given), _slug(family)) if part)
        personal = rng.random() < 0.2 and not work
        domain = rng.choice(PERSONAL_DOMAINS) if personal else organisation.domain
        spelling = rng.choice((organisation.name, organisation.name, *organisation.spellings))
        phone = self.numbers[phone_index] if phone_index is not None and phone_index < len(self.numbers) else ""
        return _Identity(
            key,
            given,
            family,
            name,
            organisation,
            spelling,
            rng.choice(organisation.titles),
            f"{local}@{domain}",
            phone,
        )

    def observations(self, rng: random.Random, address: str, name: str, warmth: str) -> tuple[Observed, ...]:
        """A mailbox-like history: "close" (weekly, recent), "warm", "cold" (long ago) or "one-way"."""
        count, gap, last_days = {
            "close": (rng.randint(12, 30), rng.uniform(3, 9), rng.uniform(1, 14)),
            "warm": (rng.randint(4, 12), rng.uniform(10, 40), rng.uniform(10, 120)),
            "cold": (rng.randint(2, 6), rng.uniform(20, 60), rng.uniform(300, 900)),
            "one-way": (rng.randint(1, 3), rng.uniform(5, 30), rng.uniform(20, 400)),
        }[warmth]
        found: list[Observed] = []
        at = self.now - dt.timedelta(days=last_days)
        for index in range(count):
            direction: str = "out" if warmth == "one-way" or index % 2 == 0 or rng.random() < 0.3 else "in"
            if warmth != "one-way" and index == 1:
                direction = "in" if found[0].direction == "out" else "out"  # at least one each way
            recipients = 1 if rng.random() < 0.8 else rng.randint(2, 4)
            message_id = (
                f"<demo-{self.seed}-{hashlib.sha256(f'{address}|{index}'.encode()).hexdigest()[:16]}@{DEMO_DOMAIN}>"
            )
            found.append(
                Observed(
                    direction="out" if direction == "out" else "in",
                    address=address.lower(),
                    name=name,
                    at=at.replace(microsecond=0),
                    recipients=recipients,
                    bulk=False,
                    reason="",
                    message_id=message_id,
                    folder="Sent" if direction == "out" else "INBOX",
                )
            )
            at -= dt.timedelta(days=gap * rng.uniform(0.5, 1.5))
        return tuple(reversed(found))

    def contact(
        self,
        rng: random.Random,
        slot: int,
        who: _Identity,
        *,
        warmth: str | None = None,
        kinds: tuple[str, ...] | None = None,
        shared: bool = False,
        duplicate_of: int | None = None,
    ) -> DemoContact:
        if kinds is None:
            kinds = _pick_kinds(rng)
        if warmth is None and SourceKind.MAILBOX in kinds:
            warmth = rng.choices(("close", "warm", "cold", "one-way"), weights=(2, 5, 4, 2))[0]
        if warmth is not None and SourceKind.MAILBOX not in kinds:
            kinds = (*kinds, SourceKind.MAILBOX)
        sources = tuple(
            DemoSource(
                kind,
                _fingerprint(self.seed, slot, who.key, kind),
                self.now.date() - dt.timedelta(days=rng.randint(30, 3000)) if kind == SourceKind.LINKEDIN else None,
            )
            for kind in kinds
        )
        has_address = kinds != (SourceKind.LINKEDIN,) or rng.random() < 0.25  # LinkedIn rarely gives one
        return DemoContact(
            key=who.key,
            name=who.name,
            given_name=who.given,
            family_name=who.family,
            organisation=who.spelling,
            title=who.title,
            emails=(who.email,) if has_address or warmth else (),
            phones=(who.phone,) if who.phone and SourceKind.GOOGLE in kinds else (),
            profile_url=f"https://{PROFILE_HOST}/in/{who.key.replace(':', '-')}"
            if SourceKind.LINKEDIN in kinds
            else "",
            sources=sources,
            observations=self.observations(rng, who.email, who.name, warmth) if warmth else (),
            shared=shared,
            duplicate_of=duplicate_of,
        )


def _pick_kinds(rng: random.Random) -> tuple[str, ...]:
    kinds = [
        kind
        for kind, chance in ((SourceKind.LINKEDIN, 0.6), (SourceKind.GOOGLE, 0.4), (SourceKind.MAILBOX, 0.3))
        if rng.random() < chance
    ]
    return tuple(kinds) or (SourceKind.LINKEDIN,)


def build_demo(seed: int, people: int, contacts: int, now: dt.datetime) -> list[DemoNetwork]:
    """The demo networks, the same for the same arguments; no database, no clock."""
    if not 1 <= people <= MAX_PEOPLE:
        raise ValueError(f"--people must be between 1 and {MAX_PEOPLE}")
    if not MIN_CONTACTS <= contacts <= MAX_CONTACTS:
        raise ValueError(f"--contacts must be between {MIN_CONTACTS} and {MAX_CONTACTS}")
    builder = _Builder(seed, now)
    # People every demo person knows some of (for the later circles issue): the same name, address
    # and phone in each network, independent of how many demo people are asked for.
    shared_rng = random.Random(f"{seed}:shared")
    shared_count = max(10, contacts // 6)
    shared: list[_Identity] = []
    for index in range(shared_count):
        who = builder.identity(shared_rng, f"s{index}", shared_rng.choice(ORGANISATIONS), index)
        if any(other.email == who.email for other in shared):
            local, _, domain = who.email.partition("@")
            who = replace(who, email=f"{local}.s{index}@{domain}")
        shared.append(who)
    return [
        _network(builder, seed, slot, contacts, shared, [DEMO_PEOPLE[i][0] for i in range(people) if i != slot])
        for slot in range(people)
    ]


def _network(
    builder: _Builder, seed: int, slot: int, size: int, shared: list[_Identity], others: list[str]
) -> DemoNetwork:
    given, language, background = DEMO_PEOPLE[slot]
    rng = random.Random(f"{seed}:{slot}")
    phones = iter(range(len(shared) + slot * size, len(shared) + (slot + 1) * size))
    found: list[DemoContact] = []
    # Addresses are unique per owner: the shared people's and the demo accounts' are taken first.
    used = {who.email.lower() for who in shared} | {demo_address(other) for other in others}

    def unique(who: _Identity) -> _Identity:
        address, number = who.email, 2
        while address.lower() in used:
            local, _, domain = who.email.partition("@")
            address, number = f"{local}{number}@{domain}", number + 1
        used.add(address.lower())
        return replace(who, email=address)

    def own(key: str, organisation: Organisation, **options: object) -> DemoContact:
        # Keys of one network's own people carry its slot: only shared people and demo accounts repeat.
        who = unique(builder.identity(rng, f"n{slot}{key}", organisation, next(phones), work=key.startswith("a")))
        return builder.contact(rng, slot, who, **options)  # type: ignore[arg-type]

    # The other demo people: colleagues who write to each other often.
    for other in others:
        title = rng.choice(CONTOSO.titles)
        who = _Identity(
            f"d{other.lower()}", other, "Demo", f"{other} Demo", CONTOSO, CONTOSO.name, title, demo_address(other), ""
        )
        found.append(builder.contact(rng, slot, who, warmth="close", kinds=(SourceKind.GOOGLE,)))
    # Anchors, so every network has named paths to the demo targets: a close tie at Northwind, a
    # LinkedIn-only one there, a warm one at Contoso University.
    found.append(own("a0", NORTHWIND, warmth="close", kinds=(SourceKind.LINKEDIN, SourceKind.GOOGLE)))
    found.append(own("a1", NORTHWIND, kinds=(SourceKind.LINKEDIN,)))
    found.append(own("a2", NORTHWIND, warmth="warm", kinds=(SourceKind.GOOGLE,)))
    found.append(own("a3", CONTOSO_UNIVERSITY, warmth="warm", kinds=(SourceKind.LINKEDIN, SourceKind.GOOGLE)))
    found.append(own("a4", CONTOSO_UNIVERSITY, kinds=(SourceKind.LINKEDIN,)))
    # The review queue: one person written twice, by two sources that share no exact key.
    for (formal, familiar), family in DUPLICATE_NAMES:
        organisation = rng.choice(ORGANISATIONS[1:])
        first = builder._identity(
            rng, f"n{slot}p{formal.lower()}", formal, family, f"{formal} {family}", organisation, next(phones)
        )
        found.append(builder.contact(rng, slot, unique(first), kinds=(SourceKind.LINKEDIN,)))
        second = builder._identity(
            rng, f"n{slot}q{formal.lower()}", familiar, family, f"{familiar} {family}", organisation, next(phones)
        )
        second = _Identity(
            second.key, familiar, family, second.name, organisation, first.spelling, first.title,
            f"{_slug(familiar)}.{_slug(family)}@{PERSONAL_DOMAINS[0]}", second.phone,
        )  # fmt: skip
        found.append(
            builder.contact(rng, slot, unique(second), kinds=(SourceKind.GOOGLE,), duplicate_of=len(found) - 1)
        )
    # Shared people: each network knows about half of them.
    for who in shared:
        if len(found) < size and rng.random() < 0.5:
            found.append(builder.contact(rng, slot, who, shared=True))
    index = 0
    while len(found) < size:
        found.append(own(f"o{index}", rng.choice(ORGANISATIONS)))
        index += 1
    # One correction and one hidden person, as the person would leave them after a look.
    found[-1] = replace(found[-1], strength_override=0.7)
    found[-2] = replace(found[-2], hidden=True)
    return DemoNetwork(demo_address(given), f"{given} Demo", language, background, tuple(found))
