"""Background tasks for the network. Each only names the row to look at; the row is the truth.

The worker registers tasks by importing each app's `tasks` module (autodiscover_modules("tasks")),
and only those: a task defined elsewhere is unknown to it, so the consumer drops its messages.
The mailbox scan's task lives in scan_tasks.py and is imported here so the worker knows it.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sixdegrees.network import importing
from sixdegrees.network.scan_tasks import scan_mailbox_task


@db_task()
def import_contacts(import_id: str) -> dict[str, int | str]:
    """Apply the stored contacts file of import `import_id` (queued by importing.start_import)."""
    done = importing.run_import(import_id)
    return {
        "status": done.status,
        "rows_done": done.rows_done,
        **done.counts(),
    }


def enqueue_import(sender: object, import_id: str, **kwargs: object) -> None:
    """Receiver of importing.import_queued (connected in NetworkConfig.ready)."""
    import_contacts(import_id)


__all__ = ["enqueue_import", "import_contacts", "scan_mailbox_task"]
