"""The exact keys two records must share to be merged as one person without asking."""

from __future__ import annotations

import pytest

from sixdegrees.network.keys import email_key, is_no_reply, linkedin_handle, phone_key


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("alex.smith@stripe.com", "alex.smith@stripe.com"),
        # Exports disagree about case; the mailbox is the same one.
        ("Alex.Smith@Stripe.COM", "alex.smith@stripe.com"),
        ("  alex@stripe.com \t", "alex@stripe.com"),
        ("Alex Smith <Alex@Stripe.com>", "alex@stripe.com"),
        ("mailto:Alex@Stripe.com", "alex@stripe.com"),
        # Gmail ignores dots and "+tags"; googlemail.com is the same mailbox.
        ("Alex.Smith+news@GMail.com", "alexsmith@gmail.com"),
        ("alex.smith@googlemail.com", "alexsmith@gmail.com"),
        ("a.l.e.x.s.m.i.t.h@gmail.com", "alexsmith@gmail.com"),
        # Nowhere else: at other providers a dot or plus can be another person's mailbox.
        ("alex.smith+work@outlook.com", "alex.smith+work@outlook.com"),
        ("alex.smith@fastmail.com", "alex.smith@fastmail.com"),
        # An internationalised domain meets its ASCII form; "ß" is not folded into "ss".
        ("jürgen@xn--bcher-kva.de", "jürgen@bücher.de"),
        ("Jürgen@Bücher.de", "jürgen@bücher.de"),
        ("Straße@example.de", "straße@example.de"),
        ("ops@example.test", "ops@example.test"),
    ],
)
def test_email_key_normalises_one_mailbox_to_one_key(address, expected):
    assert email_key(address) == expected


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "Alex Smith",
        "alex@",
        "@stripe.com",
        "alex@stripe",
        "alex@localhost",
        "alex..smith@stripe.com",
        '"alex smith"@stripe.com',
        "alex@[192.0.2.1]",
        "alex@stripe.invalid",
        "+news@gmail.com",  # only a tag: no mailbox left
        "alex@stripe.com, bob@stripe.com",
    ],
)
def test_email_key_is_none_for_what_is_not_an_address(address):
    assert email_key(address) is None


def test_email_keys_of_two_people_differ():
    assert email_key("alex.smith@stripe.com") != email_key("alexsmith@stripe.com")
    assert email_key("alex+1@outlook.com") != email_key("alex@outlook.com")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415-555-2671", None, "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "us", "+14155552671"),  # region in any case
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0044 20 7946 0958", "GB", "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("+49 (0)30 901820", None, "+4930901820"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86 138-0013-8000", "US", "+8613800138000"),  # a "+" number ignores the region
        ("tel:+1-650-253-0000", None, "+16502530000"),  # vCard 4.0 writes TEL as a URI
        ("+1 212 555 0100 ext. 123", None, "+12125550100;ext=123"),
        ("(212) 555-0100 x456", "US", "+12125550100;ext=456"),
        ("+1 415-555-2671", "XX", "+14155552671"),  # an unknown region is no region
    ],
)
def test_phone_key_is_e164(raw, region, expected):
    assert phone_key(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("020 7946 0958", None),  # national numbers need the country they were written in
        ("(415) 555-2671", "XX"),
        ("12345", "US"),
        ("call me", "US"),
        ("", "US"),
        ("+44 7700 900123", None),  # Ofcom's drama range: never a real line
        ("+1 415 555 267", None),  # one digit short
    ],
)
def test_phone_key_is_none_for_invalid_numbers(raw, region):
    assert phone_key(raw, region) is None


def test_phone_extensions_keep_colleagues_apart():
    assert phone_key("+1 212 555 0100 x123") != phone_key("+1 212 555 0100 x456")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.linkedin.com/in/alex-smith-1a2b3c", "alex-smith-1a2b3c"),
        ("http://linkedin.com/in/Alex-Smith-1A2B3C/", "alex-smith-1a2b3c"),
        ("HTTPS://WWW.LINKEDIN.COM/IN/ALEX-SMITH", "alex-smith"),
        ("https://de.linkedin.com/in/j%C3%BCrgen-m%C3%BCller-42?trk=people-guest", "jürgen-müller-42"),
        ("https://cn.linkedin.com/in/xiaoming-wang", "xiaoming-wang"),
        ("www.linkedin.com/in/alex-smith", "alex-smith"),
        ("linkedin.com/in/alex-smith", "alex-smith"),
        ("https://www.linkedin.com/in/alex-smith/details/experience/", "alex-smith"),
        ("https://www.linkedin.com/in/alex-smith#experience", "alex-smith"),
        ("https://www.linkedin.com/mwlite/in/alex-smith", "alex-smith"),
        ("https://www.linkedin.com:443/in/alex-smith", "alex-smith"),
        (" https://www.linkedin.com/in/alex-smith ", "alex-smith"),
    ],
)
def test_linkedin_handle_of_every_profile_url_form(url, expected):
    assert linkedin_handle(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://www.linkedin.com/company/stripe/",
        "https://www.linkedin.com/school/stanford-university/",
        "https://www.linkedin.com/pub/john-doe/12/345/678",  # old form: its /in/ handle is unknowable
        "https://www.linkedin.com/profile/view?id=12345",
        "https://www.linkedin.com/in/",
        "https://www.linkedin.com/in/a%2Fb",  # an encoded slash is no handle
        "https://lnkd.in/e4Xyz",
        "https://www.linkedin.com.evil.example/in/alex-smith",
        "https://evil.example/www.linkedin.com/in/alex-smith",
        "https://notlinkedin.com/in/alex-smith",
        "ftp://linkedin.com/in/alex-smith",
        "http://[linkedin.com/in/alex-smith",
        "https://github.com/alex-smith",
    ],
)
def test_linkedin_handle_is_none_for_other_urls(url):
    assert linkedin_handle(url) is None


@pytest.mark.parametrize(
    "address",
    [
        "noreply@github.com",
        "no-reply@accounts.google.com",
        "no_reply@zoom.us",
        "DoNotReply@chase.com",
        "do-not-reply@ups.com",
        "MAILER-DAEMON@mx.google.com",
        "postmaster@stripe.com",
        "bounces+1234-abcd=stripe.com@mail.substack.com",
        "notifications@github.com",
        "calendar-notification@google.com",
        "alerts@chase.com",
        "newsletter@substack.com",
        "12345+octocat@users.noreply.github.com",
        "news@bounce.mailchimp.com",
        "Notifications <notifications-noreply@linkedin.com>",
    ],
)
def test_machine_senders_are_no_reply(address):
    assert is_no_reply(address) is True


@pytest.mark.parametrize(
    "address",
    [
        "alex@stripe.com",
        "info@stripe.com",  # shared inboxes have people behind them
        "support@stripe.com",
        "hello@figma.com",
        "alerts are off",  # not an address at all
        "",
    ],
)
def test_people_are_not_no_reply(address):
    assert is_no_reply(address) is False
