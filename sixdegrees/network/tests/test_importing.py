"""Importing contact files: exact counts per format, idempotence, merging only on exact keys, review."""

from __future__ import annotations

from pathlib import Path

import pytest

from sixdegrees.network.importing import ImportRefused, start_import
from sixdegrees.network.models import ContactImport, DuplicateCandidate, Person, PersonSource
from sixdegrees.network.strength import ADDRESS_BOOK_PRIOR, LINKEDIN_PRIOR
from sixdegrees.network.tests.importing_files import (
    counts,
    google_file,
    linkedin_file,
    outlook_file,
    table_counts,
    vcard_file,
)
from sixdegrees.network.tests.test_formats_vcard import ANDROID_21, APPLE_30, NOTE_ONLY, V40

pytestmark = pytest.mark.django_db

LINKEDIN_ROWS = [
    'Priya,Raman,https://www.linkedin.com/in/priya-raman-0a1b2c,,"Stripe, Inc.",Staff Engineer,16 Jul 2026',
    'Tomás,Ó Briain,https://www.linkedin.com/in/tobriain,tomas@example.ie,Intercom,"VP, Product",03 Jan 2019',
    ",,,,,,",
    "",
    ",,https://www.linkedin.com/in/ghost,,,,01 Feb 2020",
    "Li,Wei,https://www.linkedin.com/in/liwei,,,,9 Dec 2024",
]


def imported(owner, data: bytes, filename: str = "file", format: str = "auto") -> ContactImport:
    done = start_import(owner, filename=filename, data=data, format=format)
    assert done.status == ContactImport.Status.DONE, done.error
    return done


def test_linkedin_export_counts_and_people(alice, tmp_path: Path) -> None:
    done = imported(alice, linkedin_file(tmp_path, LINKEDIN_ROWS), "Connections.csv")

    assert counts(done) == {"added": 3, "merged": 0, "unchanged": 0, "review": 0, "skipped": 1}
    assert done.skipped_lines == [[10, "no name, email or phone"]]
    assert (done.format, done.rows_total, done.rows_done, done.data) == ("linkedin", 4, 4, None)
    priya = Person.objects.get(owner=alice, linkedin_handle="priya-raman-0a1b2c")
    assert (priya.name, priya.organisation, priya.organisation_key, priya.title) == (
        "Priya Raman",
        "Stripe, Inc.",
        "stripe",
        "Staff Engineer",
    )
    assert priya.strength == LINKEDIN_PRIOR
    source = priya.sources.get()
    assert (source.kind, str(source.connected_on), source.contact_import_id) == ("linkedin", "2026-07-16", done.pk)
    tomas = Person.objects.get(owner=alice, linkedin_handle="tobriain")
    assert [e.address for e in tomas.emails.all()] == ["tomas@example.ie"]


def test_the_same_file_twice_changes_nothing(alice, tmp_path: Path) -> None:
    data = linkedin_file(tmp_path, LINKEDIN_ROWS)
    imported(alice, data)
    before = table_counts()
    people_before = list(Person.objects.values_list("id", "name", "organisation", "title", "strength"))

    again = imported(alice, data)

    assert counts(again) == {"added": 0, "merged": 0, "unchanged": 3, "review": 0, "skipped": 1}
    after = table_counts()
    assert after == {**before, "ContactImport": before["ContactImport"] + 1}
    assert list(Person.objects.values_list("id", "name", "organisation", "title", "strength")) == people_before


