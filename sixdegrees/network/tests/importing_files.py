"""Real-shaped contact files for the import tests, written the way each exporter writes them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sixdegrees.network.models import ContactImport, DuplicateCandidate, Person, PersonEmail, PersonPhone, PersonSource
from sixdegrees.network.tests.test_formats_google import CURRENT as GOOGLE_HEADER
from sixdegrees.network.tests.test_formats_linkedin import PREAMBLE
from sixdegrees.network.tests.test_formats_outlook import DESKTOP as OUTLOOK_DESKTOP
from sixdegrees.network.tests.test_formats_outlook import DESKTOP_DEFAULTS

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def linkedin_file(tmp_path: Path, rows: list[str], name: str = "Connections.csv") -> bytes:
    path = tmp_path / name
    path.write_bytes((PREAMBLE + LINKEDIN_HEADER + "".join(row + "\r\n" for row in rows)).encode("utf-8"))
    return path.read_bytes()


def google_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "contacts.csv") -> bytes:
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(GOOGLE_HEADER)
        for row in rows:
            writer.writerow([row.get(column, "") for column in GOOGLE_HEADER])
    return path.read_bytes()


def outlook_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "outlook.csv") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(OUTLOOK_DESKTOP)
    for row in rows:
        values = {**DESKTOP_DEFAULTS, **row}
        writer.writerow([values.get(column, "") for column in OUTLOOK_DESKTOP])
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path.read_bytes()


def vcard_file(tmp_path: Path, *cards: str, name: str = "contacts.vcf") -> bytes:
    path = tmp_path / name
    path.write_bytes("".join(cards).replace("\n", "\r\n").encode("utf-8"))
    return path.read_bytes()


def table_counts() -> dict[str, int]:
    """Rows in every network table an import writes, everyone's."""
    return {
        model.__name__: model.objects.count()
        for model in (Person, PersonEmail, PersonPhone, PersonSource, DuplicateCandidate, ContactImport)
    }


def counts(contact_import: ContactImport) -> dict[str, int]:
    return {
        "added": contact_import.added,
        "merged": contact_import.merged,
        "unchanged": contact_import.unchanged,
        "review": contact_import.needs_review,
        "skipped": contact_import.skipped,
    }
