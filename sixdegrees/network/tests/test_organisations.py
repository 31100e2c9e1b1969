"""Organisation keys: the spellings of one company meet, two companies do not."""

from __future__ import annotations

import socket

import pytest

from sixdegrees.network import organisations
from sixdegrees.network.organisations import (
    domain_organisation_key,
    organisation_key,
    organisation_key_for,
    same_organisation,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Stripe, Inc.", "stripe"),
        ("stripe", "stripe"),
        ("STRIPE INC", "stripe"),
        ("Stripe Inc", "stripe"),
        ("  Stripe,   Inc. ", "stripe"),
        ("Société Générale S.A.", "societe generale"),
        ("SOCIETE GENERALE", "societe generale"),
        ("Deutsche Bank AG", "deutsche bank"),
        ("Nestlé S.A.", "nestle"),
        ("A.P. Møller - Mærsk A/S", "ap moller maersk"),
        ("The Boeing Company", "boeing"),
        ("The Coca-Cola Company", "coca cola"),
        ("Ernst & Young LLP", "ernst and young"),
        ("Ernst and Young", "ernst and young"),
        ("AT&T Inc.", "att"),
        ("J.P. Morgan", "jp morgan"),
        ("JP Morgan", "jp morgan"),
        ("McDonald's Corporation", "mcdonalds"),
        ("McDonald’s", "mcdonalds"),
        ("Amazon.com, Inc.", "amazon"),
        ("Booking.com", "booking"),
        ("Node.js", "nodejs"),  # "js" is no top-level domain: a name, not a domain
        ("Alphabet Inc. (Google)", "alphabet"),
        ("ＳＯＮＹ", "sony"),
        # cleanco alone would leave "The" or nothing: the words are kept instead.
        ("The Limited", "limited"),
        ("Limited", "limited"),
        ("The Company", "company"),
        ("Inc.", "inc"),
        ("The", "the"),
        # Chinese, Japanese and Korean legal forms go; the characters stay (no pinyin collisions).
        ("腾讯科技有限公司", "腾讯科技"),
        ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
        ("株式会社ソニー", "ソニー"),
        ("トヨタ自動車株式会社", "トヨタ自動車"),
        ("(주)카카오", "카카오"),
        ("㈜카카오", "카카오"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_organisation_key(name, expected):
    assert organisation_key(name) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stripe, Inc.", "Deutsche Bank AG"),
        ("华为", "华威"),  # one pinyin ("HuaWei"), two companies
        ("Meta Platforms, Inc.", "Meta"),  # a different name is a different key; review can join them
        ("Limited Brands", "The Limited"),
    ],
)
def test_different_organisations_get_different_keys(a, b):
    assert organisation_key(a) != organisation_key(b)


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("alex@stripe.com", "stripe"),
        ("alex@eng.stripe.com", "stripe"),
        ("Alex Smith <Alex@Stripe.COM>", "stripe"),
        ("x@bbc.co.uk", "bbc"),
        ("x@news.bbc.co.uk", "bbc"),
        ("y@deutsche-bank.de", "deutsche bank"),
        ("k@coca-cola.com", "coca cola"),
        ("s@cs.stanford.edu", "stanford"),
        ("m@bücher.de", "bucher"),
        ("t@tencent.com.cn", "tencent"),
        ("a@alex.github.io", "github"),  # the ICANN list only: hosting suffixes are not employers
        ("a@figma.example", "figma"),  # an unlisted top-level domain follows the "*" rule
        ("noreply@github.com", "github"),  # a machine at GitHub is still GitHub; is_no_reply says the rest
    ],
)
def test_domain_organisation_key_of_work_addresses(email, expected):
    assert domain_organisation_key(email) == expected


@pytest.mark.parametrize(
    "email",
    [
        "alex.smith@gmail.com",
        "alex@googlemail.com",
        "alex@outlook.com",
        "alex@hotmail.co.uk",
        "alex@hotmail.fr",
        "alex@live.com",
        "alex@msn.com",
        "alex@yahoo.com",
        "alex@yahoo.co.jp",
        "alex@yahoo.com.br",
        "alex@ymail.com",
        "alex@icloud.com",
        "alex@me.com",
        "alex@mac.com",
        "alex@aol.com",
        "alex@proton.me",
        "alex@protonmail.com",
        "alex@protonmail.ch",
        "alex@gmx.de",
        "alex@gmx.net",
        "alex@web.de",
        "alex@mail.ru",
        "alex@yandex.ru",
        "alex@yandex.com",
        "alex@qq.com",
        "alex@vip.qq.com",
        "alex@163.com",
        "alex@126.com",
        "alex@sina.com",
        "alex@foxmail.com",
        "alex@naver.com",
        "abc123@privaterelay.appleid.com",
        "12345+octocat@users.noreply.github.com",
        "alex@co.uk",  # a public suffix itself names nobody
        "not an address",
        "",
    ],
)
def test_domain_organisation_key_is_none_for_free_mail_and_non_addresses(email):
    assert domain_organisation_key(email) is None


def test_the_bundled_suffix_list_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network used at run time")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    organisations.public_suffixes.cache_clear()
    try:
        assert domain_organisation_key("x@news.bbc.co.uk") == "bbc"
    finally:
        organisations.public_suffixes.cache_clear()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Stripe, Inc.", "alex@stripe.com", True),
        ("alex@eng.stripe.com", "STRIPE INC", True),
        ("Stripe, Inc.", "stripe", True),
        ("sam@stripe.com", "alex@eng.stripe.com", True),
        ("Deutsche Bank AG", "y@deutsche-bank.de", True),
        ("BBC", "x@bbc.co.uk", True),
        ("Stripe, Inc.", "Square, Inc.", False),
        ("a@gmail.com", "b@gmail.com", False),  # free mail is no employer
        ("Gmail", "a@gmail.com", False),
        ("", "", False),
        ("", "alex@stripe.com", False),
    ],
)
def test_same_organisation(a, b, expected):
    assert same_organisation(a, b) is expected
    assert same_organisation(b, a) is expected


def test_organisation_key_for_reads_names_and_addresses():
    assert organisation_key_for("alex@stripe.com") == "stripe"
    assert organisation_key_for("Stripe, Inc.") == "stripe"
    assert organisation_key_for("alex@gmail.com") is None
    assert organisation_key_for("") is None
    assert organisation_key_for("Stripe @ Work") == "stripe work"  # an "@" alone makes no address
