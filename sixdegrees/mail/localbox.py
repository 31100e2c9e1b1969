"""The local outbox folder: where emails go when no mailbox is configured (nothing leaves the machine)."""

from __future__ import annotations

import os
import tempfile
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings


def folder() -> Path:
    path = Path(settings.OUTBOX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(name: str, message: EmailMessage) -> Path:
    """Write `<name>.eml` atomically (a reader never sees half a file; a retry overwrites)."""
    target = folder() / f"{name}.eml"
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def note(path: Path) -> str:
    return f"Delivered locally: no mailbox is configured, so the email was written to {path} and not sent."
