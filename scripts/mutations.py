"""Re-apply each listed mutation (a rule broken on purpose) and check that its test fails.

Each mutation replaces one exact piece of source with a broken version, runs the test that is
meant to catch it, and puts the file back, always: on success, on failure, on Ctrl-C or SIGTERM.
A run killed with SIGKILL leaves the original in .mutations-backup/, and the next run restores it
before doing anything else. The mutations are listed in scripts/mutations.toml; docs/testing.md ("## Mutations") shows them
as a table (--table).

Not part of `make test`: each mutation runs its own pytest, so the whole list takes minutes.

    .venv/bin/python scripts/mutations.py                  # every mutation, its catching test(s)
    .venv/bin/python scripts/mutations.py ledger-read-then-write watcher-read-write
    .venv/bin/python scripts/mutations.py --discover       # run each against its area's test files
    .venv/bin/python scripts/mutations.py --table          # the markdown table for docs/testing.md
    .venv/bin/python scripts/mutations.py --check          # every anchor still in its file, exactly once
    .venv/bin/python scripts/mutations.py --on-postgres    # the same, every test on PostgreSQL

A mutation caught on PostgreSQL only runs there: pass --postgres URL (default
postgres://postgres@127.0.0.1:5432/mutations; pytest-django creates test_mutations). Exits 1 when
a mutation survives or cannot be applied.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKUP = ROOT / ".mutations-backup"
PYTEST = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest"]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mutations"


@dataclass(frozen=True)
class Mutation:
    id: str
    what: str  # the rule it breaks, in words
    file: str
    old: str
    new: str
    catchers: list[str]  # pytest node ids that fail with the mutation in
    area: list[str] = field(default_factory=list)  # test files --discover runs
    db: str = "both"  # where the catchers catch it: "both" or "postgresql"
    why_not: str = ""  # for a mutation no test catches: why (equivalent, race only, …)

    @property
    def path(self) -> Path:
        return ROOT / self.file

    def line(self) -> int:
        text = self.path.read_text()
        index = text.find(self.old)
        return text.count("\n", 0, index) + 1 if index >= 0 else 0


TABLE = ROOT / "scripts" / "mutations.toml"


def load(path: Path = TABLE) -> list[Mutation]:
    """The mutations in scripts/mutations.toml; an `area` that is a name stands for [areas]' list."""
    data = tomllib.loads(path.read_text())
    areas = data.get("areas", {})
    found = []
    for row in data["mutation"]:
        area = row.get("area", [])
        found.append(Mutation(**{**row, "area": areas[area] if isinstance(area, str) else area}))
    return found


MUTATIONS = load()


# --- Applying and restoring ------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def restore_leftovers() -> list[str]:
    """Put back what a killed run left mutated (its originals wait in .mutations-backup/)."""
    restored = []
    if BACKUP.exists():
        for saved in sorted(p for p in BACKUP.rglob("*") if p.is_file()):
            target = ROOT / saved.relative_to(BACKUP)
            shutil.copyfile(saved, target)
            restored.append(str(target.relative_to(ROOT)))
        shutil.rmtree(BACKUP)
    return restored


class Applied:
    """The mutation is in the file inside the `with`; the original is back after it, whatever happens."""

    def __init__(self, m: Mutation) -> None:
        self.m = m
        self.original = ""

    def __enter__(self) -> Applied:
        self.original = self.m.path.read_text()
        if self.original.count(self.m.old) != 1:
            raise ValueError(
                f"{self.m.id}: the text to replace is in {self.m.file} {self.original.count(self.m.old)} times"
            )
        saved = BACKUP / self.m.file
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(self.original)
        self.m.path.write_text(self.original.replace(self.m.old, self.m.new))
        return self

    def __exit__(self, *exc) -> None:
        self.m.path.write_text(self.original)
        shutil.rmtree(BACKUP, ignore_errors=True)


# --- Running -------------------------------------------------------------------------------------


FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)


