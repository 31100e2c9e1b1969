"""`sixdegrees contacts list`: one owner's people, strongest first, filtered by organisation."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sixdegrees.cli import cli
from sixdegrees.network.importing import start_import
from sixdegrees.network.models import Person
from sixdegrees.network.tests.importing_files import linkedin_file

pytestmark = pytest.mark.django_db

ROWS = [
    'Priya,Raman,https://www.linkedin.com/in/priya-raman-0a1b2c,,"Stripe, Inc.",Staff Engineer,16 Jul 2026',
    "Alex,Smith,https://www.linkedin.com/in/alexsmith,alex@stripe.com,stripe,Engineer,01 Feb 2020",
    'Tomás,Ó Briain,https://www.linkedin.com/in/tobriain,tomas@example.ie,Intercom,"VP, Product",03 Jan 2019',
]


@pytest.fixture
def networks(alice, bob, tmp_path):
    start_import(alice, filename="Connections.csv", data=linkedin_file(tmp_path, ROWS))
    start_import(
        bob,
        filename="Connections.csv",
        data=linkedin_file(tmp_path, ["Bo,Secret,,bo@stripe.com,Stripe,CFO,1 Jan 2021"]),
    )
    tomas = Person.objects.get(owner=alice, linkedin_handle="tobriain")
    tomas.strength_override, tomas.strength, tomas.hidden = 0.8, 0.8, True
    tomas.save()


def run(*args: str):
    return CliRunner().invoke(cli, ["contacts", "list", *args])


def test_it_lists_the_owners_people_strongest_first(networks):
    result = run("--owner", "alice@example.com")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "3 people in the network of alice@example.com:"
    assert [line.split()[0:3] for line in lines[2:5]] == [
        ["0.80*", "Tomás", "Ó"],
        ["0.10", "Alex", "Smith"],
        ["0.10", "Priya", "Raman"],
    ]
    assert "(hidden)" in lines[2] and "tomas@example.ie" in lines[2]
    assert lines[-1] == "* corrected by hand"
    assert "Secret" not in result.output  # bob's network is his alone


@pytest.mark.parametrize("org", ["Stripe, Inc.", "stripe", "STRIPE INC", "stripe.com", "someone@stripe.com"])
def test_org_matches_however_it_is_written(networks, org):
    result = run("--owner", "alice@example.com", "--org", org, "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["owner"], data["count"]) == ("alice@example.com", 2)
    assert [p["name"] for p in data["people"]] == ["Alex Smith", "Priya Raman"]
    alex = data["people"][0]
    assert (alex["emails"], alex["sources"], alex["strength"], alex["corrected"], alex["hidden"]) == (
        ["alex@stripe.com"],
        ["linkedin"],
        0.1,
        False,
        False,
    )


def test_nobody_there_is_said_plainly_and_is_no_error(networks):
    result = run("--owner", "alice@example.com", "--org", "Contoso")

    assert (result.exit_code, result.stdout) == (0, "Nobody at Contoso in the network of alice@example.com yet.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody@example.com"], "Error: No account with the address nobody@example.com."),
        (["--owner", "alice@example.com", "--org", "alex@gmail.com"], "Error: --org 'alex@gmail.com' names no"),
    ],
)
def test_refusals_are_one_line_with_exit_code_1(networks, args, message):
    result = run(*args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