def test_google_export_keeps_phone_only_people_and_merges_repeats(alice, tmp_path: Path) -> None:
    data = google_file(
        tmp_path,
        [
            {
                "First Name": "Alex",
                "Last Name": "Okafor",
                "Organization Name": "Stripe",
                "Organization Title": "Head of Partnerships",
                "E-mail 1 - Value": "alex@stripe.com ::: alex.okafor@gmail.com",
                "Phone 1 - Value": "+1 415-555-0134",
                "Website 1 - Value": "https://www.linkedin.com/in/alexokafor",
            },
            {"Phone 1 - Label": "Mobile", "Phone 1 - Value": "+44 7700 900123", "Labels": "* myContacts"},
            {"File As": "Plumber (Dave)", "Phone 1 - Value": "020 7946 0018 ::: 020 7946 0019"},
            {"Labels": "* Other Contacts", "Organization Name": "Acme"},
            # The same Alex again under a Gmail spelling of one address: merged, not a second person.
            {"First Name": "Alex", "E-mail 1 - Value": "Alex.Okafor+work@gmail.com", "Phone 1 - Value": "+14155550199"},
            {"First Name": "Bo", "E-mail 1 - Value": "not an address"},
            {"E-mail 1 - Value": "also not one"},
        ],
    )

    done = imported(alice, data, "contacts.csv")

    assert counts(done) == {"added": 4, "merged": 1, "unchanged": 0, "review": 0, "skipped": 2}
    assert done.skipped_lines == [
        [5, "no name, email or phone"],
        [8, "no name, and no email address or phone number that can be used"],
    ]
    alex = Person.objects.get(owner=alice, name="Alex Okafor")
    assert [e.address for e in alex.emails.all()] == ["alex@stripe.com", "alex.okafor@gmail.com"]
    assert sorted(p.key for p in alex.phones.all()) == ["+14155550134", "+14155550199"]
    assert (alex.organisation_key, alex.linkedin_handle, alex.strength) == ("stripe", "alexokafor", ADDRESS_BOOK_PRIOR)
    phone_only = Person.objects.get(owner=alice, name="")
    assert [(p.number, p.key) for p in phone_only.phones.all()] == [("+44 7700 900123", "raw:+447700900123")]
    dave = Person.objects.get(owner=alice, name="Plumber (Dave)")
    assert sorted(p.key for p in dave.phones.all()) == ["raw:02079460018", "raw:02079460019"]
    assert Person.objects.get(owner=alice, name="Bo").emails.count() == 0


def test_outlook_desktop_export_in_windows_1252(alice, tmp_path: Path) -> None:
    data = outlook_file(
        tmp_path,
        [
            {
                "First Name": "Jürgen",
                "Last Name": "Müller",
                "Company": "Deutsche Bank AG",
                "Job Title": "Direktor",
                "E-mail Address": "juergen.mueller@db.example",
                "Mobile Phone": "+49 151 23456789",
            },
            {"First Name": "Zoë", "Last Name": "Brennan", "Business Phone": "+353 1 234 5678"},
            {},
        ],
    )

    done = imported(alice, data, "outlook.csv")

    assert (done.format, done.encoding) == ("outlook", "windows-1252")
    assert counts(done) == {"added": 2, "merged": 0, "unchanged": 0, "review": 0, "skipped": 1}
    jurgen = Person.objects.get(owner=alice, family_name="Müller")
    assert (jurgen.name, jurgen.organisation_key, jurgen.title) == ("Jürgen Müller", "deutsche bank", "Direktor")


def test_vcard_file_with_every_version(alice, tmp_path: Path) -> None:
    done = imported(alice, vcard_file(tmp_path, APPLE_30, ANDROID_21, V40, NOTE_ONLY), "contacts.vcf")

    assert counts(done) == {"added": 3, "merged": 0, "unchanged": 0, "review": 0, "skipped": 1}
    joao = Person.objects.get(owner=alice, family_name="Gonçalves")
    assert joao.organisation == "Fundação Champalimaud"
    assert "gosta de café" in joao.notes
    mei = Person.objects.get(owner=alice, linkedin_handle="meichen")
    assert [e.address for e in mei.emails.all()] == ["mei.chen@lab.example.edu"]


