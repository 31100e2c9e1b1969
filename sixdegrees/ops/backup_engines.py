"""How each database engine is copied out and put back: SQLite and PostgreSQL.

SQLite goes through the online backup API (a consistent snapshot while the service keeps
writing, thanks to WAL) and gzip. PostgreSQL goes through pg_dump's custom format, taken on a
snapshot exported from our own REPEATABLE READ transaction, so the row counts we write into the
manifest describe exactly the rows in the dump.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sixdegrees.ops.durable import fsync_file

CHUNK = 1024 * 1024
GZIP_LEVEL = 1  # on our pages: 2.6x the speed of level 3 for 8% more bytes; gzip is the slow part of a backup
# libpq settings Django's OPTIONS may carry, and the variables the command-line tools read them from.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """Something the operator can read and act on; the CLI prints it without a traceback."""


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into: an SQLite file or a PostgreSQL database."""

    engine: str  # "sqlite" | "postgresql"
    path: Path | None = None
    params: dict[str, str] = field(default_factory=dict)  # host, port, user, password, dbname, libpq options

    @classmethod
    def from_settings(cls, alias: str = "default") -> Target:
        from django.db import connections

        settings_dict = connections[alias].settings_dict
        engine = settings_dict["ENGINE"]
        if engine == "django.db.backends.sqlite3":
            return cls.sqlite(Path(settings_dict["NAME"]))
        if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
            params = {
                "host": str(settings_dict.get("HOST") or ""),
                "port": str(settings_dict.get("PORT") or ""),
                "user": str(settings_dict.get("USER") or ""),
                "password": str(settings_dict.get("PASSWORD") or ""),
                "dbname": str(settings_dict["NAME"]),
            }
            for key, value in (settings_dict.get("OPTIONS") or {}).items():
                if key in LIBPQ_OPTIONS and value not in (None, ""):
                    params[key] = str(value)
            return cls("postgresql", params=params)
        raise BackupError(f"backups support SQLite and PostgreSQL; this database is {engine}")

    @classmethod
    def sqlite(cls, path: Path) -> Target:
        return cls("sqlite", path=Path(path).resolve())

    @property
    def dbname(self) -> str:
        return self.params.get("dbname", "")

    def location(self) -> str:
        """Where it is, without the password (it goes into manifests and messages)."""
        if self.engine == "sqlite":
            return str(self.path)
        host = self.params.get("host") or "local socket"
        port = self.params.get("port") or "5432"
        return f"{self.params.get('user') or 'default user'}@{host}:{port}/{self.dbname}"

    def with_database(self, dbname: str) -> Target:
        return Target("postgresql", params={**self.params, "dbname": dbname})

    def libpq_env(self) -> dict[str, str]:
        """The environment pg_dump, pg_restore and psql read; the password never goes on a command line."""
        env = dict(os.environ)
        names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
        for key, value in self.params.items():
            name = names.get(key) or LIBPQ_OPTIONS.get(key)
            if name and value:
                env[name] = value
        return env

    def connect(self, **kwargs: Any) -> Any:
        import psycopg

        params: dict[str, Any] = {key: value for key, value in self.params.items() if value}
        return psycopg.connect(**params, **kwargs)

    def url(self) -> str:
        """A DATABASE_URL for a child process (dj-database-url reads the libpq options from the query)."""
        user = quote(self.params.get("user", ""), safe="")
        password = self.params.get("password", "")
        credentials = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        host = quote(self.params.get("host", ""), safe="")
        port = f":{self.params['port']}" if self.params.get("port") else ""
        query = "&".join(f"{key}={quote(value, safe='')}" for key, value in self.params.items() if key in LIBPQ_OPTIONS)
        return f"postgres://{credentials}{host}{port}/{quote(self.dbname, safe='')}" + (f"?{query}" if query else "")


