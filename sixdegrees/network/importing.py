"""Importing a contacts file into one owner's network: refuse at once, or store it and apply it.

`start_import` is what the page and the API call: it refuses a file it cannot take (empty, too
big, unknown format, or unreadable: `ImportRefused`, nothing stored), imports a small file at
once and hands a large one to the worker (`import_queued`, which network/tasks.py enqueues).
`run_import` does the work, for the worker and the CLI alike:

1. the whole file is parsed before anything is written: a FormatError anywhere (a file cut short,
   a stray comma) fails the import with the error's words and changes nothing;
2. records are applied in chunks of CHUNK_ROWS, each chunk in its own transaction together with the
   import's progress, so the page and the CLI can show `rows_done` moving;
3. the stored file is cleared once done (or failed): the network keeps what it needs, not the file.

Re-running is safe. A chunk commits together with `rows_done`, so a run that crashed resumes after
the last chunk it finished; each chunk first moves `rows_done` on with a conditional UPDATE, so two
workers never apply one chunk twice; and a record applied before is recognised by its fingerprint.
The matching and merging rules are in network/importing_apply.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_noop

from sixdegrees.accounts.models import User
from sixdegrees.network.formats import FORMATS, Entry, FormatError, Skipped, open_file
from sixdegrees.network.importing_apply import ADDED, MERGED, REVIEW, UNCHANGED, Applier
from sixdegrees.network.importing_entries import NOTHING_USABLE, Prepared, prepare
from sixdegrees.network.models import ContactImport

MAX_IMPORT_BYTES = 20 * 1024 * 1024
INLINE_ROWS = 2_000  # up to this many records, the request waits for the import (well under a second)
CHUNK_ROWS = 500
SKIPPED_KEPT = 200  # skipped_lines keeps the first this many; `skipped` counts them all
FORMAT_CHOICES = ("auto", *FORMATS)
TOO_BIG = gettext_noop("The file is %(size)s MB; one import takes at most %(limit)s MB. Split it into smaller files.")

# Sent with `import_id` (on commit) when a large import waits for the worker; tasks.py listens.
import_queued = Signal()

Progress = Callable[[ContactImport], None]
COUNTERS = {ADDED: "added", MERGED: "merged", UNCHANGED: "unchanged", REVIEW: "needs_review"}


class ImportRefused(ValueError):
    """The file cannot be imported; the message says why in plain words. Nothing was stored.

    Like FormatError it keeps its English `template`, `params` and `line`, for a page that shows
    it in the reader's language (network/import_messages.py).
    """

    def __init__(self, template: str, line: int | None = None, **params: Any) -> None:
        self.template = template
        self.params = params
        self.line = line
        message = template % params if params else template
        super().__init__(f"line {line}: {message}" if line is not None else message)

    @classmethod
    def from_format_error(cls, exc: FormatError) -> ImportRefused:
        return cls(exc.template, exc.line, **exc.params)


def prepare_import(owner: User, *, filename: str, data: bytes, format: str = "auto") -> ContactImport:
    """Check the file and store it as a queued ContactImport, or raise ImportRefused.

    A file of up to INLINE_ROWS records is read whole here, so any error in it is refused now;
    a larger one is read as far as that, and the worker reports anything wrong further on.
    """
    if not data:
        raise ImportRefused(gettext_noop("The file is empty."))
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(TOO_BIG, size=f"{len(data) / 1024 / 1024:.1f}", limit=MAX_IMPORT_BYTES // 1024 // 1024)
    if format not in FORMAT_CHOICES:
        raise ImportRefused(
            gettext_noop("Unknown format '%(format)s'; choose one of %(formats)s."),
            format=format,
            formats=", ".join(FORMAT_CHOICES),
        )
    try:
        parsed = open_file(data, format)
        counted = 0
        for _ in parsed.records:
            counted += 1
            if counted > INLINE_ROWS:
                break
    except FormatError as exc:
        raise ImportRefused.from_format_error(exc) from None
    return ContactImport.objects.create(
        owner=owner,
        filename=filename[:255],
        format=parsed.format,
        encoding=parsed.encoding,
        data=data,
        size_bytes=len(data),
        rows_total=counted if counted <= INLINE_ROWS else 0,  # a large file's is known once the worker reads it
    )


def start_import(owner: User, *, filename: str, data: bytes, format: str = "auto") -> ContactImport:
    """Import `data` into `owner`'s network: done when it returns for a small file, queued for a large one."""
    contact_import = prepare_import(owner, filename=filename, data=data, format=format)
    if contact_import.rows_total and contact_import.rows_total <= INLINE_ROWS:
        return run_import(contact_import.pk)
    import_id = contact_import.pk
    transaction.on_commit(lambda: import_queued.send(sender=None, import_id=import_id))
    return contact_import


