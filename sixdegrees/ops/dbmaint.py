"""Database housekeeping: `db stats`, `db archive` and `db prune-orphans`.

Archiving and pruning delete rows, so both first write every row they are about to delete into
a compressed JSON file under ARCHIVE_DIR: a Django fixture, so `sixdegrees manage loaddata
<file>` brings the rows back. The file is fsynced before the deleting transaction commits, and
the transaction is rolled back if the rows deleted are not exactly the rows written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.deletion import CASCADE, DO_NOTHING, Collector
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.ops.backup_engines import sha256_file
from sixdegrees.ops.durable import append_line, fsync_dir, fsync_file
from sixdegrees.outreach.models import EmailOutreach

logger = logging.getLogger(__name__)

FINISHED_STATUSES = (Campaign.Status.COMPLETED, Campaign.Status.CONNECTED, Campaign.Status.FAILED)
BATCH = 200  # campaigns (or orphans) collected and deleted at a time, inside the one transaction
FETCH = 500  # rows read per query when writing them out


class MaintenanceError(Exception):
    """Something the operator can read and act on."""


# --- Stats -----------------------------------------------------------------------------------------


def database_stats(now: dt.datetime | None = None) -> dict[str, Any]:
    """Rows per table, size, and rows added in the last 7 and 30 days (from created_at columns)."""
    now = now or timezone.now()
    week, month = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    by_table = {m._meta.db_table: m for m in apps.get_models() if m._meta.managed and not m._meta.proxy}
    sizes = _table_sizes()
    tables = []
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            row: dict[str, Any] = {"table": name, "rows": cursor.fetchone()[0], "bytes": sizes.get(name)}
            model = by_table.get(name)
            if model is not None and _has_created_at(model):
                row["added_7d"] = model._base_manager.filter(created_at__gte=week).count()
                row["added_30d"] = model._base_manager.filter(created_at__gte=month).count()
            else:
                row["added_7d"] = row["added_30d"] = None
            tables.append(row)
    return {
        "generated_at": now.isoformat(),
        "engine": connection.vendor,
        "database": _database_name(),
        "size_bytes": _database_size(),
        "tables": tables,
        "total_rows": sum(t["rows"] for t in tables),
        "added_7d": sum(t["added_7d"] or 0 for t in tables),
        "added_30d": sum(t["added_30d"] or 0 for t in tables),
    }


def _has_created_at(model: type[models.Model]) -> bool:
    try:
        return isinstance(model._meta.get_field("created_at"), models.DateTimeField)
    except Exception:
        return False


def _database_name() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings_dict["NAME"])
    return f"{settings_dict.get('HOST') or 'local socket'}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def _database_size() -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size = pages * cursor.fetchone()[0]
            wal = Path(f"{connection.settings_dict['NAME']}-wal")
            return size + (wal.stat().st_size if wal.is_file() else 0)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return None


def _table_sizes() -> dict[str, int]:
    """Bytes per table with its indexes, where the engine says (SQLite needs the dbstat table)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tablename, pg_total_relation_size(quote_ident(tablename)) FROM pg_tables "
                    "WHERE schemaname = current_schema()"
                )
                return dict(cursor.fetchall())
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
                    "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"
                )
                return dict(cursor.fetchall())
    except Exception:  # dbstat is a compile-time option of SQLite
        return {}
    return {}


# --- Archive and prune ------------------------------------------------------------------------------


def archive_dir() -> Path:
    return Path(settings.ARCHIVE_DIR)


