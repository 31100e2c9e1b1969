"""The planner matches organisations and tells Chinese text apart with the network's own rules."""

from __future__ import annotations

import pytest

from sixdegrees.network.organisations import organisation_key
from sixdegrees.network.text import has_cjk, has_han
from sixdegrees.strategy.fields import same_org


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Sequoia", "Sequoia Capital", True),
        ("AI", "OpenAI", False),
        ("Stripe, Inc.", "stripe", True),
        ("STRIPE INC", "Stripe, Inc.", True),
        ("Google", "Alphabet", False),
        ("红杉", "红杉中国", True),
        ("腾讯科技有限公司", "腾讯科技", True),
        ("阿里巴巴集团", "阿里巴巴", True),
        ("", "Stripe", False),
        (None, "Stripe", False),
        # What the network's keys add: accents, legal forms cleanco knows, "&", a leading "The".
        ("Société Générale S.A.", "societe generale", True),
        ("The Boeing Company", "Boeing", True),
        ("Ernst & Young LLP", "Ernst and Young", True),
        ("Deutsche Bank AG", "Deutsche Bank", True),
    ],
)
def test_same_org(a, b, expected):
    assert same_org(a, b) is expected
    assert same_org(b, a) is expected


@pytest.mark.parametrize("name", ["Stripe, Inc.", "Société Générale S.A.", "腾讯科技有限公司", "The Limited"])
def test_names_with_equal_network_keys_are_one_organisation_to_the_planner(name):
    # A contact imported with one spelling must count as "at the target's organisation" for any other.
    spelled_otherwise = organisation_key(name).upper()
    assert same_org(name, spelled_otherwise)


def test_chinese_text_is_han_and_korean_or_kana_is_not():
    assert has_han("王小明") and has_han("𠮷野家")  # an extension-plane character too
    assert not has_han("김민준") and not has_han("さくら") and not has_han("Wang Xiaoming")
    assert has_cjk("김민준") and has_cjk("さくら") and has_cjk("王小明")