def run_import(import_id: str, *, progress: Progress | None = None, chunk_rows: int = CHUNK_ROWS) -> ContactImport:
    """Apply a stored import (see the module docstring); `progress` is called after every chunk."""
    contact_import = ContactImport.objects.select_related("owner").get(pk=import_id)
    if contact_import.status in (ContactImport.Status.DONE, ContactImport.Status.FAILED):
        return contact_import
    if contact_import.data is None:
        return _fail(contact_import, gettext_noop("The uploaded file is no longer stored; upload it again."))
    ContactImport.objects.filter(pk=import_id).update(status=ContactImport.Status.RUNNING, started_at=timezone.now())
    contact_import.refresh_from_db()
    try:
        records = list(open_file(bytes(contact_import.data), contact_import.format or "auto").records)
    except FormatError as exc:
        return _fail(contact_import, exc.template, exc.line, exc.params)
    if contact_import.rows_total != len(records):
        contact_import.rows_total = len(records)
        contact_import.save(update_fields=["rows_total"])
    if progress:
        progress(contact_import)
    applier = Applier(contact_import.owner, contact_import)
    while contact_import.rows_done < len(records):
        start = contact_import.rows_done
        chunk = records[start : start + chunk_rows]
        if not _apply_chunk(contact_import, applier, start, chunk):
            contact_import.refresh_from_db()  # another worker took this chunk; it carries on
            return contact_import
        if progress:
            progress(contact_import)
    contact_import.status = ContactImport.Status.DONE
    contact_import.data = None
    contact_import.finished_at = timezone.now()
    contact_import.save(update_fields=["status", "data", "finished_at"])
    return contact_import


def _apply_chunk(contact_import: ContactImport, applier: Applier, start: int, chunk: list[Entry | Skipped]) -> bool:
    """Apply one chunk and move the import's counts on, in one transaction; False if another run has it."""
    prepared: list[Prepared] = []
    skipped: list[tuple[int, str]] = []
    for record in chunk:
        if isinstance(record, Skipped):
            skipped.append((record.line, record.reason))
            continue
        item = prepare(record)
        if item.usable:
            prepared.append(item)
        else:
            skipped.append((record.line, NOTHING_USABLE))
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                claimed = ContactImport.objects.filter(pk=contact_import.pk, rows_done=start).update(
                    rows_done=start + len(chunk)
                )
                if claimed != 1:
                    return False
                outcomes = applier.apply(prepared)
                _count(contact_import, start + len(chunk), outcomes, skipped)
                return True
        except IntegrityError:
            # Someone changed this network meanwhile (another import, a person removed on the page):
            # what the caches say may be stale, so read it again and redo the chunk once.
            applier.forget()
            contact_import.refresh_from_db()
            if attempt == 2:
                raise
    return False


def _count(contact_import: ContactImport, rows_done: int, outcomes: list[str], skipped: list[tuple[int, str]]) -> None:
    contact_import.rows_done = rows_done
    for outcome in outcomes:
        name = COUNTERS[outcome]
        setattr(contact_import, name, getattr(contact_import, name) + 1)
    contact_import.skipped += len(skipped)
    room = SKIPPED_KEPT - len(contact_import.skipped_lines)
    contact_import.skipped_lines = [*contact_import.skipped_lines, *([line, reason] for line, reason in skipped[:room])]
    contact_import.save(update_fields=["rows_done", *COUNTERS.values(), "skipped", "skipped_lines"])


def _fail(
    contact_import: ContactImport, template: str, line: int | None = None, params: dict[str, Any] | None = None
) -> ContactImport:
    message = template % params if params else template
    contact_import.status = ContactImport.Status.FAILED
    contact_import.error = f"line {line}: {message}" if line is not None else message
    contact_import.error_detail = {"template": template, "params": params or {}, "line": line}
    contact_import.data = None  # nothing of it was applied; the person uploads a corrected file
    contact_import.finished_at = timezone.now()
    contact_import.save(update_fields=["status", "error", "error_detail", "data", "finished_at"])
    return contact_import


def apply_entry(owner: User, entry: Entry, contact_import: ContactImport | None) -> str:
    """Apply one record to `owner`'s network now: "added", "merged", "unchanged" or "review".

    For callers with a single record (a person typed in); ValueError when it holds nothing usable.
    Runs in its own transaction unless the caller has one.
    """
    item = prepare(entry)
    if not item.usable:
        raise ValueError(NOTHING_USABLE)
    with transaction.atomic():
        return Applier(owner, contact_import).apply([item])[0]


__all__ = [
    "CHUNK_ROWS",
    "INLINE_ROWS",
    "MAX_IMPORT_BYTES",
    "ImportRefused",
    "apply_entry",
    "import_queued",
    "prepare_import",
    "run_import",
    "start_import",
]