def _lock_tables(roots: Iterable[type[models.Model]]) -> None:
    """On PostgreSQL, keep writers off every table these deletes touch until we commit.

    Then the rows written to the archive are exactly the rows deleted, even if the sender or the
    web add rows meanwhile. (SQLite's IMMEDIATE transactions already hold the database's write lock.)
    """
    if connection.vendor != "postgresql":
        return
    tables: set[str] = set()
    todo, seen = list(roots), set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        tables.add(model._meta.db_table)
        for relation in model._meta.related_objects:
            on_delete = relation.field.remote_field.on_delete
            if on_delete is DO_NOTHING:
                continue
            tables.add(relation.related_model._meta.db_table)
            if on_delete is CASCADE:
                todo.append(relation.related_model)
    names = ", ".join(connection.ops.quote_name(t) for t in sorted(tables))  # one order: no deadlocks
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


class ArchiveWriter:
    """Streams Django fixture objects into a gzip'd JSON array, fsynced before it gets its name."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.raw: IO[bytes] = self.partial.open("wb")
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", compresslevel=6)
        self.gz.write(b"[")
        self.first = True

    def write(self, objects: Iterable[dict[str, Any]]) -> None:
        for obj in objects:
            self.gz.write((b"\n" if self.first else b",\n") + json.dumps(obj, cls=DjangoJSONEncoder).encode())
            self.first = False

    def finish(self) -> None:
        self.gz.write(b"\n]\n")
        self.gz.close()
        fsync_file(self.raw)
        self.raw.close()
        self.partial.replace(self.path)
        fsync_dir(self.path.parent)

    def abandon(self) -> None:
        for handle in (self.gz, self.raw):
            try:
                handle.close()
            except Exception:  # already closed, or the disk is full: the file goes either way
                logger.debug("archive handle not closed cleanly", exc_info=True)
        self.partial.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


def _pks(objs: Any) -> list[Any]:
    if isinstance(objs, models.QuerySet):
        return list(objs.values_list("pk", flat=True))
    return [obj.pk for obj in objs]


def _plan(collector: Collector) -> tuple[dict[type[models.Model], list[Any]], dict[type[models.Model], list[Any]]]:
    """What a collected delete removes and which kept rows it changes (SET_NULL), as pks per model."""
    deleted: dict[type[models.Model], list[Any]] = defaultdict(list)
    for model, instances in collector.data.items():
        deleted[model].extend(obj.pk for obj in instances)
    for qs in collector.fast_deletes:
        deleted[qs.model].extend(_pks(qs))
    updated: dict[type[models.Model], list[Any]] = defaultdict(list)
    for (_field, _value), batches in collector.field_updates.items():
        objs: Any
        for objs in batches:
            pks = _pks(objs)
            if pks:
                model = objs.model if isinstance(objs, models.QuerySet) else type(objs[0])
                updated[model].extend(pks)
    for model in list(updated):
        gone = set(deleted.get(model, ()))
        updated[model] = sorted({pk for pk in updated[model] if pk not in gone})
    return deleted, updated


def _serialized(model: type[models.Model], pks: list[Any]) -> Iterable[dict[str, Any]]:
    # Full rows, read fresh: the collector's instances may have deferred fields.
    for start in range(0, len(pks), FETCH):
        rows = model._base_manager.filter(pk__in=pks[start : start + FETCH]).order_by("pk")
        yield from serializers.serialize("python", rows)


def _archive_and_delete(
    batches: Iterable[list[Any]], root: type[models.Model], writer: ArchiveWriter | None
) -> tuple[Counter[str], Counter[str]]:
    """Collect each batch's delete, write its rows (root model first), delete, and check the counts."""
    deleted_rows: Counter[str] = Counter()
    kept_rows: Counter[str] = Counter()
    for pks in batches:
        chosen = root._base_manager.filter(pk__in=pks)
        collector = Collector(using=connection.alias, origin=chosen)
        collector.collect(list(chosen))
        deleted, updated = _plan(collector)
        order = sorted(deleted, key=lambda m: (m is not root, m._meta.label))
        planned = Counter({m._meta.db_table: len(set(deleted[m])) for m in order})
        for model in updated:
            kept_rows[model._meta.db_table] += len(updated[model])
        if writer is None:
            deleted_rows.update(planned)
            continue
        for model in order:
            writer.write(_serialized(model, sorted(set(deleted[model]))))
        for model in updated:  # kept rows as they were, so loading the archive restores their links
            writer.write(_serialized(model, updated[model]))
        _total, by_label = collector.delete()
        done = Counter({apps.get_model(label)._meta.db_table: n for label, n in by_label.items() if n})
        if done != +planned:
            raise MaintenanceError(
                f"deleted rows {dict(done)} differ from the rows archived {dict(planned)}; rolled back"
            )
        deleted_rows.update(done)
    return deleted_rows, kept_rows