def test_linkedin_and_google_rows_with_one_email_are_one_person(alice, tmp_path: Path) -> None:
    imported(
        alice,
        linkedin_file(
            tmp_path, ["Maya,Lindqvist,https://www.linkedin.com/in/mayal,maya@klarna.example,Klarna,CTO,1 Mar 2025"]
        ),
    )
    done = imported(
        alice,
        google_file(
            tmp_path,
            [
                {
                    "First Name": "Maya",
                    "Last Name": "Lindqvist",
                    "Organization Name": "Klarna Bank AB",
                    "Organization Title": "Engineer",
                    "E-mail 1 - Value": "MAYA@klarna.example ::: maya.l@gmail.com",
                    "Phone 1 - Value": "+46 70 123 45 67",
                    "Notes": "Skier.",
                }
            ],
        ),
    )

    assert counts(done) == {"added": 0, "merged": 1, "unchanged": 0, "review": 0, "skipped": 0}
    maya = Person.objects.get(owner=alice)
    # LinkedIn's organisation and title stand; what Google adds fills the gaps.
    assert (maya.organisation, maya.title, maya.notes) == ("Klarna", "CTO", "Skier.")
    assert [e.address for e in maya.emails.all()] == ["maya@klarna.example", "maya.l@gmail.com"]
    assert [p.key for p in maya.phones.all()] == ["+46701234567"]
    assert sorted(maya.sources.values_list("kind", flat=True)) == ["google", "linkedin"]
    assert maya.strength == ADDRESS_BOOK_PRIOR  # an address book says more than a connection


def test_a_newer_linkedin_row_updates_the_job_an_address_book_gave(alice, tmp_path: Path) -> None:
    imported(
        alice,
        google_file(
            tmp_path,
            [
                {
                    "First Name": "Rui",
                    "Last Name": "Costa",
                    "Organization Name": "Acme",
                    "Organization Title": "Engineer",
                    "E-mail 1 - Value": "rui@costa.example",
                }
            ],
        ),
    )
    done = imported(
        alice,
        linkedin_file(
            tmp_path, ["Rui,Costa,https://www.linkedin.com/in/ruicosta,rui@costa.example,Stripe,Staff Engineer,"]
        ),
    )

    assert counts(done)["merged"] == 1
    rui = Person.objects.get(owner=alice)
    assert (rui.organisation, rui.organisation_key, rui.title, rui.linkedin_handle) == (
        "Stripe",
        "stripe",
        "Staff Engineer",
        "ruicosta",
    )


def test_a_vcard_with_the_linkedin_url_merges_on_the_handle(alice, tmp_path: Path) -> None:
    imported(alice, linkedin_file(tmp_path, ["Alex,Okafor,https://www.linkedin.com/in/alexokafor,,,,"]))
    done = imported(alice, vcard_file(tmp_path, APPLE_30))

    assert counts(done) == {"added": 0, "merged": 1, "unchanged": 0, "review": 0, "skipped": 0}
    alex = Person.objects.get(owner=alice)
    assert (alex.organisation_key, alex.title) == ("stripe", "Head of Partnerships")
    assert [e.address for e in alex.emails.all()] == ["alex@stripe.com", "alex.okafor@icloud.com"]


def test_the_same_phone_number_merges_however_it_is_written(alice, tmp_path: Path) -> None:
    imported(alice, google_file(tmp_path, [{"First Name": "Rui", "Phone 1 - Value": "+351 912 345 678"}]))
    done = imported(
        alice,
        vcard_file(
            tmp_path,
            "BEGIN:VCARD\nVERSION:3.0\nFN:Rui Costa\nN:Costa;Rui;;;\nTEL;type=CELL:tel:+351-912-345-678\nEND:VCARD\n",
        ),
    )

    assert counts(done)["merged"] == 1
    assert Person.objects.get(owner=alice).name == "Rui"  # the first name given stays


def test_keys_of_two_people_merge_into_the_first_and_ask_about_the_second(alice, tmp_path: Path) -> None:
    imported(
        alice,
        google_file(
            tmp_path,
            [
                {"First Name": "Ana", "E-mail 1 - Value": "ana@work.example"},
                {"First Name": "Ana Home", "E-mail 1 - Value": "ana@home.example"},
            ],
        ),
    )
    done = imported(
        alice,
        vcard_file(
            tmp_path,
            "BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nN:Lima;Ana;;;\n"
            "EMAIL:ana@work.example\nEMAIL:ana@home.example\nEND:VCARD\n",
        ),
    )

    assert counts(done) == {"added": 0, "merged": 0, "unchanged": 0, "review": 1, "skipped": 0}
    first = Person.objects.get(owner=alice, emails__key="ana@work.example")
    second = Person.objects.get(owner=alice, emails__key="ana@home.example")
    assert first.pk != second.pk  # never merged without the owner's yes
    assert list(DuplicateCandidate.objects.values_list("person_id", "other_id", "score")) == [
        (first.pk, second.pk, 1.0)
    ]