def run_pytest(targets: list[str], *, database_url: str, stop_first: bool) -> tuple[int, list[str], str]:
    env = {**os.environ, "SIXDEGREES_REQUIRE_SERVICES": "1"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    args = [*PYTEST, "-q", "-rfE", "-p", "no:cacheprovider", *(["-x"] if stop_first else []), *targets]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    failed = sorted({node.split(" ")[0] for node in FAILED.findall(done.stdout)})
    return done.returncode, failed, done.stdout[-3000:]


ON_POSTGRES = False  # --on-postgres: run every mutation's tests on PostgreSQL, not only the PostgreSQL-only ones


def database_for(m: Mutation, postgres: str) -> str:
    return postgres if m.db == "postgresql" or ON_POSTGRES else ""


def run_one(m: Mutation, *, postgres: str, discover: bool, baseline: dict[str, list[str]]) -> tuple[str, list[str]]:
    """Returns (caught | survived | error, the tests that failed)."""
    database_url = database_for(m, postgres)
    targets = [t for t in m.area if (ROOT / t).exists()] if discover else m.catchers
    deselect = [arg for node in baseline.get(database_url, []) for arg in ("--deselect", node)]
    with Applied(m):
        code, failed, tail = run_pytest([*targets, *deselect], database_url=database_url, stop_first=not discover)
    if code == 1 and failed:
        return "caught", failed
    if code == 0:
        return "survived", []
    return "error", [tail]


def baseline_failures(targets: list[str], database_url: str) -> list[str]:
    """Tests that fail with no mutation in: --discover leaves them out rather than count them."""
    code, failed, tail = run_pytest(targets, database_url=database_url, stop_first=False)
    if code not in (0, 1):
        raise SystemExit(f"the unmutated tests did not run:\n{tail}")
    return failed


def table() -> str:
    lines = [
        "| mutation | file:line changed | caught by | database |",
        "|---|---|---|---|",
    ]
    for m in MUTATIONS:
        tests = "<br>".join(f"`{node}`" for node in m.catchers) or f"not caught: {m.why_not}"
        db = "PostgreSQL only" if m.db == "postgresql" else "SQLite and PostgreSQL"
        if not m.catchers:
            db = "—"
        lines.append(f"| `{m.id}`: {m.what} | `{m.file}:{m.line()}` | {tests} | {db} |")
    return "\n".join(lines)


def relocate(chosen: list[Mutation]) -> int:
    """After code moved: rewrite `file` in mutations.toml for each anchor now found exactly once in
    exactly one other source file. Anchors found nowhere (the code changed) are left to a person."""
    text = TABLE.read_text()
    sources = [p for p in ROOT.glob("sixdegrees/**/*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    lost = 0
    for m in chosen:
        if m.path.is_file() and m.path.read_text().count(m.old) == 1:
            continue
        homes = [p for p in sources if p.read_text().count(m.old) == 1]
        if len(homes) != 1:
            print(f"{m.id}: its text is in {len(homes)} source files; edit it by hand")
            lost += 1
            continue
        moved = str(homes[0].relative_to(ROOT))
        block = re.compile(rf'(id = "{re.escape(m.id)}"\n(?:.*\n)*?file = )"[^"]*"')
        text = block.sub(lambda match, moved=moved: f'{match.group(1)}"{moved}"', text, count=1)
        print(f"{m.id}: {m.file} -> {moved}")
    TABLE.write_text(text)
    return 1 if lost else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="mutation ids (default: all)")
    parser.add_argument("--discover", action="store_true", help="run each mutation against its area's test files")
    parser.add_argument("--table", action="store_true", help="print the markdown table and exit")
    parser.add_argument("--check", action="store_true", help="check every anchor is in its file exactly once")
    parser.add_argument(
        "--relocate", action="store_true", help="point each anchor that moved to the one source file now holding it"
    )
    parser.add_argument("--postgres", default=os.environ.get("MUTATIONS_DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--on-postgres", action="store_true", help="run every mutation's tests on PostgreSQL")
    options = parser.parse_args(argv)
    global ON_POSTGRES
    ON_POSTGRES = options.on_postgres

    for path in restore_leftovers():
        print(f"restored {path} from an interrupted run")
    known = {m.id: m for m in MUTATIONS}
    unknown = [i for i in options.ids if i not in known]
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = [known[i] for i in options.ids] if options.ids else MUTATIONS
    if options.table:
        print(table())
        return 0
    if options.relocate:
        return relocate(chosen)
    broken = [m.id for m in chosen if not m.path.is_file() or m.path.read_text().count(m.old) != 1]
    if options.check or broken:
        for name in broken:
            print(f"{name}: its text is no longer in {known[name].file} exactly once; update scripts/mutations.toml")
        return 1 if broken else 0

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    baseline: dict[str, list[str]] = {}
    if options.discover:
        for database_url in sorted({database_for(m, options.postgres) for m in chosen}):
            area = sorted(
                {t for m in chosen if database_for(m, options.postgres) == database_url for t in m.area}
                & {str(p.relative_to(ROOT)) for p in ROOT.glob("sixdegrees/*/tests/test_*.py")}
            )
            baseline[database_url] = baseline_failures(area, database_url)
            if baseline[database_url]:
                print(f"failing without any mutation (left out): {', '.join(baseline[database_url])}")
    outcomes: dict[str, str] = {}
    try:
        for m in chosen:
            if not m.catchers and not options.discover:
                print(f"{'known':8} {m.id}: no test catches it ({m.why_not})")
                continue
            started = time.monotonic()
            outcome, failed = run_one(m, postgres=options.postgres, discover=options.discover, baseline=baseline)
            outcomes[m.id] = outcome
            where = " (PostgreSQL)" if database_for(m, options.postgres) else ""
            print(f"{outcome:8} {m.id}{where}  [{time.monotonic() - started:.0f} s]", flush=True)
            for line in failed:
                print(f"         {line}")
    except KeyboardInterrupt:
        print("\ninterrupted: every file is back as it was", file=sys.stderr)
        return 130
    survived = [i for i, o in outcomes.items() if o != "caught"]
    print(
        f"\n{len(outcomes) - len(survived)} of {len(outcomes)} caught"
        + (f"; not caught: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
