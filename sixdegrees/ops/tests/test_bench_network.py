"""The import and scan benchmarks' plumbing (the measurements themselves run in `make bench`)."""

from __future__ import annotations

import datetime as dt

from sixdegrees.bench import __main__ as bench
from sixdegrees.bench import contacts_import, mailbox_scan
from sixdegrees.bench.linkedin_export import connections_csv
from sixdegrees.bench.mailbox_messages import messages
from sixdegrees.network.formats import Entry, Skipped, open_file
from sixdegrees.network.mailscan import observe


def test_discovery_finds_both_benchmarks_but_not_their_helpers():
    found = bench.benchmarks()
    assert found["import"] is contacts_import
    assert found["scan"] is mailbox_scan
    assert not any(name.startswith("_") for name in found)


def test_the_generated_export_is_what_the_importer_reads_as_linkedin():
    data = connections_csv(2_000, seed=3)
    assert data == connections_csv(2_000, seed=3)  # the same file every run
    parsed = open_file(data, "auto")
    records = list(parsed.records)

    assert parsed.format == "linkedin"
    entries = [r for r in records if isinstance(r, Entry)]
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert len(entries) + len(skipped) < 2_000  # the empty ,,,,,, rows are dropped without a word
    assert skipped and all(r.reason == "no name, email or phone" for r in skipped)  # the URL-only rows
    assert any('"' in e.title for e in entries) and any("," in e.organisation for e in entries)
    assert 0.04 < sum(bool(e.emails) for e in entries) / len(entries) < 0.15
    assert {e.organisation for e in entries} >= {"Stripe, Inc.", "Stripe", "STRIPE INC"}


def test_the_generated_mailbox_has_ties_and_the_mail_that_is_none():
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    owner = "owner@bench.example"
    generated = list(messages(owner, 600, now))
    assert len(generated) == 600 and all(m.at < now for m in generated)
    assert {m.folder for m in generated} == {"Sent", "INBOX"}
    bulk = kept = 0
    for message in generated:
        headers = message.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        found = observe(headers, "out" if message.folder == "Sent" else "in", {owner}, message.at, message.folder)
        bulk += any(o.bulk for o in found)
        kept += any(not o.bulk for o in found)
    assert bulk > 100 and kept > 300  # newsletters, receipts and announcements, and real threads


def _import_engine(product_s: list[float], reference_s: list[float]) -> dict:
    return {
        "product_s": product_s,
        "reference_s": reference_s,
        "again_s": 10.0,
        "again_unchanged": 49_000,
        "counts": {"rows": 49_900, "added": 45_000, "merged": 0, "unchanged": 0, "needs_review": 4_000, "skipped": 100},
    }


def test_the_import_section_gives_the_ratio_and_whether_the_target_is_met():
    results = {
        "rows": 50_000,
        "rounds": 3,
        "bytes": 5_000_000,
        "sqlite": _import_engine([50.0, 40.0, 45.0], [5.0, 5.0, 4.0]),
        "postgresql": _import_engine([100.0, 80.0, 90.0], [5.0, 5.0, 5.0]),
    }
    text = contacts_import.markdown(results)
    assert "| SQLite: import vs csv.reader + bulk insert (50,000 rows) | 1,111 vs 10,000 rows/s = **0.11×** |" in text
    assert "| SQLite: the whole file, `contacts import`'s way | 45.0 s | < 60 s | yes |" in text
    assert "| PostgreSQL: the whole file, `contacts import`'s way | 90.0 s | < 60 s | **no** |" in text
    assert "45,000 added, 0 merged, 4,000 for review, 100 skipped" in text


def test_the_scan_section_gives_the_ratio_and_whether_the_target_is_met():
    engine = {
        "product_s": [10.0, 12.0, 11.0],
        "reference_s": [1.0, 1.0, 1.0],
        "again_s": 0.05,
        "again_messages": 0,
        "scan": {"messages": 3_000, "observations": 3_100, "people": 40},
    }
    results = {"messages": 3_000, "rounds": 3, "folders": {"Sent": 900, "INBOX": 2_100}, "sqlite": engine}
    text = mailbox_scan.markdown(results)
    assert "| SQLite: scan vs raw imaplib FETCH + header parse (3,000 messages) | 273 vs 3,000 messages/s" in text
    assert "≥ 200 messages/s | yes |" in text
    assert "| SQLite: the next scan, nothing new | 50 ms (0 messages read) |" in text
    assert "SQLite (no PostgreSQL server given)" in text
