"""Shared by the backup, drill and db tests: scratch data dirs, the CLI in a subprocess, PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sixdegrees.conftest import need_service
from sixdegrees.ops.tests.helpers import ROOT, subprocess_env

CLI_TIMEOUT = 120


def run_cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`sixdegrees …` as an operator runs it, on this data dir (SQLite unless env says otherwise)."""
    return subprocess.run(
        [sys.executable, "-m", "sixdegrees", *args],
        env=subprocess_env(data_dir, SIXDEGREES_ENV="development", **env),
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )


def run_json(data_dir: Path, *args: str, **env: str) -> dict:
    done = run_cli(data_dir, *args, "--json", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A migrated SQLite database, made once; tests copy it (it is closed, so a copy is safe)."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    done = run_cli(data_dir, "manage", "migrate", "-v", "0")
    assert done.returncode == 0, done.stderr
    db = data_dir / "sixdegrees.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
    conn.close()
    return db


def new_data_dir(tmp_path: Path, template: Path, name: str = "data") -> Path:
    data_dir = tmp_path / name
    data_dir.mkdir()
    shutil.copy(template, data_dir / "sixdegrees.sqlite3")
    return data_dir


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifests(data_dir: Path) -> list[dict]:
    found = [json.loads(p.read_text()) for p in (data_dir / "backups").glob("bk-*.json")]
    return sorted(found, key=lambda m: m["created_at"])


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_server() -> dict[str, str]:
    """The server CI gives us (DATABASE_URL's host), else the usual local one; user postgres, trust auth."""
    url = os.environ.get("DATABASE_URL", "")
    params = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url

        parsed = dj_database_url.parse(url)
        params.update(
            host=str(parsed.get("HOST") or params["host"]),
            port=str(parsed.get("PORT") or params["port"]),
            user=str(parsed.get("USER") or params["user"]),
        )
        if parsed.get("PASSWORD"):
            params["password"] = str(parsed["PASSWORD"])
    return params


def pg_connect(dbname: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(dbname=dbname, connect_timeout=3, **pg_server(), **kwargs)


def pg_usable() -> bool:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        return False
    try:
        with pg_connect(autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception:
        return False
    return True


def pg_url(dbname: str) -> str:
    server = pg_server()
    password = f":{server['password']}" if server.get("password") else ""
    return f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{dbname}"


def pg_databases(prefix: str) -> list[str]:
    with pg_connect(autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchall()
    return [name for (name,) in rows]


def pg_drop(dbname: str) -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory):
    """A migrated PostgreSQL database, made once; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    need_service(pg_usable(), "PostgreSQL with pg_dump, pg_restore and psql")
    name = f"sixdegrees_tpl_{secrets.token_hex(4)}"
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_migrate(tmp_path_factory.mktemp("pg-template") / "data", name)
        yield name
    finally:
        pg_drop(name)


@pytest.fixture
def pg_database(pg_template):
    """A migrated scratch PostgreSQL database of our own (not pytest-django's), dropped afterwards."""
    name = f"sixdegrees_t_{secrets.token_hex(4)}"
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield name
    finally:
        pg_drop(name)


def pg_migrate(data_dir: Path, dbname: str) -> None:
    done = run_cli(data_dir, "manage", "migrate", "-v", "0", DATABASE_URL=pg_url(dbname))
    assert done.returncode == 0, done.stderr


def pg_counts(dbname: str) -> dict[str, int]:
    with pg_connect(dbname) as conn:
        tables = [
            n for (n,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _pg_insert(conn, table: str, given: dict[str, str], rows: list[tuple]) -> None:
    """Insert rows giving `given` columns; every other NOT NULL column without a default gets a filler."""
    fillers = {"boolean": False, "integer": 0, "smallint": 0, "bigint": 0, "numeric": 0, "jsonb": "{}"}
    columns = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        (table,),
    ).fetchall()
    extra = {name: fillers.get(kind, "now()" if kind.startswith("timestamp") else "") for name, kind in columns}
    extra = {name: value for name, value in extra.items() if name not in given}
    names = list(given) + list(extra)
    placeholders = list(given.values()) + ["now()" if v == "now()" else "%s" for v in extra.values()]
    values = tuple(v for v in extra.values() if v != "now()")
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(placeholders)})"
    with conn.cursor() as cursor:
        cursor.executemany(sql, [row + values for row in rows])


def pg_fill(dbname: str, campaigns: int = 20, emails_per_campaign: int = 5) -> None:
    """A user, campaigns and emails, straight through SQL."""
    with pg_connect(dbname) as conn:
        _pg_insert(
            conn,
            "users",
            {"id": "%s", "email": "%s", "created_at": "now()", "updated_at": "now()"},
            [("user_pg", "pg@example.com")],
        )
        _pg_insert(
            conn,
            "campaigns",
            {
                "id": "%s",
                "user_id": "%s",
                "target_name": "%s",
                "status": "%s",
                "created_at": "now()",
                "updated_at": "now()",
            },
            [(f"camp_pg_{c}", "user_pg", f"Target {c}", "completed") for c in range(campaigns)],
        )
        _pg_insert(
            conn,
            "email_outreach",
            {
                "id": "%s",
                "campaign_id": "%s",
                "hop": "%s",
                "status": "%s",
                "created_at": "now()",
                "updated_at": "now()",
            },
            [
                (f"email_pg_{c}_{h}", f"camp_pg_{c}", h, "sent")
                for c in range(campaigns)
                for h in range(emails_per_campaign)
            ],
        )


__all__ = ["ROOT", "migrated_template", "pg_database", "pg_template"]
