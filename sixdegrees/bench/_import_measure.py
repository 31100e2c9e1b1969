"""The import benchmark's measurements, run inside one scratch installation (bench/contacts_import.py starts it).

Imports Django models, so it is loaded only after django.setup() (the leading underscore keeps the
benchmark discovery in bench/__main__.py from importing it). It reads a JSON config file named on
the command line and prints one JSON line of results.

Rounds alternate the product's way and the reference way, each into a fresh owner's empty network:
- product: `importing.prepare_import` then `importing.run_import`, what `sixdegrees contacts
  import` and the worker run (detect, parse the whole file, match on exact keys, merge, review
  look-alikes, one source per row, chunks of 500 in their own transactions);
- reference: a plain `csv.reader` pass over the same bytes (columns by header name) and a bulk
  insert of the same people and their addresses in one transaction: no matching, no keys, no
  sources, no fingerprints. It is the floor any importer pays to read and store these rows.
Then the same file again into the product's last network (every row "unchanged").
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction

from sixdegrees.accounts.models import User
from sixdegrees.network.importing import prepare_import, run_import
from sixdegrees.network.models import ContactImport, Person, PersonEmail


def product(owner: User, data: bytes) -> tuple[float, ContactImport]:
    started = time.perf_counter()
    queued = prepare_import(owner, filename="Connections.csv", data=data, format="auto")
    done = run_import(queued.pk)
    elapsed = time.perf_counter() - started
    if done.status != ContactImport.Status.DONE:
        raise SystemExit(f"the import failed: {done.error}")
    return elapsed, done


def reference(owner: User, data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        if row[:2] == ["First Name", "Last Name"]:
            column = {name: index for index, name in enumerate(row)}
            break
    else:
        raise SystemExit("no header in the generated file")
    people: list[Person] = []
    emails: list[tuple[int, str]] = []
    for row in reader:
        if not any(row):
            continue
        people.append(
            Person(
                owner=owner,
                name=f"{row[column['First Name']]} {row[column['Last Name']]}".strip(),
                given_name=row[column["First Name"]][:100],
                family_name=row[column["Last Name"]][:100],
                organisation=row[column["Company"]][:200],
                title=row[column["Position"]][:200],
                profile_url=row[column["URL"]][:500],
            )
        )
        if row[column["Email Address"]]:
            emails.append((len(people) - 1, row[column["Email Address"]]))
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=1000)
        seen: set[str] = set()
        rows = []
        for index, address in emails:
            if address.lower() not in seen:  # the table's (owner, key) is unique
                seen.add(address.lower())
                rows.append(PersonEmail(person=people[index], owner=owner, address=address, key=address.lower()))
        PersonEmail.objects.bulk_create(rows, batch_size=1000)
    return time.perf_counter() - started, len(people)


def _analyze() -> None:
    # Autovacuum would have analysed a table this size by the next import; SQLite has no such need.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    data = Path(config["file"]).read_bytes()
    call_command("migrate", verbosity=0)
    results: dict[str, Any] = {"engine": connection.vendor, "product_s": [], "reference_s": []}
    last: User | None = None
    for round_number in range(config["rounds"]):
        owner = User.objects.create_user(f"product{round_number}@bench.example", name="Bench")
        elapsed, done = product(owner, data)
        results["product_s"].append(elapsed)
        results["counts"] = {"rows": done.rows_total, **done.counts()}
        last = owner
        _analyze()
        plain = User.objects.create_user(f"reference{round_number}@bench.example", name="Bench")
        elapsed, stored = reference(plain, data)
        results["reference_s"].append(elapsed)
        results["reference_rows"] = stored
        _analyze()
        print(
            f"   round {round_number + 1}: product {results['product_s'][-1]:.1f} s, reference {elapsed:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    assert last is not None
    elapsed, again = product(last, data)
    results["again_s"] = elapsed
    results["again_unchanged"] = again.unchanged
    results["people_in_database"] = Person.objects.count()
    print(json.dumps(results))


__all__ = ["main"]
