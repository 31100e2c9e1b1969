"""Every environment variable the code reads is documented in .env.example and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
READ_PATTERN = re.compile(r'env_(?:str|bool|int|list|choice)\(\s*"([A-Z0-9_]+)"')


def variables_read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "sixdegrees").rglob("*.py"):
        if "tests" in path.parts:
            continue
        names.update(READ_PATTERN.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_code_reads_settings_through_the_strict_helpers():
    assert {"SIXDEGREES_DATA_DIR", "DATABASE_URL", "SIXDEGREES_SECRET_KEY"} <= variables_read_by_code()


@pytest.mark.parametrize("name", sorted(variables_read_by_code()))
def test_variable_is_in_env_example(name):
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(rf"^{name}=", example, re.M), f"{name} is read by the code but missing from .env.example"


@pytest.mark.parametrize("name", sorted(variables_read_by_code()))
def test_variable_is_in_readme_table(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `{name}` |" in readme, f"{name} is read by the code but missing from the README's table"
