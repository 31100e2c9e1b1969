"""A person's network in their account export, and gone with their account (another's untouched)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from sixdegrees.accounts.deletion import delete_account
from sixdegrees.network.editing import add_typed_in, edit
from sixdegrees.network.importing import start_import
from sixdegrees.network.models import (
    ContactImport,
    DuplicateCandidate,
    MailboxScan,
    MailObservation,
    Person,
    PersonEmail,
    PersonPhone,
    PersonSource,
    ScanCursor,
)
from sixdegrees.network.tests.importing_files import linkedin_file
from sixdegrees.outreach.models import Mailbox

pytestmark = pytest.mark.django_db

NETWORK_MODELS = (
    Person,
    PersonEmail,
    PersonPhone,
    PersonSource,
    ContactImport,
    DuplicateCandidate,
    MailObservation,
    MailboxScan,
)


def build_network(owner, tmp_path) -> None:
    """Every kind of network row for `owner`: an import, typed-in people, a review pair, mail, a scan."""
    start_import(
        owner,
        filename="Connections.csv",
        data=linkedin_file(
            tmp_path,
            [
                "Ana,Lima,https://www.linkedin.com/in/ana-lima,ana@stripe.com,Stripe,Engineer,16 Jul 2026",
                "Jonathan,Park,https://www.linkedin.com/in/jpark,,Acme,CTO,3 Mar 2026",
                "Jon,Park,https://www.linkedin.com/in/jon-park,,Acme,,3 Mar 2026",
            ],
            name=f"{owner.pk}.csv",
        ),
    )
    _, ben = add_typed_in(owner, {"name": "Ben Okafor", "emails": ["ben@acme.test"], "phones": ["+1 650 555 0100"]})
    edit(ben, {"strength": 0.7, "hidden": True})
    mailbox = Mailbox.objects.create(owner=owner, address=f"{owner.pk}@example.com", smtp_host="smtp.example.com")
    ScanCursor.objects.create(mailbox=mailbox, folder="INBOX", uidvalidity=1, last_uid=10)
    MailboxScan.objects.create(owner=owner, mailbox=mailbox, status="done")
    MailObservation.objects.create(
        owner=owner, address="ana@stripe.com", direction="in", at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )


def rows_of(owner) -> dict[str, int]:
    counts = {model.__name__: model.objects.filter(owner=owner).count() for model in NETWORK_MODELS}
    counts["ScanCursor"] = ScanCursor.objects.filter(mailbox__owner=owner).count()
    return counts


def test_the_export_holds_the_whole_network(alice, tmp_path):
    build_network(alice, tmp_path)
    client = Client()
    client.force_login(alice)

    data = json.loads(client.get("/settings/export").content)

    network = data["network"]
    people = {person["name"]: person for person in network["people"]}
    assert set(people) == {"Ana Lima", "Jonathan Park", "Jon Park", "Ben Okafor"}
    assert people["Ana Lima"]["emails"] == ["ana@stripe.com"]
    assert people["Ana Lima"]["sources"][0]["kind"] == "linkedin"
    assert people["Ana Lima"]["sources"][0]["connected_on"] == "2026-07-16"
    assert people["Ben Okafor"]["phones"] == ["+1 650 555 0100"]
    assert people["Ben Okafor"]["strength_correction"] == 0.7 and people["Ben Okafor"]["hidden"] is True
    assert [row["added"] for row in network["imports"]] == [2]
    assert len(network["duplicates"]) == 1
    assert network["mail_observations"][0]["address"] == "ana@stripe.com"


def test_deleting_an_account_removes_its_network_and_leaves_anothers_alone(alice, bob, tmp_path):
    build_network(alice, tmp_path)
    build_network(bob, tmp_path)
    bobs = rows_of(bob)
    assert all(rows_of(alice).values()), rows_of(alice)

    delete_account(alice)

    assert rows_of(alice) == {name: 0 for name in rows_of(alice)}
    assert rows_of(bob) == bobs
    assert Person.objects.filter(owner=bob, name="Ana Lima").exists()
