"""Writing files that survive a crash: fsync the file, rename it into place, fsync the folder.

Backups, archives and drill records are only worth something if they are on disk when the
command says so; a rename without fsync can leave an empty file after a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def publish(partial: Path, final: Path) -> None:
    """Rename a finished (already fsynced) file into place and make the rename durable."""
    os.replace(partial, final)
    fsync_dir(final.parent)


@contextlib.contextmanager
def writing(final: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write `final` through a `.partial` file that only gets its real name once fsynced.

    On an error the partial file is removed and the real name never appears.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        with partial.open(mode) as handle:
            yield handle
            fsync_file(handle)
        publish(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_json(final: Path, data: Any) -> None:
    with writing(final, "w") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, default=str)
        handle.write("\n")


def append_line(path: Path, data: dict[str, Any]) -> None:
    """Append one JSON line (a record such as drills.jsonl) and make it durable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        fsync_file(handle)
