"""docs/cli.md is generated from every command's --help and must match it (like Datasette's cog check)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from sixdegrees.ops.tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "gen_cli_docs.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_is_current(tmp_path):
    # In a fresh process: click caches each command's help option once a context asked for it, so
    # other tests in this process (building contexts without `-h`) would change the text.
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, (
        "docs/cli.md is stale: a command or its help changed. Run `make docs` and commit docs/cli.md."
    )


def test_every_command_is_in_it():
    generator = load_generator()
    text = generator.render()
    paths = [ctx.command_path for ctx in generator.walk(generator.load_commands())]

    assert {"sixdegrees status", "sixdegrees doctor", "sixdegrees secrets", "sixdegrees logs"} <= set(paths)
    for path in paths:
        assert f"`{path}`" in text
        assert f"Usage: {path}" in text
