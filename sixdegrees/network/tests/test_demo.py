"""`sixdegrees demo`: fictional demo people whose networks give a first run named paths."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from sixdegrees.accounts.models import User
from sixdegrees.cli import cli
from sixdegrees.cli import demo as _demo_command  # noqa: F401  (registers the command)
from sixdegrees.network.demo import DEMO_DOMAIN, DEMO_TARGETS, FINGERPRINT_PREFIX, build_demo
from sixdegrees.network.demo_install import DemoConflict, install_demo, remove_demo
from sixdegrees.network.importing import start_import
from sixdegrees.network.importing_entries import usable_phone
from sixdegrees.network.keys import email_key, validated_email
from sixdegrees.network.models import DuplicateCandidate, Person, PersonEmail, PersonPhone, PersonSource
from sixdegrees.network.names import REVIEW_THRESHOLD
from sixdegrees.network.organisations import domain_organisation_key, organisation_key
from sixdegrees.network.strength import ADDRESS_BOOK_PRIOR
from sixdegrees.network.tests.importing_files import counts, google_file

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
# NANPA's 555-0100…0199 in any area code, Ofcom's London drama range 020 7946 0000…0999.
FICTIONAL_PHONE = re.compile(r"\+1\d{3}5550[1]\d{2}|\+442079460\d{3}")


def reserved_for_examples(domain: str) -> bool:
    """RFC 2606: the .example top-level domain, and example.com, example.net, example.org."""
    domain = domain.lower()
    return domain.endswith(".example") or domain in ("example.com", "example.net", "example.org")


def demo_owners() -> list[User]:
    return list(User.objects.filter(email__endswith="@" + DEMO_DOMAIN).order_by("email"))


def snapshot(owner: User) -> list[tuple]:
    """Everything a person would see of one network, without ids or the clock of the run."""
    rows = []
    for person in Person.objects.filter(owner=owner).prefetch_related("emails", "phones", "sources"):
        rows.append(
            (
                person.name,
                person.organisation,
                person.title,
                person.strength,
                person.strength_evidence,
                person.emails_sent,
                person.emails_received,
                person.hidden,
                tuple(sorted(e.address for e in person.emails.all())),
                tuple(sorted(p.number for p in person.phones.all())),
                tuple(sorted((s.kind, s.fingerprint) for s in person.sources.all())),
            )
        )
    return sorted(rows)


@pytest.mark.django_db
def test_each_demo_person_gets_a_network_of_the_asked_size():
    report = install_demo(seed=7, people=3, contacts=60, now=NOW)

    owners = demo_owners()
    assert [owner.email for owner in owners] == [f"{n}@{DEMO_DOMAIN}" for n in ("avery", "lin", "sam")]
    assert [owner.name for owner in owners] == ["Avery Demo", "Lin Demo", "Sam Demo"]
    for owner in owners:
        assert Person.objects.filter(owner=owner).count() == 60
        # The review queue has the one person written twice ("Robert"/"Bob" Whitfield …).
        pairs = DuplicateCandidate.objects.filter(owner=owner, status=DuplicateCandidate.Status.OPEN)
        assert pairs.count() == 3
        assert all(pair.score >= REVIEW_THRESHOLD for pair in pairs)
        kinds = set(PersonSource.objects.filter(owner=owner).values_list("kind", flat=True))
        assert {"linkedin", "google", "mailbox"} <= kinds
    assert [(o.added, o.unchanged, o.duplicates) for o in report.owners] == [(60, 0, 3)] * 3
    names = Person.objects.values_list("name", flat=True)
    assert any(re.search(r"[\u4e00-\u9fff]", name) for name in names)  # 张伟 as well as Wei Zhang


@pytest.mark.django_db
def test_demo_people_know_some_of_the_same_people():
    install_demo(seed=7, people=2, contacts=120, now=NOW)
    avery, lin = demo_owners()

    in_both = set(PersonEmail.objects.filter(owner=avery).values_list("key", flat=True)) & set(
        PersonEmail.objects.filter(owner=lin).values_list("key", flat=True)
    )

    assert len(in_both) >= 5
    # They also know each other: each is in the other's network, as a close two-way tie.
    lin_at_avery = Person.objects.get(owner=avery, emails__key=lin.email)
    assert lin_at_avery.name == "Lin Demo" and lin_at_avery.emails_sent > 0 and lin_at_avery.emails_received > 0
    assert lin_at_avery.strength > 0.5


@pytest.mark.django_db
@pytest.mark.parametrize("target", DEMO_TARGETS, ids=lambda t: t.name)
def test_every_network_has_someone_at_each_demo_target_organisation(target):
    install_demo(seed=7, people=3, contacts=60, now=NOW)

    for owner in demo_owners():
        there = Person.objects.filter(owner=owner, organisation_key=organisation_key(target.organisation))
        assert there.count() >= 2
        # At least one of them is a measured two-way tie, stronger than a bare address-book entry.
        best = there.order_by("-strength").first()
        assert best is not None and best.strength > ADDRESS_BOOK_PRIOR
        assert "both ways" in best.strength_evidence and best.emails.exists()


@pytest.mark.django_db
def test_no_address_phone_or_link_can_reach_anyone_real():
    install_demo(seed=7, people=3, contacts=200, now=NOW)
    owners = demo_owners()

    addresses = list(PersonEmail.objects.filter(owner__in=owners).values_list("address", flat=True))
    assert len(addresses) > 300
    assert [a for a in addresses if not reserved_for_examples(a.rpartition("@")[2])] == []
    assert all(owner.email.endswith(".example") for owner in owners)
    numbers = list(PersonPhone.objects.filter(owner__in=owners).values_list("key", flat=True))
    assert numbers and [n for n in numbers if not FICTIONAL_PHONE.fullmatch(n)] == []
    urls = [url for url in Person.objects.filter(owner__in=owners).values_list("profile_url", flat=True) if url]
    assert urls and [u for u in urls if not (urlsplit(u).hostname or "").endswith(".example")] == []
    assert not Person.objects.filter(owner__in=owners).exclude(linkedin_handle="").exists()


def test_the_same_seed_builds_the_same_networks_and_another_seed_does_not():
    first = build_demo(seed=7, people=3, contacts=100, now=NOW)
    again = build_demo(seed=7, people=3, contacts=100, now=NOW)
    other = build_demo(seed=8, people=3, contacts=100, now=NOW)

    assert first == again
    assert [c.name for c in first[0].contacts] != [c.name for c in other[0].contacts]


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_rows():
    install_demo(seed=7, people=2, contacts=50, now=NOW)
    before = {owner.email: snapshot(owner) for owner in demo_owners()}
    remove_demo()
    install_demo(seed=7, people=2, contacts=50, now=NOW)

    assert {owner.email: snapshot(owner) for owner in demo_owners()} == before
    assert all(fp.startswith(FINGERPRINT_PREFIX) for fp in PersonSource.objects.values_list("fingerprint", flat=True))


@pytest.mark.django_db
def test_installing_twice_adds_nothing():
    install_demo(seed=7, people=3, contacts=60, now=NOW)
    counts = (User.objects.count(), Person.objects.count(), PersonSource.objects.count())
    duplicates = DuplicateCandidate.objects.count()

    report = install_demo(seed=7, people=3, contacts=60, now=NOW + dt.timedelta(days=3))

    assert (User.objects.count(), Person.objects.count(), PersonSource.objects.count()) == counts
    assert DuplicateCandidate.objects.count() == duplicates
    assert [(o.added, o.unchanged) for o in report.owners] == [(0, 60)] * 3


@pytest.mark.django_db
def test_a_correction_survives_installing_again_and_a_removed_contact_comes_back():
    install_demo(seed=7, people=1, contacts=50, now=NOW)
    (avery,) = demo_owners()
    corrected = Person.objects.filter(owner=avery).order_by("name").first()
    Person.objects.filter(pk=corrected.pk).update(strength_override=0.95, strength=0.95)
    gone = Person.objects.filter(owner=avery).order_by("-name").first()
    gone_name = gone.name
    gone.delete()

    install_demo(seed=7, people=1, contacts=50, now=NOW)

    assert Person.objects.get(pk=corrected.pk).strength == 0.95
    assert Person.objects.filter(owner=avery).count() == 50
    assert Person.objects.filter(owner=avery, name=gone_name).exists()


@pytest.mark.django_db
def test_other_options_on_top_of_existing_demo_data_are_refused_and_change_nothing():
    install_demo(seed=7, people=1, contacts=50, now=NOW)
    before = Person.objects.count()

    with pytest.raises(DemoConflict, match=r"--reset"):
        install_demo(seed=8, people=1, contacts=50, now=NOW)

    assert Person.objects.count() == before


@pytest.mark.django_db
def test_reset_removes_only_the_demo_data(alice):
    mine = Person.objects.create(owner=alice, name="Ana Real", organisation="Northwind Ventures")
    PersonEmail.objects.create(person=mine, owner=alice, address="ana@example.com", key="ana@example.com")
    # Even a contact of a real person on the demo domain is theirs, not demo data.
    also_mine = Person.objects.create(owner=alice, name="Avery Demo")
    PersonEmail.objects.create(
        person=also_mine, owner=alice, address=f"avery@{DEMO_DOMAIN}", key=f"avery@{DEMO_DOMAIN}"
    )
    install_demo(seed=7, people=3, contacts=50, now=NOW)

    removed = remove_demo()

    assert (removed.accounts, removed.people) == (3, 150)
    assert demo_owners() == []
    assert set(Person.objects.values_list("pk", flat=True)) == {mine.pk, also_mine.pk}
    assert PersonEmail.objects.count() == 2 and User.objects.filter(pk=alice.pk).exists()
    assert PersonSource.objects.count() == DuplicateCandidate.objects.count() == 0


@pytest.mark.django_db
def test_three_networks_of_300_are_written_in_bulk(django_assert_max_num_queries):
    # Row by row this would be thousands of queries; in bulk it is a few dozen per person (the
    # account and its free credit included).
    with django_assert_max_num_queries(100):
        install_demo(seed=7, people=3, contacts=300, now=NOW)

    assert Person.objects.count() == 900


@pytest.mark.django_db
def test_the_command_says_how_to_sign_in_and_what_to_try(settings):
    result = CliRunner().invoke(cli, ["demo", "--people", "2", "--contacts", "40"])

    assert result.exit_code == 0, result.output
    assert f"avery@{DEMO_DOMAIN}" in result.output and f"lin@{DEMO_DOMAIN}" in result.output
    assert f"{settings.SITE_URL}/signin" in result.output
    assert str(settings.OUTBOX_DIR) in result.output
    assert "Imani Falk" in result.output and "Northwind Ventures" in result.output
    assert Person.objects.count() == 80


@pytest.mark.django_db
def test_the_command_prints_json():
    result = CliRunner().invoke(cli, ["demo", "--people", "2", "--contacts", "40", "--seed", "3", "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 3
    assert [p["email"] for p in data["people"]] == [f"avery@{DEMO_DOMAIN}", f"lin@{DEMO_DOMAIN}"]
    assert set(data["people"][0]) == {
        "email",
        "name",
        "contacts",
        "added",
        "unchanged",
        "duplicates_to_review",
        "shared_with_other_demo_people",
    }
    assert data["people"][0]["contacts"] == data["people"][0]["added"] == 40
    assert data["people"][0]["shared_with_other_demo_people"] > 0
    assert [t["name"] for t in data["targets"]] == [t.name for t in DEMO_TARGETS]
    assert set(data["sign_in"]) == {"url", "codes_in", "mailbox_configured"}

    reset = CliRunner().invoke(cli, ["demo", "--reset", "--json"])
    assert json.loads(reset.stdout) == {"removed": {"accounts": 2, "people": 80}}


@pytest.mark.django_db
def test_the_command_refuses_other_options_in_one_line():
    CliRunner().invoke(cli, ["demo", "--people", "1", "--contacts", "40"])
    result = CliRunner().invoke(cli, ["demo", "--people", "1", "--contacts", "40", "--seed", "8"])

    assert result.exit_code == 1
    assert "made with other options" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [["--contacts", "5"], ["--people", "9"]])
def test_sizes_out_of_range_are_a_clear_error(args):
    result = CliRunner().invoke(cli, ["demo", *args])

    assert result.exit_code == 2
    assert args[0] in result.output


def test_help_explains_that_nothing_can_reach_anyone():
    result = CliRunner().invoke(cli, ["demo", "--help"])

    assert result.exit_code == 0
    words = " ".join(result.output.split())
    assert "on a domain reserved for examples" in words and "no mail can ever reach anyone" in words
    assert "Example: sixdegrees demo" in result.output


@pytest.mark.django_db
def test_demo_people_are_keyed_as_imported_people_and_an_import_merges_into_them(tmp_path):
    """Regression: on .invalid domains email_key() refused every demo address, so each was keyed by
    hand, and an export naming a demo contact added a second person instead of merging."""
    install_demo(seed=7, people=1, contacts=60, now=NOW)
    (avery,) = demo_owners()
    stored = list(PersonEmail.objects.filter(owner=avery))
    assert stored and all(email_key(e.address) == e.key for e in stored)
    assert all(validated_email(owner.email) for owner in demo_owners())  # the demo accounts can sign in
    for phone in PersonPhone.objects.filter(owner=avery):
        assert usable_phone(phone.number) == (phone.number, phone.key)
    # A work address's domain names its organisation, as a real one's does.
    northwind = Person.objects.filter(owner=avery, organisation_key="northwind ventures").exclude(emails=None)
    work = [e.address for p in northwind for e in p.emails.all() if e.address.endswith("@northwind-ventures.example")]
    assert work and {domain_organisation_key(address) for address in work} == {"northwind ventures"}

    contact = Person.objects.filter(owner=avery, sources__kind="google").exclude(emails=None).order_by("name").first()
    address = contact.emails.first().address
    local, _, domain = address.partition("@")
    people_before, sources_before = Person.objects.filter(owner=avery).count(), contact.sources.count()
    data = google_file(
        tmp_path,
        [{"First Name": "Someone", "Last Name": "Else", "E-mail 1 - Value": f"{local}@{domain.upper()}"}],
    )

    done = start_import(avery, filename="contacts.csv", data=data)

    assert counts(done) == {"added": 0, "merged": 1, "unchanged": 0, "review": 0, "skipped": 0}
    assert Person.objects.filter(owner=avery).count() == people_before
    assert contact.sources.count() == sources_before + 1
    assert contact.sources.filter(contact_import=done).exists()  # the export's row is a source of the demo person
