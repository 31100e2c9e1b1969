"""Shared pieces for commands: the --json flag and printing results for people or machines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

SHOWN = 20  # items of a list printed in full before "… and N more"


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_list(title: str, lines: list[str], *, total: int | None = None) -> None:
    """`title (n):` and the first SHOWN lines, then how many more `--json` has; nothing when empty.

    `total` is the count when `lines` holds only the first of them (a report that keeps a sample).
    """
    count = len(lines) if total is None else total
    if not count:
        return
    click.echo(f"{title} ({count:,}):")
    for line in lines[:SHOWN]:
        click.echo(f"  {line}")
    if count > SHOWN:
        click.echo(f"  … and {count - SHOWN:,} more (use --json to see {'all' if total is None else 'more'})")
