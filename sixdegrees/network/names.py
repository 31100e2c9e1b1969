"""People's names: what to greet someone by, and whether two records may be one person.

No name parser library: nameparser is LGPL, and the two jobs here need only a few rules, each
written down below together with where it gives up.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from nicknames import NickNamer
from rapidfuzz import fuzz

from sixdegrees.network.text import fold, has_cjk

# Suggested cut-off for offering two records in the review queue. At or above it: the same name up
# to a nickname ("Bob"/"Robert" 1.0), spelling ("Katherine"/"Catherine" Lee 0.923, "Smith"/"Smyth"
# 0.9) or word order ("Doe, Jane"/"Jane Doe" 1.0), but also near-twins who are two people
# ("Daniel"/"Danielle" Kim 0.909, "Michael"/"Michelle" Chen 0.88); below it, different first
# names with one surname ("Jane"/"John" Doe 0.75) or a married name added ("Jane Doe-Smith" 0.727).
# Asking once too often costs a click; nothing merges on this score without the person's yes.
REVIEW_THRESHOLD = 0.85

# Written before a name; compared without their dot. "M." (monsieur) is left out: it is also an
# initial.
HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "herr", "frau", "mme", "mlle"}
)
# Written after a name. Only forms that are never a name: "Ma" (a surname) or "MA" is not here.
SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "dds", "dphil", "frcs", "obe", "mbe", "cbe"}
)

# 'Robert "Bob" Smith', "Robert „Bob“ Smith", "Robert (Bob) Smith": the name they go by. A plain
# apostrophe is no quote ("D'Angelo O'Neil"), and brackets count only right after the first word
# with one word inside: elsewhere they hold pronouns or a maiden name ("Jane Doe (she/her)").
_NICKNAME = re.compile(r"[\"“„«‘]([^\"“”„«»‘’]+)[\"”“»’]|^\S+\s+\((\w+)\)")
_INITIAL = re.compile(r"\w\.?", re.UNICODE)
_WORD_SEPARATORS = re.compile(r"[^\w'-]+")


def _bare(token: str) -> str:
    return token.strip(".,").casefold()


def _without_titles(tokens: list[str]) -> list[str]:
    start, end = 0, len(tokens)
    while start < end and _bare(tokens[start]) in HONORIFICS:
        start += 1
    while end > start and _bare(tokens[end - 1]) in SUFFIXES:
        end -= 1
    return tokens[start:end]


def _tidy_case(name: str) -> str:
    # "JANE" or "jane" from a careless export reads as shouting or a typo in a greeting; a name
    # with its own mixed case ("DeShawn", "McKenzie") is left as its owner wrote it.
    if len(name) > 1 and (name.isupper() or name.islower()):
        return "-".join(part.capitalize() for part in name.split("-"))
    return name


def display_first_name(full_name: str, given_name: str = "") -> str:
    """The name to put after "Hi" in a greeting.

    The rules, in order:
    1. A full name with Chinese, Japanese or Korean characters is returned whole ("王小明"), even
       when a given name is known: a Chinese greeting uses the full name or surname plus a title
       (王先生), a Japanese one the surname plus さん, a Korean one the full name plus 님; the given
       name alone is what family and close friends use. Which title fits is the writer's choice.
    2. A known given name wins ("Jane" from a contact's First Name column).
    3. A nickname written in quotes or brackets is the name they go by ('Robert "Bob" Smith').
    4. "Doe, Jane" is surname first: the given name is after the comma. Honorifics ("Dr.",
       "Prof.") and suffixes ("Jr.", ", PhD") are skipped.
    5. Otherwise the first word ("Jean-Luc Picard" → "Jean-Luc"), capitalised when the export was
       all upper or all lower case.
    When unsure (an initial first, "J. Robert Oppenheimer"; several commas; nothing left after
    the titles; something that is not a name) the full name is returned as written: a greeting
    that is too formal is better than one with the wrong name. Names written surname first
    without a comma (Vietnamese, Hungarian) cannot be told apart and get their first word.
    """
    full = " ".join(unicodedata.normalize("NFKC", full_name).split())
    given = " ".join(unicodedata.normalize("NFKC", given_name).split())
    if has_cjk(full):
        return full
    if given:
        return _tidy_case(given)
    if not full or "@" in full or any(char.isdigit() for char in full):
        return full
    nickname = _NICKNAME.search(full)
    if nickname:
        word = (nickname.group(1) or nickname.group(2)).strip()
        if word and not any(_bare(part) in SUFFIXES | HONORIFICS for part in word.split()):
            return _tidy_case(word)
    parts = [part.strip() for part in full.split(",")]
    while len(parts) > 1 and all(_bare(token) in SUFFIXES for token in parts[-1].split()):
        parts.pop()  # "Jane Doe, PhD"
    if len(parts) == 2 and parts[1]:
        name = parts[1]  # "Doe, Jane"
    elif len(parts) == 1:
        name = parts[0]
    else:
        return full
    words = name.split()
    tokens = _without_titles(words)
    if not tokens or _INITIAL.fullmatch(tokens[0]):
        return full
    if len(tokens) == 1 and _bare(words[0]) in HONORIFICS:
        return full  # "Mr. Smith" is a surname: "Hi Smith" would be rude, "Hi Mr. Smith" is right
    return _tidy_case(tokens[0].strip(".,"))


@functools.cache
def _nicknamer() -> NickNamer:
    return NickNamer()  # reads the package's bundled CSV once


def same_first_name(a: str, b: str) -> bool:
    """Whether two casefolded first names can be one person's: equal, or a nickname of the other
    ("bob"/"robert"), or two nicknames of one name ("bob"/"rob")."""
    if a == b:
        return True
    nicknamer = _nicknamer()
    # A name is among the canonicals of each of its nicknames, so this covers "bob"/"robert" too.
    return bool((nicknamer.canonicals_of(a) | {a}) & (nicknamer.canonicals_of(b) | {b}))


def _comparable_tokens(name: str) -> list[str]:
    text = fold(" ".join(unicodedata.normalize("NFKC", name).split()))
    if has_cjk(text):
        return ["".join(text.split())]  # "王 小明" and "王小明" are one name; no word order to sort
    tokens = [token.strip("'-") for token in _WORD_SEPARATORS.split(text)]
    return _without_titles([token for token in tokens if token])


def likely_same_person(a: tuple[str, str], b: tuple[str, str]) -> float | None:
    """How alike two (name, organisation key) records are, 0 to 1, for the review queue only.

    None unless both organisation keys are equal and non-empty (same name at two organisations,
    or with no organisation, is too weak to even ask about) or a name is empty. The score is
    rapidfuzz's token-sort ratio after a first name in one record that is a nickname of one in
    the other is replaced by it, so "Bob Smith" and "Robert Smith" score 1.0 and "Smith, Bob"
    the same. Offer pairs at or above REVIEW_THRESHOLD; never merge on this score alone.
    """
    (name_a, org_a), (name_b, org_b) = a, b
    if not org_a or org_a != org_b:
        return None
    tokens_a, tokens_b = _comparable_tokens(name_a), _comparable_tokens(name_b)
    if not tokens_a or not tokens_b:
        return None
    aligned_b = [
        next((token_a for token_a in tokens_a if token_a != token_b and same_first_name(token_a, token_b)), token_b)
        for token_b in tokens_b
    ]
    return round(fuzz.token_sort_ratio(" ".join(tokens_a), " ".join(aligned_b)) / 100, 3)