# --- SQLite ---------------------------------------------------------------------------------------


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_snapshot(source: Path, copy: Path) -> None:
    """Copy a live SQLite database with the online backup API.

    All pages in one step: the copy is one read transaction, so it is consistent, and in WAL
    mode writers carry on meanwhile (a stepwise copy would restart on every write and might
    never finish on a busy database). The copy is switched to a plain rollback journal so it is
    one self-contained file.
    """
    if not source.is_file() or source.stat().st_size == 0:
        raise BackupError(f"there is no database at {source} to back up")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database at {source} could not be read: {exc}") from None
    finally:
        dst.close()
        src.close()


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def sqlite_describe(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Rows per table and the latest applied migration per app."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = sqlite_tables(conn)
        counts = {name: conn.execute(f"SELECT count(*) FROM {quote_name(name)}").fetchone()[0] for name in tables}
        schema: dict[str, str] = {}
        if "django_migrations" in tables:
            schema = dict(conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app"))
    finally:
        conn.close()
    return counts, schema


def sqlite_integrity(path: Path) -> list[str]:
    """`PRAGMA integrity_check`: an empty list when the file is sound, else the first problems."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def sqlite_copy_into(restored: Path, live: Path) -> None:
    """Put a restored copy's content into the live database through the backup API.

    Unlike renaming a file over it, this takes SQLite's locks, keeps the live file's WAL mode,
    and any process that still has the database open sees the restored content, not a ghost file.
    """
    src = sqlite3.connect(f"file:{restored}?mode=ro", uri=True)
    dst = sqlite3.connect(live, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the restored data could not be written into {live}: {exc}") from None
    finally:
        dst.close()
        src.close()


def gzip_file(raw: Path, compressed: Path, level: int = GZIP_LEVEL) -> tuple[str, str, int]:
    """Compress `raw` into `compressed` (fsynced); returns (sha256 of raw, sha256 of gzip, gzip size)."""
    raw_hash, gz_hash, size = hashlib.sha256(), hashlib.sha256(), 0
    packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: gzip framing with CRC32
    with raw.open("rb") as src, compressed.open("wb") as dst:
        while chunk := src.read(CHUNK):
            raw_hash.update(chunk)
            out = packer.compress(chunk)
            if out:
                gz_hash.update(out)
                dst.write(out)
                size += len(out)
        out = packer.flush()
        gz_hash.update(out)
        dst.write(out)
        size += len(out)
        fsync_file(dst)
    return raw_hash.hexdigest(), gz_hash.hexdigest(), size


def gunzip_file(compressed: Path, raw: Path, what: str) -> str:
    """Decompress into `raw`; returns its sha256. A truncated or damaged stream is a BackupError."""
    raw_hash = hashlib.sha256()
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        with compressed.open("rb") as src, raw.open("wb") as dst:
            while chunk := src.read(CHUNK):
                out = unpacker.decompress(chunk)
                raw_hash.update(out)
                dst.write(out)
                if unpacker.eof and (unpacker.unused_data or src.read(1)):
                    raise BackupError(f"{what} is damaged: there is data after the end of the compressed stream")
            out = unpacker.flush()
            raw_hash.update(out)
            dst.write(out)
            fsync_file(dst)
    except zlib.error as exc:
        raise BackupError(f"{what} is damaged: the compressed data does not decompress ({exc})") from None
    if not unpacker.eof:
        raise BackupError(f"{what} is truncated: the compressed data ends before its end marker")
    return raw_hash.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"`{name}` is not installed; PostgreSQL backups need the client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client)"
        )
    return found


def _run(argv: list[str], env: dict[str, str], what: str, timeout: float | None = None) -> str:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' '.join(detail[-3:]) or f'exit code {done.returncode}'}")
    return done.stdout


def _pg_describe(cursor: Any) -> tuple[dict[str, int], dict[str, str]]:
    from psycopg import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for name in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = cursor.fetchone()[0]
    schema: dict[str, str] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        schema = dict(cursor.fetchall())
    return counts, schema


def pg_dump_snapshot(target: Target, out: Path) -> tuple[dict[str, int], dict[str, str], str]:
    """pg_dump (custom format) of one snapshot; returns that snapshot's counts, schema and server version."""
    import psycopg

    pg_dump = pg_tool("pg_dump")
    try:
        conn = target.connect(autocommit=True)
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to {target.location()}: {str(exc).strip()}") from None
    with conn:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, version = cursor.fetchone()
            counts, schema = _pg_describe(cursor)
            # Our transaction stays open while pg_dump reads, so its snapshot stays valid.
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={out}"],
                target.libpq_env(),
                "pg_dump",
            )
            cursor.execute("ROLLBACK")
    return counts, schema, version


def pg_list(dump: Path, what: str) -> None:
    """Read the dump's table of contents: a damaged custom-format file fails here."""
    try:
        _run([pg_tool("pg_restore"), "--list", str(dump)], dict(os.environ), "pg_restore --list", timeout=600)
    except BackupError as exc:
        raise BackupError(f"{what} is damaged: {exc}") from None


def pg_describe(target: Target) -> tuple[dict[str, int], dict[str, str]]:
    with target.connect() as conn, conn.cursor() as cursor:
        return _pg_describe(cursor)


def pg_create_database(server: Target, dbname: str) -> None:
    import psycopg
    from psycopg import sql

    with server.connect(autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists:
            raise BackupError(f"database {dbname} already exists on {server.location()}; choose a new name")
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        except psycopg.errors.InsufficientPrivilege:
            user = server.params.get("user") or "the database user"
            raise BackupError(
                f"{user} may not create databases on {server.location()}; "
                f"grant it CREATEDB (ALTER ROLE {user} CREATEDB) or create {dbname} yourself"
            ) from None


def pg_drop_database(server: Target, dbname: str) -> None:
    from psycopg import sql

    with server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def pg_restore_new(target: Target, dump: Path) -> None:
    """Restore into a database that was just created (a drill clone, or `restore --to`)."""
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={target.dbname}",
            str(dump),
        ],
        target.libpq_env(),
        "pg_restore",
    )


