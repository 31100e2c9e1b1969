"""How many outbox rows are in each status, kept by the database itself.

`sixdegrees status` reports the outbox by status. Counting `email_outreach` costs a read of every
row (or of a whole index), and sent emails only accumulate, so that count would grow with the
history. Instead, triggers on `email_outreach` keep `outbox_tallies` up to date in the same
transaction as every INSERT, status change and DELETE, whichever code (or cascade) made it; reading
the counts is a sum over a few rows.

On PostgreSQL each connection adds to its own shard row (its backend pid modulo SHARDS), so two
workers never queue behind one counter row, and the statement-level triggers add a whole statement's
changes in one upsert. SQLite has a single writer and row-level triggers only: one shard.

A table rebuild drops its triggers (Django's SQLite migrations rebuild a table to alter it), so
after every `migrate`, `ensure()` recreates them and recounts.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Sum

from sixdegrees.outreach.models import OutboxTally

SHARDS = 16
TABLE = "outbox_tallies"
TRIGGERS = ("outbox_tally_insert", "outbox_tally_update", "outbox_tally_delete")


def _sqlite_upsert(status: str, change: int) -> str:
    return (
        f"INSERT INTO {TABLE} (status, shard, total) VALUES ({status}, 0, {change}) "
        f"ON CONFLICT (status, shard) DO UPDATE SET total = total + ({change});"
    )


SQLITE_TRIGGERS = {
    "outbox_tally_insert": f"""
        CREATE TRIGGER outbox_tally_insert AFTER INSERT ON email_outreach
        BEGIN {_sqlite_upsert("NEW.status", 1)} END""",
    "outbox_tally_update": f"""
        CREATE TRIGGER outbox_tally_update AFTER UPDATE OF status ON email_outreach
        WHEN OLD.status IS NOT NEW.status
        BEGIN {_sqlite_upsert("OLD.status", -1)} {_sqlite_upsert("NEW.status", 1)} END""",
    "outbox_tally_delete": f"""
        CREATE TRIGGER outbox_tally_delete AFTER DELETE ON email_outreach
        BEGIN {_sqlite_upsert("OLD.status", -1)} END""",
}

# One function for the three statement-level triggers; the net change per status of the whole
# statement, in status order so that concurrent statements lock counter rows in the same order.
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION outbox_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (status, shard, total)
        SELECT status, pg_backend_pid() % {SHARDS}, count(*) FROM new_rows GROUP BY status ORDER BY status
        ON CONFLICT (status, shard) DO UPDATE SET total = {TABLE}.total + EXCLUDED.total;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} (status, shard, total)
        SELECT status, pg_backend_pid() % {SHARDS}, -count(*) FROM old_rows GROUP BY status ORDER BY status
        ON CONFLICT (status, shard) DO UPDATE SET total = {TABLE}.total + EXCLUDED.total;
    ELSE
        INSERT INTO {TABLE} (status, shard, total)
        SELECT status, pg_backend_pid() % {SHARDS}, sum(change) FROM (
            SELECT status, 1 AS change FROM new_rows UNION ALL SELECT status, -1 FROM old_rows
        ) AS changes GROUP BY status HAVING sum(change) <> 0 ORDER BY status
        ON CONFLICT (status, shard) DO UPDATE SET total = {TABLE}.total + EXCLUDED.total;
    END IF;
    RETURN NULL;
END
$$"""

POSTGRES_TRIGGERS = {
    "outbox_tally_insert": """
        CREATE TRIGGER outbox_tally_insert AFTER INSERT ON email_outreach
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_tally_change()""",
    "outbox_tally_update": """
        CREATE TRIGGER outbox_tally_update AFTER UPDATE ON email_outreach
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_tally_change()""",
    "outbox_tally_delete": """
        CREATE TRIGGER outbox_tally_delete AFTER DELETE ON email_outreach
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_tally_change()""",
}


def installed(connection: BaseDatabaseWrapper = default_connection) -> set[str]:
    """The tally triggers that exist on email_outreach now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'email_outreach'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'email_outreach'")
        return {name for (name,) in cursor.fetchall()} & set(TRIGGERS)


def install(connection: BaseDatabaseWrapper = default_connection) -> None:
    """(Re)create the triggers and recount from the table, in the caller's transaction.

    On PostgreSQL, CREATE TRIGGER locks the table against writes until the transaction ends, so no
    change slips in between the recount and the triggers taking over.
    """
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(POSTGRES_FUNCTION)
        for name, create in (POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS).items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON email_outreach" if postgres else ""))
            cursor.execute(create)
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (status, shard, total) SELECT status, 0, count(*) FROM email_outreach GROUP BY status"
        )


def uninstall(connection: BaseDatabaseWrapper = default_connection) -> None:
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON email_outreach" if postgres else ""))
        if postgres:
            cursor.execute("DROP FUNCTION IF EXISTS outbox_tally_change()")


def ensure(connection: BaseDatabaseWrapper = default_connection) -> None:
    """After `migrate` (and `flush`): triggers back in place and the tallies recounted.

    A migration may have rebuilt the table without its triggers, and `flush` on SQLite empties the
    tables in an order that can leave the tallies counting rows that are gone. Recounting reads the
    whole table once, which at migrate time is cheap next to the migrations themselves.
    """
    if TABLE in connection.introspection.table_names():
        with transaction.atomic(using=connection.alias):
            install(connection)


def by_status() -> dict[str, int]:
    """Rows per status (statuses with none are left out)."""
    rows = OutboxTally.objects.order_by().values_list("status").annotate(rows=Sum("total"))
    return {status: int(total) for status, total in rows if total}
