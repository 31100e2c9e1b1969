"""Commands that read or write the tables refuse, in one line, a database that is not set up.

Without this a never-migrated data dir answers `billing check` or `outbox` with a 70-line
traceback ending in "no such table"; the operator needs to hear what to run instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

P = ParamSpec("P")
R = TypeVar("R")


def database_problem() -> str:
    """Why the tables cannot be used yet, in a sentence that says what to run; "" when they can."""
    from django.db import DatabaseError

    from sixdegrees.ops.status import missing_database_file, pending_migrations

    missing = missing_database_file()
    if missing:
        # Connecting would create an empty file, which is worse than saying so.
        return f"the database is not set up yet ({missing}); run `sixdegrees up` once, or `sixdegrees manage migrate`"
    try:
        pending = pending_migrations()
        applied_any = _any_migration_applied()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot reach the database: {first_line}; `sixdegrees doctor` says more"
    if not pending:
        return ""
    if not applied_any:
        return "the database is not set up yet; run `sixdegrees up` once, or `sixdegrees manage migrate`"
    count = f"{len(pending)} migration{'s' if len(pending) > 1 else ''}"
    return (
        f"the database needs {count} first; run `sixdegrees manage migrate` "
        "(or restart `sixdegrees up`, which takes a backup and migrates)"
    )


def _any_migration_applied() -> bool:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    return recorder.has_table() and recorder.migration_qs.exists()


def needs_database(func: Callable[P, R]) -> Callable[P, R]:
    """Run the command only against a migrated database; otherwise exit 1 with what to run."""

    @functools.wraps(func)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        problem = database_problem()
        if problem:
            raise click.ClickException(problem)
        return func(*args, **kwargs)

    return checked


__all__ = ["database_problem", "needs_database"]
