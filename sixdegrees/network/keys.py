"""Exact matching keys for a person: normalised email, E.164 phone, LinkedIn handle.

Two records that share one of these keys are the same person and are merged without asking;
everything fuzzier goes to the review queue (see names.likely_same_person). So each key must be
strict: a key that is too loose merges two people, which is worse than missing a merge.

A key is for matching only. Keep the address, number or URL as the person typed it for display
and sending: the Gmail key of "Alex.Smith+news@gmail.com" is "alexsmith@gmail.com".
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

import phonenumbers
from email_validator import EmailNotValidError, ValidatedEmail, validate_email

# Google documents that dots never matter and "+anything" is ignored in Gmail addresses, and
# googlemail.com is the same mailbox; other providers differ (plus is a real character at some),
# so folding anywhere else could merge two people.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# The local part, split on the separators senders put between words ("no-reply", "mailer.daemon").
_LOCAL_WORDS = re.compile(r"[.\-_+=]+")
# Words that only machines sign with: nobody reads mail sent to them and nobody writes from them.
NO_REPLY_WORDS = frozenset(
    {
        "noreply",
        "donotreply",
        "dontreply",
        "mailerdaemon",
        "postmaster",
        "bounce",
        "bounces",
        "notification",
        "notifications",
        "notify",
        "notifier",
        "alert",
        "alerts",
        "newsletter",
        "newsletters",
        "autoreply",
        "autoresponder",
        "autoconfirm",
        "automated",
        "nobody",
    }
)
# Hosts that exist only to send machine mail ("bounce.mailchimp.com", "users.noreply.github.com").
NO_REPLY_HOST_LABELS = frozenset({"noreply", "no-reply", "bounce", "bounces", "bounces-mail"})

# A LinkedIn custom profile handle: letters (any script), digits and hyphens, 3 to 100 long per
# LinkedIn's help; underscores occur in some old ones, and two-letter handles exist from the start.
_LINKEDIN_HANDLE = re.compile(r"[\w-]{2,100}")


def validated_email(address: str) -> ValidatedEmail | None:
    """email-validator's view of an address (no DNS), or None when it is not one.

    Accepts what address books and headers contain: surrounding spaces, a "mailto:" prefix and a
    display name ("Alex Smith <alex@stripe.com>"). The reserved ".test" domain is accepted because
    no real person has it and test suites use it; a domain without a dot ("alex@localhost") is not.
    """
    text = address.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].strip()
    if not text:
        return None
    try:
        valid = validate_email(text, check_deliverability=False, allow_display_name=True, test_environment=True)
    except EmailNotValidError:
        return None
    if "." not in valid.domain:
        return None
    return valid


def email_key(address: str) -> str | None:
    """The address two records must share to be one person, or None when it is not an address.

    email-validator lowercases only the domain. The local part is lowercased here too: RFC 5321
    allows a mailbox to be case-sensitive, but no provider people use is (Gmail, Outlook, Yahoo,
    iCloud, Exchange and Google Workspace all ignore case), while exports disagree about case all
    the time ("Alex.Smith@" in Outlook, "alex.smith@" in LinkedIn). Not merging those would leave
    one person as two, which happens daily; two people whose addresses differ only by case does not.
    `.lower()`, not `.casefold()`: casefold turns "ß" into "ss", which is another mailbox.
    """
    valid = validated_email(address)
    if valid is None:
        return None
    local = valid.local_part.lower()
    domain = valid.domain  # already lowercased and IDNA-normalised, so "xn--bcher-kva.de" is "bücher.de"
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
        if not local:
            return None  # "+tag@gmail.com" names no mailbox
    return f"{local}@{domain}"


def phone_key(raw: str, region: str | None = None) -> str | None:
    """The number in E.164 ("+14155552671"), or None when it is not a valid phone number.

    `region` is the ISO 3166 country ("US", "gb") to read a national number in, usually the owner's
    country; without one (or with an unknown one) only numbers written with "+" or "tel:+" parse,
    because "020 7946 0958" is a London number only if we know it was written in Britain.

    An extension is kept, RFC 3966 style ("+12125550100;ext=123"): colleagues behind one
    switchboard share its number, and dropping their extensions would merge them into one person.
    """
    text = raw.strip()
    if not text:
        return None
    code = (region or "").strip().upper()
    default_region = code if code in phonenumbers.SUPPORTED_REGIONS else None
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        key += f";ext={number.extension}"
    return key


def linkedin_handle(url: str) -> str | None:
    """The lowercased handle of a LinkedIn profile URL ("alex-smith-1a2b3c"), else None.

    Any form of the same profile gives the same handle: http or https, with or without "www." or
    a country subdomain ("de.linkedin.com"), the mobile "/mwlite/" prefix, a trailing slash or
    sub-page ("/details/experience/"), a query string or fragment, percent-encoding
    ("j%C3%BCrgen" is "jürgen"), any case, and no scheme at all ("linkedin.com/in/alex").

    None for everything else, deliberately including the old "/pub/name/1a/2b/3c" form: LinkedIn
    redirects it to an "/in/" handle we cannot derive offline, and a guessed key could merge two
    people. Company, school and "lnkd.in" short links are not profiles either.
    """
    text = url.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text.lstrip("/")  # LinkedIn exports and people often omit the scheme
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None  # e.g. an unbalanced "[" in the host
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments and segments[0].lower() == "mwlite":
        segments = segments[1:]
    if len(segments) < 2 or segments[0].lower() != "in":
        return None
    # Split before decoding so an encoded "%2F" cannot smuggle a second segment into the handle.
    handle = unicodedata.normalize("NFC", unquote(segments[1])).lower()
    if not _LINKEDIN_HANDLE.fullmatch(handle):
        return None
    return handle


def is_no_reply(address: str) -> bool:
    """True for machine senders: no-reply, notifications, bounces, mailer-daemon, postmaster.

    These never mean the owner knows someone (a tie needs a person at the other end), so the
    mailbox scan ignores them. Shared human inboxes (info@, support@, hello@) are not included:
    a person answers those. Something that is not an address is not a no-reply sender.
    """
    valid = validated_email(address)
    if valid is None:
        return False
    local = valid.local_part.lower()
    words = [word for word in _LOCAL_WORDS.split(local) if word]
    joined = "".join(words)
    # "no-reply", "do_not_reply" and "mailer-daemon" are spelt with separators as often as without.
    if any(machine in joined for machine in ("noreply", "donotreply", "dontreply", "noresponse", "mailerdaemon")):
        return True
    if any(word in NO_REPLY_WORDS for word in words):
        return True
    return any(label in NO_REPLY_HOST_LABELS for label in valid.ascii_domain.lower().split(".")[:-1])
