"""Organisation keys: "Stripe, Inc.", "STRIPE INC", "stripe" and alex@stripe.com all give "stripe".

A key is a lowercase ASCII string of words (Chinese, Japanese and Korean names keep their
characters, see text.fold), meant for equality, never shown. Two spellings of one company should
meet and two companies should not; when in doubt a key keeps a word rather than dropping it,
because a false match puts a stranger's colleagues in someone's introduction path.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from cleanco import basename
from publicsuffixlist import PublicSuffixList

from sixdegrees.network.free_mail import FREE_MAIL_DOMAINS, FREE_MAIL_LABELS, RELAY_HOSTS
from sixdegrees.network.keys import validated_email
from sixdegrees.network.text import fold

# Legal forms cleanco does not know, written before or after the name in Chinese, Japanese and
# Korean registrations ("腾讯科技有限公司", "株式会社ソニー", "(주)카카오"). Longest first, so
# "股份有限公司" goes whole rather than leaving "股份" behind.
CJK_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "股份公司",
    "公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",
    "(有)",
    "주식회사",
    "유한회사",
    "(주)",
)

# "Alphabet Inc. (Google)", "Stripe (YC S09)": a trailing note in brackets qualifies the name.
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# "Amazon.com", "Booking.com": a company named after its domain.
_DOMAIN_LIKE = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_AMPERSAND_WORD = re.compile(r"\s+&\s+")
# Dropped without a space so "J.P. Morgan" meets "JP Morgan" and "McDonald's" meets "McDonalds".
_JOINERS = re.compile(r"['.&]")
_SEPARATORS = re.compile(r"[\W_]+")


@functools.cache
def public_suffixes() -> PublicSuffixList:
    # The list bundled with the package (no download at run time); ICANN section only, so a
    # hosting suffix such as "github.io" does not make every user of it an organisation.
    return PublicSuffixList(only_icann=True)


def registrable_label(domain: str, *, accept_unknown: bool = True) -> tuple[str, str] | None:
    """("stripe", "stripe.com") for "eng.stripe.com"; ("bbc", "bbc.co.uk") for "bbc.co.uk".

    None when the domain is itself a public suffix ("co.uk"), or, without `accept_unknown`, when
    its last label is no known top-level domain ("node.js").
    """
    psl = public_suffixes()
    registrable = psl.privatesuffix(domain.lower(), accept_unknown=accept_unknown)
    suffix = psl.publicsuffix(domain.lower(), accept_unknown=accept_unknown)
    if not registrable or not suffix:
        return None
    return registrable[: -len(suffix) - 1], registrable


def _words(text: str) -> str:
    folded = _AMPERSAND_WORD.sub(" and ", fold(text))
    return " ".join(_SEPARATORS.sub(" ", _JOINERS.sub("", folded)).split())


def _without_leading_the(key: str) -> str:
    head, _, rest = key.partition(" ")
    return rest if head == "the" and rest else key


def _strip_cjk_legal_forms(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for form in CJK_LEGAL_FORMS:
            if name.endswith(form) and len(name) > len(form):
                name, changed = name[: -len(form)].strip(), True
            elif name.startswith(form) and len(name) > len(form):
                name, changed = name[len(form) :].strip(), True
    return name


# A network names the same few hundred organisations thousands of times, and cleanco is the slow
# part of a 50,000-row import (~0.1 ms a name), so each distinct name is worked out once.
@functools.lru_cache(maxsize=8192)
def organisation_key(name: str) -> str:
    """The comparison key of an organisation's name; "" when the name is empty.

    "Stripe, Inc." → "stripe"; "Société Générale S.A." → "societe generale"; "The Boeing Company"
    → "boeing"; "Ernst & Young LLP" → "ernst and young"; "Amazon.com, Inc." → "amazon";
    "腾讯科技有限公司" → "腾讯科技". A name that is nothing but a legal form keeps its words
    ("The Limited", a retailer, is "limited", never "" or "the").
    """
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    if not text:
        return ""
    without_note = _TRAILING_NOTE.sub("", text)
    text = without_note or text
    text = _strip_cjk_legal_forms(text)
    base = basename(text).strip(" ,")
    if _DOMAIN_LIKE.fullmatch(base):
        found = registrable_label(base, accept_unknown=False)
        if found:
            base = found[0]
    key = _without_leading_the(_words(base))
    if not key or key == "the":
        # cleanco strips whole names that are legal words ("The Limited" → "The", "Inc" → "").
        key = _without_leading_the(_words(text))
    return key


def domain_organisation_key(email: str) -> str | None:
    """The organisation key of a work address's registrable domain, else None.

    "alex@eng.stripe.com" → "stripe"; "x@bbc.co.uk" → "bbc"; "y@deutsche-bank.de" → "deutsche
    bank" (so it meets "Deutsche Bank AG"). None for a free-mail provider (free_mail.py), a relay
    standing for a service's users ("…@users.noreply.github.com" is no GitHub employee), and
    anything that is not an address. No-reply senders still get their organisation: telling
    machine mail apart is keys.is_no_reply's job.
    """
    valid = validated_email(email)
    if valid is None:
        return None
    domain = valid.domain
    if any(domain == host or domain.endswith("." + host) for host in RELAY_HOSTS):
        return None
    found = registrable_label(domain)
    if found is None:
        return None
    label, registrable = found
    if registrable in FREE_MAIL_DOMAINS or label in FREE_MAIL_LABELS:
        return None
    return _words(label) or None


def organisation_key_for(name_or_email: str) -> str | None:
    """An address's domain key, or a name's organisation key; None when neither says anything."""
    if "@" in name_or_email and validated_email(name_or_email) is not None:
        return domain_organisation_key(name_or_email)
    return organisation_key(name_or_email) or None


def same_organisation(a: str, b: str) -> bool:
    """Whether two organisation names or addresses point at one organisation.

    "Stripe, Inc." and "alex@stripe.com" do; two gmail.com addresses do not, since free mail says
    nothing about an employer; an empty name matches nothing.
    """
    key_a = organisation_key_for(a)
    return key_a is not None and key_a == organisation_key_for(b)
