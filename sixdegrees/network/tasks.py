"""Background tasks for the network. Each only names the row to look at; the row is the truth."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sixdegrees.network import importing


@db_task()
def import_contacts(import_id: str) -> dict[str, int | str]:
    """Apply the stored contacts file of import `import_id` (queued by importing.start_import)."""
    done = importing.run_import(import_id)
    return {
        "status": done.status,
        "rows_done": done.rows_done,
        "added": done.added,
        "merged": done.merged,
        "unchanged": done.unchanged,
        "needs_review": done.needs_review,
        "skipped": done.skipped,
    }


def enqueue_import(sender: object, import_id: str, **kwargs: object) -> None:
    """Receiver of importing.import_queued (connected in NetworkConfig.ready)."""
    import_contacts(import_id)
