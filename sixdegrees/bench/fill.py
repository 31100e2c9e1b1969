"""Filling a scratch SQLite database fast, for benchmarks and the backup tests.

Rows go in through executemany in one transaction, bypassing the ORM (100k emails take about
a second). Columns the caller does not give get a type-appropriate value, so the filler keeps
working when other people add NOT NULL columns to these tables.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

WORDS = (
    "introduction warm intro founder partner climate series investor engineer research lab thanks "
    "meeting coffee product launch team hiring advice mentor network alumni conference paper model "
    "reply follow question chance brief short happy glad would could share connect next week"
).split()


def sqlite_time(moment: dt.datetime) -> str:
    """How Django stores an aware datetime in SQLite (UTC, without the offset)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@functools.lru_cache(maxsize=4)
def text_block(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def _filler(type_name: str, name: str, create_sql: str, now: str) -> Any:
    kind = type_name.lower()
    if f'JSON_VALID("{name}")' in create_sql:
        return "{}"
    if kind.startswith("bool") or "int" in kind or kind.startswith(("decimal", "real", "float", "numeric")):
        return 0
    if kind.startswith("datetime"):
        return now
    if kind == "date":
        return now[:10]
    return ""


class Filler:
    """Inserts rows into one table, filling every NOT NULL column the caller leaves out."""

    def __init__(self, conn: sqlite3.Connection, table: str, given: list[str], now: dt.datetime):
        create_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        stamp = sqlite_time(now)
        self.defaults = {
            name: _filler(type_name, name, create_sql, stamp)
            for _cid, name, type_name, notnull, default, pk in conn.execute(f'PRAGMA table_info("{table}")')
            if notnull and default is None and not pk and name not in given
        }
        columns = given + list(self.defaults)
        self.extra = tuple(self.defaults.values())
        self.sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        self.conn = conn

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> None:
        extra = self.extra
        self.conn.executemany(self.sql, (row + extra for row in rows))


def fill(
    db_path: Path,
    *,
    campaigns: int,
    emails_per_campaign: int,
    body_bytes: int = 300,
    prefix: str = "fill",
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Add one user, `campaigns` campaigns and their emails; returns rows added per table."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = sqlite_time(now)
    # Bodies are slices of a block far larger than gzip's 32 kB window, so they compress like text, not like copies.
    block = text_block(max(body_bytes * 8 + 4096, 4_000_000))
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            user_id = f"user_{prefix}"
            Filler(conn, "users", ["id", "email", "name", "created_at", "updated_at"], now).insert(
                [(user_id, f"{prefix}@example.com", "Filler", stamp, stamp)]
            )
            Filler(
                conn, "campaigns", ["id", "user_id", "email", "target_name", "status", "created_at", "updated_at"], now
            ).insert(
                (f"camp_{prefix}_{c:08d}", user_id, f"{prefix}@example.com", f"Target {c}", "completed", stamp, stamp)
                for c in range(campaigns)
            )
            emails = Filler(
                conn,
                "email_outreach",
                [
                    "id",
                    "campaign_id",
                    "hop",
                    "recipient_email",
                    "subject",
                    "body",
                    "status",
                    "created_at",
                    "updated_at",
                ],
                now,
            )
            emails.insert(_emails(prefix, campaigns, emails_per_campaign, block, body_bytes, stamp))
    finally:
        conn.close()
    return {"users": 1, "campaigns": campaigns, "email_outreach": campaigns * emails_per_campaign}


def _emails(
    prefix: str, campaigns: int, per_campaign: int, block: str, body_bytes: int, stamp: str
) -> Iterator[tuple[Any, ...]]:
    span = len(block) - body_bytes
    n = 0
    for c in range(campaigns):
        campaign = f"camp_{prefix}_{c:08d}"
        for hop in range(1, per_campaign + 1):
            offset = (n * 7919) % span
            yield (
                f"email_{prefix}_{n:010d}",
                campaign,
                hop,
                f"person{n}@example.com",
                f"Introduction {n}",
                block[offset : offset + body_bytes],
                "sent",
                stamp,
                stamp,
            )
            n += 1
