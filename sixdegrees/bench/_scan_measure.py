"""The scan benchmark's measurements, run inside one scratch installation (bench/mailbox_scan.py starts it).

Imports Django models, so it is loaded only after django.setup() (the leading underscore keeps the
benchmark discovery in bench/__main__.py from importing it). It reads a JSON config file named on
the command line and prints one JSON line of results.

Rounds alternate the product's way and the reference way over the same Dovecot mailbox:
- product: `scanning.scan_mailbox(owner)` for a fresh owner and mailbox (no cursor yet), what
  `sixdegrees contacts scan-mailbox` and the worker run: find Sent by its special-use flag, read
  both folders read-only in batches, classify every message, store the observations, turn them
  into strengths and people;
- reference: imaplib alone: log in, EXAMINE each folder, UID SEARCH ALL, UID FETCH the same
  header fields with BODY.PEEK in batches of the same size, and parse each header block with the
  email package (the policy the scan uses). Nothing is classified or stored.
Then the last owner scans again (nothing new: one SEARCH per folder).
"""

from __future__ import annotations

import email
import imaplib
import json
import sys
import time
from email import policy
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection

from sixdegrees.accounts.models import User
from sixdegrees.network.mailscan import HEADER_FIELDS
from sixdegrees.network.models import MailboxScan, MailObservation, Person
from sixdegrees.network.scanning import scan_mailbox
from sixdegrees.outreach.models import Mailbox

BATCH = 500  # mailscan.scan's default


def product(owner: User) -> tuple[float, MailboxScan]:
    started = time.perf_counter()
    record = scan_mailbox(owner)
    elapsed = time.perf_counter() - started
    if record.status != MailboxScan.Status.DONE:
        raise SystemExit(f"the scan failed: {record.error}")
    return elapsed, record


def reference(imap: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    client = imaplib.IMAP4(imap["host"], imap["port"])
    client.login(imap["user"], imap["password"])
    parsed = 0
    for folder in ("Sent", "INBOX"):
        client.select(folder, readonly=True)
        _typ, found = client.uid("SEARCH", "ALL")
        uids = found[0].split()
        for start in range(0, len(uids), BATCH):
            chunk = b",".join(uids[start : start + BATCH]).decode()
            _typ, data = client.uid("FETCH", chunk, f"(BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})] INTERNALDATE)")
            for item in data:
                if isinstance(item, tuple):
                    msg = email.message_from_bytes(item[1], policy=policy.default)
                    parsed += bool(msg["From"] or msg["To"])
    client.logout()
    return time.perf_counter() - started, parsed


def connect(owner: User, imap: dict[str, Any]) -> Mailbox:
    mailbox = Mailbox(
        owner=owner,
        address=imap["user"],
        smtp_host="127.0.0.1",
        imap_host=imap["host"],
        imap_port=imap["port"],
        imap_security="none",
    )
    mailbox.set_password(imap["password"])
    mailbox.save()
    return mailbox


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    imap = config["imap"]
    call_command("migrate", verbosity=0)
    results: dict[str, Any] = {"engine": connection.vendor, "product_s": [], "reference_s": []}
    owner: User | None = None
    for round_number in range(config["rounds"]):
        owner = User.objects.create_user(f"person{round_number}@bench.example", name="Bench")
        connect(owner, imap)
        elapsed, record = product(owner)
        results["product_s"].append(elapsed)
        results["scan"] = {
            "messages": record.messages_done,
            "observations": record.observations,
            "people": record.people_updated,
        }
        elapsed, parsed = reference(imap)
        results["reference_s"].append(elapsed)
        results["reference_messages"] = parsed
        print(
            f"   round {round_number + 1}: product {results['product_s'][-1]:.2f} s, reference {elapsed:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    assert owner is not None
    elapsed, again = product(owner)
    results["again_s"] = elapsed
    results["again_messages"] = again.messages_done
    results["observations_in_database"] = MailObservation.objects.count()
    results["people_with_a_tie"] = Person.objects.filter(owner=owner, measured_strength__gt=0).count()
    print(json.dumps(results))


__all__ = ["main"]