def test_likely_duplicates_go_to_review_never_merge(alice, tmp_path: Path) -> None:
    imported(alice, linkedin_file(tmp_path, ["Robert,Smith,https://www.linkedin.com/in/rsmith,,Acme Inc.,CFO,"]))
    done = imported(
        alice,
        google_file(
            tmp_path,
            [
                {
                    "First Name": "Bob",
                    "Last Name": "Smith",
                    "Organization Name": "ACME",
                    "E-mail 1 - Value": "bob@acme.example",
                },
                {
                    "First Name": "Jane",
                    "Last Name": "Smith",
                    "Organization Name": "Acme",
                    "E-mail 1 - Value": "jane@acme.example",
                },
                {"First Name": "Bob", "Last Name": "Smith", "Organization Name": "Globex"},
            ],
        ),
    )

    assert counts(done) == {"added": 2, "merged": 0, "unchanged": 0, "review": 1, "skipped": 0}
    assert Person.objects.filter(owner=alice).count() == 4
    robert = Person.objects.get(linkedin_handle="rsmith")
    bob = Person.objects.get(emails__key="bob@acme.example")
    assert list(DuplicateCandidate.objects.values_list("person_id", "other_id", "score", "status")) == [
        (robert.pk, bob.pk, 1.0, "open")
    ]
    # Importing the same file again asks nothing new.
    again = imported(
        alice,
        google_file(
            tmp_path,
            [
                {
                    "First Name": "Bob",
                    "Last Name": "Smith",
                    "Organization Name": "ACME",
                    "E-mail 1 - Value": "bob@acme.example",
                }
            ],
        ),
    )
    assert counts(again)["unchanged"] == 1
    assert DuplicateCandidate.objects.count() == 1


def test_a_truncated_file_changes_nothing_and_names_the_line(alice, tmp_path: Path) -> None:
    imported(alice, linkedin_file(tmp_path, LINKEDIN_ROWS))
    before = table_counts()
    data = linkedin_file(tmp_path, [*LINKEDIN_ROWS, 'Ana,Lima,,,"Stripe, In'])

    with pytest.raises(ImportRefused) as refused:
        start_import(alice, filename="Connections.csv", data=data)

    assert str(refused.value) == "line 12: the file ends inside a quoted field (is it cut short?)"
    assert table_counts() == before


@pytest.mark.parametrize(
    ("data", "format", "message"),
    [
        (b"", "auto", "The file is empty."),
        (b"x" * (20 * 1024 * 1024 + 1), "auto", "The file is 20.0 MB; one import takes at most 20 MB."),
        (b"a,b\r\n", "excel", "Unknown format 'excel'; choose one of auto, linkedin, google, outlook, vcard."),
        (b"name,phone\r\nAna,1\r\n", "auto", "this is not a contacts export"),
    ],
)
def test_files_it_cannot_take_are_refused_at_once(alice, data: bytes, format: str, message: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        start_import(alice, filename="f.csv", data=data, format=format)

    assert message in str(refused.value)
    assert ContactImport.objects.count() == 0


def test_another_owners_import_never_touches_this_owners_people(alice, bob, tmp_path: Path) -> None:
    rows = ["Maya,Lindqvist,https://www.linkedin.com/in/mayal,maya@klarna.example,Klarna,CTO,1 Mar 2025"]
    imported(alice, linkedin_file(tmp_path, rows))
    alice_before = list(Person.objects.filter(owner=alice).values())

    done = imported(bob, linkedin_file(tmp_path, rows))

    assert counts(done) == {"added": 1, "merged": 0, "unchanged": 0, "review": 0, "skipped": 0}
    assert list(Person.objects.filter(owner=alice).values()) == alice_before
    assert PersonSource.objects.filter(owner=alice).count() == 1
    assert Person.objects.get(owner=bob).pk != alice_before[0]["id"]
    assert DuplicateCandidate.objects.count() == 0
