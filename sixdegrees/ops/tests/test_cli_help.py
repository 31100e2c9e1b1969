"""Every `sixdegrees` command explains itself, with an example, including commands added later."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Iterator

import click
import pytest

import sixdegrees.cli
from sixdegrees.cli import cli
from sixdegrees.ops.tests.helpers import subprocess_env


def load_every_command_module() -> None:
    """Commands register themselves on import; import every module in the package, new ones too."""
    for module in pkgutil.iter_modules(sixdegrees.cli.__path__, prefix="sixdegrees.cli."):
        importlib.import_module(module.name)


def walk(command: click.Command, parent: click.Context | None = None) -> Iterator[click.Context]:
    ctx = click.Context(command, info_name=command.name if parent else "sixdegrees", parent=parent)
    yield ctx
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name], ctx)


load_every_command_module()
CONTEXTS = list(walk(cli))


def test_the_known_commands_are_found():
    paths = {ctx.command_path for ctx in CONTEXTS}
    assert {"sixdegrees", "sixdegrees up", "sixdegrees serve", "sixdegrees worker", "sixdegrees manage"} <= paths


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda ctx: ctx.command_path)
def test_command_has_help_with_an_example(ctx):
    command = ctx.command
    assert command.help and command.help.strip(), f"`{ctx.command_path}` has no help text"
    assert command.get_short_help_str().strip()

    shown = command.get_help(ctx)  # what --help prints
    examples = [line.strip() for line in shown.splitlines() if line.strip().startswith("Example:")]
    assert examples, f"`{ctx.command_path} --help` has no 'Example:' line"
    # The example runs this very command, so it is not copied from a neighbour by mistake.
    assert any(f" {ctx.command_path}" in f" {example.removeprefix('Example:').strip()}" for example in examples)


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda ctx: ctx.command_path)
def test_every_option_is_explained(ctx):
    undocumented = [
        param.opts[0]
        for param in ctx.command.params
        if isinstance(param, click.Option) and not param.hidden and not param.help
    ]
    assert undocumented == [], f"`{ctx.command_path}` options without help: {undocumented}"


def run_cli(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sixdegrees", *args],
        env=subprocess_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_works_without_a_valid_configuration(tmp_path):
    result = run_cli(tmp_path, "--help", SIXDEGREES_ENV="production")  # no secret key, no hosts

    assert result.returncode == 0, result.stderr
    assert "Example:" in result.stdout


def test_a_configuration_problem_is_a_message_not_a_traceback(tmp_path):
    result = run_cli(tmp_path, "worker", SIXDEGREES_ENV="production")

    assert result.returncode == 1
    assert "configuration problem" in result.stderr
    assert "SIXDEGREES_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr
