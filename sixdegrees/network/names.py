"""People's names: what to greet someone by, and whether two records may be one person.

No name parser library: nameparser is LGPL, and the two jobs here need only a few rules, each
written down below together with where it gives up.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from nicknames import NickNamer
from rapidfuzz import fuzz, process

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


# An import compares each new person with everyone at their organisation, the same few thousand
# names again and again: each name's tokens are worked out once.
@functools.lru_cache(maxsize=65536)
def _comparable_tokens(name: str) -> tuple[str, ...]:
    text = fold(" ".join(unicodedata.normalize("NFKC", name).split()))
    if has_cjk(text):
        return ("".join(text.split()),)  # "王 小明" and "王小明" are one name; no word order to sort
    tokens = [token.strip("'-") for token in _WORD_SEPARATORS.split(text)]
    return tuple(_without_titles([token for token in tokens if token]))


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


@functools.lru_cache(maxsize=65536)
def _nickname_keys(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the name's comparable tokens, every canonical name of any of them), for Colleagues."""
    tokens = _comparable_tokens(name)
    nicknamer = _nicknamer()
    canonicals = frozenset(canonical for token in tokens for canonical in nicknamer.canonicals_of(token))
    return frozenset(tokens), canonicals


# Scores from the C search at or above this may round to REVIEW_THRESHOLD; each is then checked
# with likely_same_person itself, so the cut-off only has to be low enough, never exact.
_SEARCH_CUTOFF = REVIEW_THRESHOLD * 100 - 0.1


class Colleagues:
    """The people at one organisation (id -> name), searchable for look-alikes of a new name.

    `lookalikes()` gives what calling likely_same_person on every pair would, without doing so:
    an import compares each new person with everyone already at their organisation, which one by
    one is quadratic (~90 µs a pair: hours for a 50,000-row file with a few big employers). A
    pair's score differs from rapidfuzz's plain token-sort ratio only when a token of one is a
    nickname of a different token of the other (`same_first_name`: one is a canonical name of the
    other, or they share one); those pairs are found through an index of tokens and canonical
    names and scored one by one, everyone else in one rapidfuzz search at C speed, and every hit
    is confirmed with likely_same_person itself.
    """

    def __init__(self, people: Mapping[str, str] | None = None) -> None:
        self._ids: list[str | None] = []
        self._names: list[str] = []
        self._joined: list[str] = []  # comparable tokens joined, "" once removed
        self._position: dict[str, int] = {}
        self._by_token: dict[str, set[str]] = {}
        self._by_canonical: dict[str, set[str]] = {}
        for person_id, name in (people or {}).items():
            self.add(person_id, name)

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._position

    def add(self, person_id: str, name: str) -> None:
        """Add someone (again, with a new name: they move to the end, as in a dict)."""
        self.remove(person_id)
        self._position[person_id] = len(self._ids)
        self._ids.append(person_id)
        self._names.append(name)
        self._joined.append(" ".join(_comparable_tokens(name)))
        tokens, canonicals = _nickname_keys(name)
        for token in tokens:
            self._by_token.setdefault(token, set()).add(person_id)
        for canonical in canonicals:
            self._by_canonical.setdefault(canonical, set()).add(person_id)

    def remove(self, person_id: str) -> None:
        index = self._position.pop(person_id, None)
        if index is None:
            return
        tokens, canonicals = _nickname_keys(self._names[index])
        for token in tokens:
            self._by_token[token].discard(person_id)
        for canonical in canonicals:
            self._by_canonical[canonical].discard(person_id)
        self._ids[index], self._joined[index] = None, ""

    def lookalikes(self, name: str, organisation_key: str) -> list[tuple[str, float]]:
        """(id, score) of everyone likely_same_person scores at or above REVIEW_THRESHOLD against
        `name` at `organisation_key`, in the order they were added."""
        if not organisation_key or not self._position:
            return []
        tokens, canonicals = _nickname_keys(name)
        if not tokens:
            return []
        candidates: set[int] = set()
        for key in tokens | canonicals:
            candidates.update(self._position[person_id] for person_id in self._by_canonical.get(key, ()))
        for key in canonicals:
            candidates.update(self._position[person_id] for person_id in self._by_token.get(key, ()))
        query = " ".join(_comparable_tokens(name))
        found = process.extract(
            query, self._joined, scorer=fuzz.token_sort_ratio, score_cutoff=_SEARCH_CUTOFF, limit=None
        )
        candidates.update(index for _choice, _score, index in found)
        hits = []
        for index in sorted(candidates):
            person_id = self._ids[index]
            if person_id is None:
                continue
            score = likely_same_person((name, organisation_key), (self._names[index], organisation_key))
            if score is not None and score >= REVIEW_THRESHOLD:
                hits.append((person_id, score))
        return hits
