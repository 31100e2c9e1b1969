"""The `sixdegrees` command: one click group, one module per family of subcommands."""

from __future__ import annotations

import os
import sys

import click

from sixdegrees import __version__


class LazyDjangoGroup(click.Group):
    """Sets Django up before any subcommand runs, turning configuration errors into plain messages."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # Only reached when a subcommand is about to run, so `sixdegrees --help` needs no settings.
        # (Checking ctx.protected_args did the same, but Click 9 removes it.)
        resolved = super().resolve_command(ctx, args)
        setup_django()
        if resolved[0] not in SERVICE_COMMANDS:
            logs_to_stderr()
        return resolved


# Commands that run the service keep their log lines on stdout (a process supervisor reads them).
# Every other command keeps stdout for its own output, so `--json` stays parseable: its log lines
# go to stderr, warnings and errors only (info lines would repeat what it prints; the log file
# still has them all).
SERVICE_COMMANDS = {"up", "serve", "worker"}


def logs_to_stderr() -> None:
    import logging

    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stdout:
            handler.setStream(sys.stderr)
            handler.setLevel(max(handler.level, logging.WARNING))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sixdegrees.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(f"configuration problem: {exc}") from None


@click.group(cls=LazyDjangoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sixdegrees")
def cli() -> None:
    """SixDegrees: run the service and keep it healthy.

    Example: sixdegrees up --port 8000
    """


def main() -> None:
    # Imported for their side effect of adding commands to the group; here rather than at the top
    # because each imports this module for `cli`. These modules load before setup_django(), so
    # their commands import models (and what imports models) inside the command body: the one
    # place function-level imports of sixdegrees modules are the rule.
    from sixdegrees.cli import backup, billing, contacts, db, demo, importing, ops, outbox, running  # noqa: F401

    cli(prog_name="sixdegrees")


if __name__ == "__main__":
    main()
    sys.exit(0)