def _chunks(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Selection = tuple[type[models.Model], Any]  # the model whose rows go, and a callable giving its queryset


def _run(
    kind: str, parts: list[Selection], criteria: dict[str, Any], dry_run: bool, now: dt.datetime
) -> dict[str, Any]:
    report: dict[str, Any] = {"dry_run": dry_run, "criteria": criteria, "file": None}
    path = archive_dir() / f"{kind}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}.json.gz"
    writer: ArchiveWriter | None = None
    deleted: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    try:
        with transaction.atomic():
            _lock_tables(root for root, _select in parts)
            for root, select in parts:
                pks = list(select().order_by("pk").values_list("pk", flat=True))
                if pks and writer is None and not dry_run:
                    writer = ArchiveWriter(path)
                gone, changed = _archive_and_delete(_chunks(pks), root, writer)
                deleted.update(gone)
                kept.update(changed)
            if writer is not None:
                writer.finish()  # on disk before the deletes commit
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    roots = [root._meta.db_table for root, _select in parts]
    # The root tables always show (0 is an answer); related tables only when rows went with them.
    report["deleted"] = {table: deleted.get(table, 0) for table in roots} | {
        table: rows for table, rows in sorted(deleted.items()) if rows
    }
    report["kept_unlinked"] = {table: rows for table, rows in sorted(kept.items()) if rows}
    if writer is not None:
        report["file"] = str(path)
        report["bytes"] = path.stat().st_size
        report["sha256"] = sha256_file(path)
        append_line(archive_dir() / "archives.jsonl", {"kind": kind, "created_at": now.isoformat(), **report})
        logger.info(
            f"{kind} archived and deleted",
            extra={"event": f"db_{kind}_archived", "file": str(path), "deleted": report["deleted"]},
        )
    return report


def archive_campaigns(
    older_than_days: int,
    statuses: Iterable[str] | None = None,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Archive, then delete, campaigns untouched for `older_than_days` with their emails, steps and timeline.

    Only finished campaigns (completed, connected, failed) unless `statuses` says otherwise.
    """
    if older_than_days < 1:
        raise MaintenanceError("--older-than-days must be at least 1")
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=older_than_days)
    chosen = sorted(set(statuses or FINISHED_STATUSES))
    unknown = set(chosen) - set(Campaign.Status.values)
    if unknown:
        raise MaintenanceError(
            f"unknown status {', '.join(sorted(unknown))}; use one of {', '.join(Campaign.Status.values)}"
        )
    criteria = {"older_than_days": older_than_days, "updated_before": cutoff.isoformat(), "statuses": chosen}

    def select() -> Any:
        return Campaign.objects.filter(updated_at__lt=cutoff, status__in=chosen)

    return _run("campaigns", [(Campaign, select)], criteria, dry_run, now)


def prune_orphans(*, dry_run: bool = False, now: dt.datetime | None = None) -> dict[str, Any]:
    """Archive, then delete, emails and steps whose campaign no longer exists."""

    def orphans(model: type[models.Model]) -> Any:
        return lambda: model._base_manager.filter(~Exists(Campaign.objects.filter(pk=OuterRef("campaign_id"))))

    parts: list[Selection] = [(EmailOutreach, orphans(EmailOutreach)), (CampaignStep, orphans(CampaignStep))]
    return _run("orphans", parts, {"campaign": "missing"}, dry_run, now or timezone.now())
