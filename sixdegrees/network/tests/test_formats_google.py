"""Google Contacts CSV in its current and older layouts, with a BOM, ::: cells and phone-only people."""

from __future__ import annotations

import csv
from pathlib import Path

from sixdegrees.network.formats import Entry, Skipped, open_file, parse

CURRENT = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,"
    "Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,"
    "Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
    "Address 1 - Extended Address,Website 1 - Label,Website 1 - Value,E-mail 10 - Label,E-mail 10 - Value"
).split(",")

OLDER = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,"
    "Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,"
    "Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,"
    "E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,"
    "Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,"
    "Organization 1 - Department,Organization 1 - Symbol,Organization 1 - Location,Organization 1 - Job Description"
).split(",")


def write_google(tmp_path: Path, header: list[str], rows: list[dict[str, str]]) -> bytes:
    """A file as Google writes it: UTF-8 with a BOM, CRLF, every row as wide as the header."""
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(name, "") for name in header])
    return path.read_bytes()


def google(line: int, full_name: str, **fields: object) -> Entry:
    values: dict = {
        "given_name": "",
        "family_name": "",
        "emails": (),
        "phones": (),
        "profile_url": "",
        "organisation": "",
        "title": "",
        "connected_on": None,
        "notes": "",
    }
    values.update(fields)
    return Entry(line=line, source="google", full_name=full_name, **values)


def test_current_layout(tmp_path: Path) -> None:
    data = write_google(
        tmp_path,
        CURRENT,
        [
            {
                "First Name": "Alex",
                "Middle Name": "J.",
                "Last Name": "Okafor",
                "Organization Name": "Stripe",
                "Organization Title": "Head of Partnerships",
                "Labels": "* myContacts ::: Work",
                "E-mail 1 - Label": "* Work ::: Home",
                "E-mail 1 - Value": "alex@stripe.com ::: alex.okafor@gmail.com",
                "E-mail 2 - Label": "Other",
                "E-mail 2 - Value": "ALEX@stripe.com",
                "E-mail 10 - Value": "aj@okafor.family",
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": "+1 415-555-0134",
                "Website 1 - Label": "Profile",
                "Website 1 - Value": "https://www.linkedin.com/in/alexokafor",
                "Notes": "Met at the Lisbon offsite.\nIntroduced me to Maya.\n\nOwes me a coffee.",
            },
            # Phone-only: kept, never dropped.
            {"Phone 1 - Label": "Mobile", "Phone 1 - Value": "+44 7700 900123", "Labels": "* myContacts"},
            {"File As": "Plumber (Dave)", "Phone 1 - Value": "020 7946 0018 ::: 020 7946 0019"},
            {"Labels": "* Other Contacts", "Organization Name": "Acme"},
            {},
            {"Nickname": "Bo", "First Name": "Bo", "E-mail 1 - Value": "bo@example.com"},
        ],
    )

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("google", "utf-8-sig")
    assert list(parsed.records) == [
        google(
            2,
            "Alex J. Okafor",
            given_name="Alex",
            family_name="Okafor",
            emails=("alex@stripe.com", "alex.okafor@gmail.com", "aj@okafor.family"),
            phones=("+1 415-555-0134",),
            profile_url="https://www.linkedin.com/in/alexokafor",
            organisation="Stripe",
            title="Head of Partnerships",
            notes="Met at the Lisbon offsite.\nIntroduced me to Maya.\n\nOwes me a coffee.",
        ),
        google(6, "", phones=("+44 7700 900123",)),
        google(7, "Plumber (Dave)", phones=("020 7946 0018", "020 7946 0019")),
        Skipped(line=8, reason="no name, email or phone"),
        google(10, "Bo", given_name="Bo", emails=("bo@example.com",)),
    ]


def test_older_layout_with_numbered_organisation_and_name_column(tmp_path: Path) -> None:
    data = write_google(
        tmp_path,
        OLDER,
        [
            {
                "Name": "Maya Lindqvist",
                "Given Name": "Maya",
                "Family Name": "Lindqvist",
                "Group Membership": "* myContacts",
                "E-mail 1 - Type": "* Work",
                "E-mail 1 - Value": "maya@klarna.example",
                "Organization 1 - Name": "Klarna ::: Spotify",
                "Organization 1 - Title": "CTO ::: Engineer",
            },
            {"Name": "Rui Costa", "Phone 1 - Value": "", "Phone 2 - Value": "+351 912 345 678"},
        ],
    )

    assert list(parse(data, "google")) == [
        google(
            2,
            "Maya Lindqvist",
            given_name="Maya",
            family_name="Lindqvist",
            emails=("maya@klarna.example",),
            organisation="Klarna",
            title="CTO",
        ),
        google(3, "Rui Costa", phones=("+351 912 345 678",)),
    ]
