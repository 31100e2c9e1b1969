"""scripts/mutations.toml must still apply to the code as it is: a refactor that moves or rewrites
a guarded line has to carry its mutation along (`mutations.py --relocate`), or docs/testing.md's
table would claim tests for rules nobody re-checks any more."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from sixdegrees.ops.tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "mutations.py"


def test_every_mutation_still_applies_to_exactly_one_place():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_catcher_names_a_test_file_that_exists_and_the_docs_list_each_mutation():
    table = tomllib.loads((ROOT / "scripts" / "mutations.toml").read_text())
    docs = (ROOT / "docs" / "testing.md").read_text()

    missing_files = sorted(
        {node.split("::")[0] for m in table["mutation"] for node in m["catchers"]}
        - {str(p.relative_to(ROOT)) for p in ROOT.glob("sixdegrees/**/tests/test_*.py")}
    )
    undocumented = [m["id"] for m in table["mutation"] if f"`{m['id']}`" not in docs]
    assert missing_files == []
    assert undocumented == []
