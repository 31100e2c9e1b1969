"""`sixdegrees contacts import`: counts a person can read, refusals in one line, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sixdegrees.cli import cli
from sixdegrees.cli.contacts import FORMAT_CHOICES
from sixdegrees.network.importing import FORMAT_CHOICES as IMPORT_FORMATS
from sixdegrees.network.importing import INLINE_ROWS
from sixdegrees.network.models import ContactImport, Person
from sixdegrees.network.tests.importing_files import linkedin_file, table_counts
from sixdegrees.network.tests.test_importing import LINKEDIN_ROWS

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(cli, ["contacts", "import", *args])


def write(tmp_path: Path, rows: list[str], name: str = "Connections.csv") -> Path:
    linkedin_file(tmp_path, rows, name)
    return tmp_path / name


def many_rows(count: int) -> list[str]:
    # Each at an organisation of their own, so no two are look-alikes for review.
    return [f"Person{n},Family{n},https://www.linkedin.com/in/p{n},,Org {n},Engineer,16 Jul 2026" for n in range(count)]


def test_it_reports_every_count_and_the_skipped_line(alice, tmp_path):
    result = run(str(write(tmp_path, LINKEDIN_ROWS)), "--owner", "Alice@Example.com")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Imported Connections.csv (LinkedIn, 4 records) into the network of alice@example.com:",
        "  added 3, merged 0, unchanged 0, needs review 0, skipped 1",
        "Skipped (1):",
        "  line 10: no name, email or phone",
    ]
    assert result.stderr == ""  # a small file shows no progress
    assert Person.objects.filter(owner=alice).count() == 3


def test_the_same_file_again_changes_nothing_and_json_says_so(alice, tmp_path):
    path = write(tmp_path, LINKEDIN_ROWS)
    assert run(str(path), "--owner", "alice@example.com").exit_code == 0
    before = Person.objects.count()

    result = run(str(path), "--owner", "alice@example.com", "--format", "linkedin", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("format", "status", "rows", "added", "merged", "unchanged", "needs_review")} == {
        "format": "linkedin",
        "status": "done",
        "rows": 4,
        "added": 0,
        "merged": 0,
        "unchanged": 3,
        "needs_review": 0,
    }
    assert (data["skipped"], data["skipped_lines"]) == (1, [{"line": 10, "reason": "no name, email or phone"}])
    assert Person.objects.count() == before


def test_a_truncated_file_is_refused_naming_the_line_and_changes_nothing(alice, tmp_path):
    run(str(write(tmp_path, LINKEDIN_ROWS)), "--owner", "alice@example.com")
    before = table_counts()
    path = write(tmp_path, [*LINKEDIN_ROWS, 'Ana,Lima,,,"Stripe, In'], "cut.csv")

    result = run(str(path), "--owner", "alice@example.com")

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: cut.csv: line 12: the file ends inside a quoted field (is it cut short?)"
    assert result.stdout == ""
    assert table_counts() == before


def test_a_large_file_shows_progress_on_stderr_only(alice, tmp_path):
    rows = many_rows(INLINE_ROWS + 500)

    result = run(str(write(tmp_path, rows)), "--owner", "alice@example.com")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        f"Imported Connections.csv (LinkedIn, {len(rows):,} records) into the network of alice@example.com:",
        f"  added {len(rows):,}, merged 0, unchanged 0, needs review 0, skipped 0",
    ]
    assert result.stderr.startswith("Importing")  # click draws the bar itself on a terminal only
    assert Person.objects.filter(owner=alice).count() == len(rows)


def test_a_large_file_broken_past_the_first_rows_changes_nothing(alice, tmp_path):
    # The first INLINE_ROWS records are checked before the import is stored; the rest while it runs.
    rows = [*many_rows(INLINE_ROWS + 10), 'Ana,Lima,,,"Stripe, In']

    result = run(str(write(tmp_path, rows)), "--owner", "alice@example.com", "--quiet")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: Connections.csv: line {len(rows) + 5}: the file ends inside a quoted field"
    )
    assert result.stderr.strip().endswith("Nothing was imported.")
    assert Person.objects.count() == 0
    assert ContactImport.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody@example.com"], "Error: No account with the address nobody@example.com."),
        (
            ["--owner", "alice@example.com", "--format", "google"],
            "Error: Connections.csv: line 1: the first row is 'Notes:', expected a Google Contacts header",
        ),
    ],
)
def test_refusals_are_one_line_with_exit_code_1(alice, tmp_path, args, message):
    result = run(str(write(tmp_path, LINKEDIN_ROWS)), *args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert Person.objects.count() == 0


def test_an_empty_file_and_an_unknown_format_are_refused(alice, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert run(str(empty), "--owner", "alice@example.com").stderr.strip() == "Error: empty.csv: The file is empty."
    unknown = run(str(empty), "--owner", "alice@example.com", "--format", "excel")
    assert unknown.exit_code == 2 and "'excel' is not one of" in unknown.stderr


def test_it_offers_the_formats_the_importer_takes():
    assert FORMAT_CHOICES == IMPORT_FORMATS
