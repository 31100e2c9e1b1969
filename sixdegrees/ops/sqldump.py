"""Reading an SQLite SQL dump of the earlier deployment safely, for `sixdegrees import-d1`.

The dump is split into statements (strings, quoted names and comments respected, each statement
with the line it starts on) and only CREATE TABLE and INSERT are replayed, into a private
in-memory SQLite database, never the live one. Anything else that could change data is refused
with its line number; a dump that ends mid-statement or never commits is refused too.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEGACY_TABLES = ("users", "campaigns", "campaign_steps", "email_outreach", "credit_transactions")


class LegacyImportError(Exception):
    """The import was refused or failed; nothing was written."""


class DumpError(LegacyImportError):
    """The dump cannot be read as a whole (malformed, truncated, unreadable)."""


# --- Reading the dump ---------------------------------------------------------------------

_SPECIAL = re.compile(r"""['"`\[;]|--|/\*""")
_CLOSER = {"'": "'", '"': '"', "`": "`", "[": "]", "/*": "*/"}
_LEADING_NOISE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_QUOTED = r"""(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|'(?:[^']|'')*'|[A-Za-z_][\w$]*)"""
_NAME = rf"(?:{_QUOTED}\s*\.\s*)?({_QUOTED})"  # an optional schema, then the table name
_CREATE_TABLE = re.compile(rf"CREATE\s+(?:(TEMP|TEMPORARY|VIRTUAL)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
_INSERT = re.compile(rf"(?:INSERT(?:\s+OR\s+[A-Za-z]+)?|REPLACE)\s+INTO\s+{_NAME}", re.I)
_DELETE = re.compile(rf"DELETE\s+FROM\s+{_NAME}", re.I)
_NOT_DATA = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX|CREATE\s+(?:TEMP\w*\s+)?(?:TRIGGER|VIEW)\b", re.I)
_STRING_END = {q: re.compile(f"[^{q}]*(?:{q}{q}[^{q}]*)*{q}") for q in ("'", '"')}
_TOKEN = re.compile(r"\S")
_TRIGGER = re.compile(r"CREATE\s+(?:TEMP\w*\s+)?TRIGGER\b", re.I)
_SKIPPED = {"PRAGMA", "SAVEPOINT", "RELEASE", "ANALYZE"}


@dataclass
class Statement:
    line: int
    text: str

    @property
    def preview(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 80 else text[:77] + "…"


def split_statements(chunks: Iterable[str]) -> Iterator[Statement]:
    """Yield the statements of an SQL script with the line each starts on.

    `chunks` is the script in pieces that each end at a line end (lines, or blocks of lines).
    Semicolons inside strings, quoted names and comments do not end a statement. Raises
    DumpError when the script ends inside a statement, string or comment.
    """
    parts: list[str] = []  # the current statement's text from earlier chunks
    start: int | None = None  # line of the current statement's first token
    closer: str | None = None  # what ends the string or comment we are inside
    comment_line = 0
    line = 1  # the line number at index `counted` of the current chunk
    for chunk in chunks:
        pos = counted = piece = 0
        size = len(chunk)
        while pos < size:
            if closer is not None:
                if closer in _STRING_END:  # one regex call per string, '' escapes included
                    string = _STRING_END[closer].match(chunk, pos)
                    end = string.end() if string else -1
                else:
                    end = chunk.find(closer, pos)
                    end = end + len(closer) if end >= 0 else -1
                if end < 0:
                    break
                pos, closer = end, None
                continue
            match = _SPECIAL.search(chunk, pos)
            stop = match.start() if match else size
            if start is None and (first := _TOKEN.search(chunk, pos, stop)):
                line += chunk.count("\n", counted, first.start())
                counted = piece = first.start()
                start = line
            if match is None:
                break
            found = match.group()
            if found == "--":
                end = chunk.find("\n", match.end())
                pos = size if end < 0 else end + 1
                continue
            pos = match.end()
            if found != ";":
                closer = _CLOSER[found]
                if start is None:
                    line += chunk.count("\n", counted, match.start())
                    counted = match.start()
                    if found == "/*":
                        comment_line = line
                    else:
                        start, piece = line, counted
                continue
            if start is None:
                continue  # a stray ";"
            text = "".join([*parts, chunk[piece:pos]])
            # Trigger bodies hold semicolons of their own; SQLite knows where they end.
            if _TRIGGER.match(text) and not sqlite3.complete_statement(text):
                continue
            yield Statement(start, text)
            parts, start = [], None
        if start is not None:
            parts.append(chunk[piece:])
        line += chunk.count("\n", counted)
    if start is not None:
        inside = " (the file ends inside a quoted string)" if closer in ("'", '"', "`", "]") else ""
        raise DumpError(
            f"line {start}: the statement starting here is cut off{inside}; "
            "the dump looks truncated, so nothing was imported"
        )
    if closer == "*/":
        raise DumpError(f"line {comment_line}: a /* comment */ starts here and never ends")


def _strip_noise(text: str) -> str:
    return _LEADING_NOISE.sub("", text, count=1)  # the pattern matches at 0, if only emptily


def _unquote(name: str) -> str:
    if name[0] in "\"'`[":
        inner = name[1:-1]
        return inner.replace(name[0] * 2, name[0]) if name[0] in "\"'" else inner
    return name


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class LegacyDump:
    """The dump replayed into a private SQLite database, with what was set aside."""

    connection: sqlite3.Connection
    tables: dict[str, str]  # legacy table (lowercase) → name as created
    ignored_tables: dict[str, int]  # platform table → rows seen


def load_dump(path: Path) -> LegacyDump:
    """Replay a dump's CREATE TABLE and INSERT statements into an in-memory database."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        return _load_into(conn, path)
    except BaseException:
        conn.close()
        raise


def _load_into(conn: sqlite3.Connection, path: Path) -> LegacyDump:
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("BEGIN")
    created: dict[str, str] = {}
    ignored: dict[str, int] = {}
    begin_line: int | None = None
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for statement in split_statements(_blocks_of_lines(handle)):
                begin_line = _replay(conn, statement, created, ignored, begin_line)
    except UnicodeDecodeError as exc:
        raise DumpError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DumpError(f"cannot read {path}: {exc.strerror or exc}") from None
    if begin_line is not None:
        raise DumpError(
            f"line {begin_line}: the dump begins a transaction here but never COMMITs it "
            "(truncated file?); nothing was imported"
        )
    tables = {name: created[name] for name in LEGACY_TABLES if name in created}
    if not tables:
        raise DumpError(f"{path} holds none of the tables {', '.join(LEGACY_TABLES)}; is it a D1 export?")
    return LegacyDump(conn, tables, ignored)


def _blocks_of_lines(handle: Any) -> Iterator[str]:
    """About a megabyte of whole lines at a time: scanning blocks is faster than lines."""
    first = True
    while lines := handle.readlines(1 << 20):
        block = "".join(lines)
        if first:
            block, first = block.removeprefix("\ufeff"), False
        yield block


def _replay(
    conn: sqlite3.Connection,
    statement: Statement,
    created: dict[str, str],
    ignored: dict[str, int],
    begin_line: int | None,
) -> int | None:
    """Run one statement into the private copy if it carries schema or data; returns begin_line."""
    head = _strip_noise(statement.text)
    keyword = re.split(r"[^A-Za-z]", head, maxsplit=1)[0].upper()  # the leading word, maybe ""
    where = f"line {statement.line}"
    if keyword == "BEGIN":
        return statement.line if begin_line is None else begin_line
    if keyword in ("COMMIT", "END"):
        return None
    if keyword in _SKIPPED:
        return begin_line
    if keyword == "ROLLBACK":
        raise DumpError(f"{where}: the dump rolls back (the export itself failed); nothing was imported")
    if keyword == "CREATE":
        table = _CREATE_TABLE.match(head)
        if table is None:
            if _NOT_DATA.match(head):
                return begin_line  # not data; the current schema has its own
            raise DumpError(f"{where}: cannot read this statement: {statement.preview}")
        name = _unquote(table.group(2))
        if name.lower().startswith("sqlite_"):
            return begin_line
        if table.group(1) and table.group(1).upper() == "VIRTUAL":
            ignored.setdefault(name, 0)
            return begin_line
        _execute(conn, statement)
        created[name.lower()] = name
        if name.lower() not in LEGACY_TABLES:
            ignored.setdefault(name, 0)
        return begin_line
    if keyword in ("INSERT", "REPLACE"):
        target = _INSERT.match(head)
        if target is None:
            raise DumpError(f"{where}: cannot read this statement: {statement.preview}")
        name = _unquote(target.group(1))
        lower = name.lower()
        if lower in created:
            rows = _execute(conn, statement)
            if lower not in LEGACY_TABLES:
                ignored[created[lower]] = ignored.get(created[lower], 0) + max(rows, 1)
        elif lower in LEGACY_TABLES:
            raise DumpError(f"{where}: rows for {name} come before its CREATE TABLE")
        else:  # sqlite_sequence, or the shadow tables of a virtual table
            ignored[name] = ignored.get(name, 0) + 1
        return begin_line
    if keyword == "DELETE":
        target = _DELETE.match(head)
        if target and _unquote(target.group(1)).lower().startswith("sqlite_"):
            return begin_line
    raise DumpError(
        f"{where}: a dump should only create tables and insert rows, refusing this statement: {statement.preview}"
    )


def _execute(conn: sqlite3.Connection, statement: Statement) -> int:
    try:
        return conn.execute(statement.text).rowcount
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise DumpError(f"line {statement.line}: {exc}: {statement.preview}") from None
