"""Greeting names, and the fuzzy score that fills the duplicate review queue."""

from __future__ import annotations

import itertools

import pytest

from sixdegrees.network.names import (
    REVIEW_THRESHOLD,
    Colleagues,
    display_first_name,
    likely_same_person,
    same_first_name,
)


@pytest.mark.parametrize(
    ("full_name", "given_name", "expected"),
    [
        ("Jane Doe", "Jane", "Jane"),
        ("Jane Doe", "Janet", "Janet"),  # the contact's own First Name column wins
        ("", "Jane", "Jane"),
        ("Jane Doe", "", "Jane"),
        ("  Anna   Schmidt ", "", "Anna"),
        ("Dr. Jane Doe", "", "Jane"),
        ("Prof. Dr. Hans Müller", "", "Hans"),
        ("Sir Tim Berners-Lee", "", "Tim"),
        ("Doe, Jane", "", "Jane"),
        ("van der Berg, Anna", "", "Anna"),
        ("Jane Doe, PhD", "", "Jane"),
        ("Doe, Jane, PhD", "", "Jane"),
        ("Martin Luther King Jr.", "", "Martin"),
        ('Robert "Bob" Smith', "", "Bob"),
        ("Robert „Bob“ Smith", "", "Bob"),
        ("Robert (Bob) Smith", "", "Bob"),
        ("Jane Doe (she/her)", "", "Jane"),  # pronouns in brackets are no nickname
        ("Jane Doe (Smith)", "", "Jane"),  # nor is a maiden name
        ("D'Angelo O'Neil", "", "D'Angelo"),
        ("Jean-Luc Picard", "", "Jean-Luc"),
        ("JANE DOE", "", "Jane"),
        ("jean-luc picard", "", "Jean-Luc"),
        ("DeShawn Jackson", "", "DeShawn"),
        ("Madonna", "", "Madonna"),
        # Chinese, Japanese, Korean: the full name, even when the given name is known.
        ("王小明", "", "王小明"),
        ("王小明", "小明", "王小明"),
        ("田中 太郎", "太郎", "田中 太郎"),
        ("김민준", "", "김민준"),
        # Unsure: the full name as written.
        ("J. Robert Oppenheimer", "", "J. Robert Oppenheimer"),
        ("Mr. Smith", "", "Mr. Smith"),
        ("Dr.", "", "Dr."),
        ("Smith, Jr., John", "", "Smith, Jr., John"),
        ("alex@stripe.com", "", "alex@stripe.com"),
        ("", "", ""),
    ],
)
def test_display_first_name(full_name, given_name, expected):
    assert display_first_name(full_name, given_name) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Bob Smith", "Robert Smith", 1.0),
        ("Smith, Bob", "Robert Smith", 1.0),
        ("Bill Gates", "William Gates", 1.0),
        ("Liz Taylor", "Elizabeth Taylor", 1.0),
        ("Bob Smith", "Rob Smith", 1.0),  # two nicknames of one name
        ("Doe, Jane", "Jane Doe", 1.0),
        ("Dr. Jane Doe", "Jane Doe", 1.0),
        ("María García", "Maria Garcia", 1.0),
        ("王小明", "王 小明", 1.0),
        ("Katherine Lee", "Catherine Lee", 0.923),
        ("Jane Smith", "Jane Smyth", 0.9),
        ("Daniel Kim", "Danielle Kim", 0.909),
        ("Michael Chen", "Michelle Chen", 0.88),
        ("Jane Doe", "John Doe", 0.75),
        ("Jane Doe", "Jane Doe-Smith", 0.727),
        ("王小明", "王晓明", 0.667),
        ("Jane Doe", "Mark Jones", 0.444),
    ],
)
def test_likely_same_person_scores_names_at_one_organisation(a, b, expected):
    assert likely_same_person((a, "stripe"), (b, "stripe")) == expected
    assert likely_same_person((b, "stripe"), (a, "stripe")) == expected


def test_the_threshold_separates_spellings_from_other_people():
    def offered(a: str, b: str) -> bool:
        score = likely_same_person((a, "stripe"), (b, "stripe"))
        return score is not None and score >= REVIEW_THRESHOLD

    assert offered("Bob Smith", "Robert Smith")
    assert offered("Jane Smith", "Jane Smyth")
    assert not offered("Jane Doe", "John Doe")
    assert not offered("Jane Doe", "Mark Jones")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Bob Smith", "stripe"), ("Robert Smith", "square")),  # same name elsewhere is no evidence
        (("Bob Smith", ""), ("Robert Smith", "")),
        (("Bob Smith", "stripe"), ("Robert Smith", "")),
        (("", "stripe"), ("Robert Smith", "stripe")),
        (("Dr.", "stripe"), ("Robert Smith", "stripe")),  # nothing left once the title goes
    ],
)
def test_likely_same_person_only_within_one_known_organisation(a, b):
    assert likely_same_person(a, b) is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("bob", "robert", True),
        ("robert", "bob", True),
        ("bob", "rob", True),
        ("peggy", "margaret", True),
        ("jane", "john", False),
        ("alex", "alex", True),
    ],
)
def test_same_first_name(a, b, expected):
    assert same_first_name(a, b) is expected


LOOKALIKE_NAMES = [
    *(" ".join(parts) for parts in itertools.product(("Robert", "Bob", "Rob", "Bobby", "Roberta"), ("Smith", "Smyth"))),
    *(" ".join(parts) for parts in itertools.product(("Katherine", "Catherine", "Kate", "Cathy"), ("Lee", "Li"))),
    "Smith, Bob",
    "Dr. Robert Smith, PhD",
    "Daniel Kim",
    "Danielle Kim",
    "Michael Chen",
    "Michelle Chen",
    "Jane Doe",
    "John Doe",
    "Jane Doe-Smith",
    "王小明",
    "王 小明",
    "王小红",
    "James Harper",
    "Jamie Harper",
    "Jim Harper",
    "",
    "+44 20 7946 0958",
]


@pytest.mark.parametrize("name", LOOKALIKE_NAMES)
def test_lookalikes_finds_exactly_what_comparing_every_pair_finds(name):
    """The fast search an import uses must give the pairwise rule's answer, pair for pair."""
    others = {f"p{n}": other for n, other in enumerate(LOOKALIKE_NAMES)}
    expected = []
    for other_id, other in others.items():
        score = likely_same_person((name, "acme"), (other, "acme"))
        if score is not None and score >= REVIEW_THRESHOLD:
            expected.append((other_id, score))

    assert Colleagues(others).lookalikes(name, "acme") == expected
    assert Colleagues(others).lookalikes(name, "") == []


def test_lookalikes_scores_a_nickname_pair_the_plain_ratio_would_miss():
    colleagues = Colleagues({"a": "Robert Smith", "b": "Roberto Smithers"})
    assert colleagues.lookalikes("Bob Smith", "acme") == [("a", 1.0)]


def test_someone_removed_or_renamed_is_found_as_they_are_now():
    colleagues = Colleagues({"a": "Robert Smith", "b": "Jane Doe"})
    colleagues.remove("a")
    assert colleagues.lookalikes("Bob Smith", "acme") == []
    colleagues.add("b", "Bob Smith")
    colleagues.add("a", "Robert Smith")
    assert colleagues.lookalikes("Robert Smith", "acme") == [("b", 1.0), ("a", 1.0)]
    assert len(colleagues) == 2 and "a" in colleagues