REPLACE_PRELUDE = """
SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
ORDER BY c.relname
"""
# The schema's own functions (the outbox tally trigger's), which the dump creates again.
FUNCTIONS_PRELUDE = """
SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1
"""
DROP_KIND = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


def pg_restore_replace(target: Target, dump: Path) -> None:
    """Replace the live database's tables with the dump's, in one transaction.

    Tables (and functions) the dump does not have (from migrations applied after the backup) go too, so the
    restored database is exactly the backup. pg_restore writes SQL that psql runs between our
    BEGIN and COMMIT; COMMIT is only sent after pg_restore finished cleanly, so a failure on
    either side leaves the live database as it was.
    """
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    with target.connect() as conn:
        rows = conn.execute(REPLACE_PRELUDE).fetchall()
        functions = [signature for (signature,) in conn.execute(FUNCTIONS_PRELUDE).fetchall()]
    drops = "".join(f"DROP {DROP_KIND[kind]} IF EXISTS {quote_name(name)} CASCADE;\n" for kind, name in rows)
    # regprocedure prints a signature already quoted where it needs to be: outbox_tally_change()
    drops += "".join(f"DROP FUNCTION IF EXISTS {signature} CASCADE;\n" for signature in functions)
    env = target.libpq_env()
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c lock_timeout=60000").strip()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        psql_proc = subprocess.Popen(
            [psql, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "-d", target.dbname, "-f", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        restore_proc = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        assert psql_proc.stdin is not None and restore_proc.stdout is not None
        try:
            psql_proc.stdin.write(b"BEGIN;\n" + drops.encode())
            shutil.copyfileobj(restore_proc.stdout, psql_proc.stdin, CHUNK)
            restore_code = restore_proc.wait()
            # Closing without COMMIT ends psql's session, which rolls the transaction back.
            if restore_code == 0:
                psql_proc.stdin.write(b"COMMIT;\n")
            psql_proc.stdin.close()
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): nothing was committed
            restore_proc.kill()
            restore_code = restore_proc.wait()
        psql_code = psql_proc.wait()
        if restore_code != 0 or psql_code != 0:
            restore_err.seek(0)
            psql_err.seek(0)
            detail = (psql_err.read() or restore_err.read()).decode(errors="replace").strip().splitlines()
            raise BackupError(
                "restoring into the live database failed and was rolled back: " + " ".join(detail[-3:])
                if detail
                else "restoring into the live database failed and was rolled back"
            )
