"""`python -m sixdegrees.bench [NAME …]`: run benchmarks (all by default), update docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

import sixdegrees.bench
from sixdegrees.bench.report import DOCS, update_section


def benchmarks() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(sixdegrees.bench.__path__, prefix="sixdegrees.bench."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue  # a benchmark's helper run inside a scratch installation, not a benchmark
        module = importlib.import_module(info.name)
        if hasattr(module, "SECTION") and hasattr(module, "run"):
            found[module.SECTION] = module
    return found


def main(argv: list[str] | None = None) -> int:
    available = benchmarks()
    parser = argparse.ArgumentParser(prog="python -m sixdegrees.bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(sorted(available))})")
    for module in available.values():
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    options = parser.parse_args(argv)
    unknown = [n for n in options.names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(sorted(available))}")
    for name in options.names or sorted(available):
        print(f"== {name}", flush=True)
        markdown = available[name].run(options)
        update_section(name, markdown)
        print(f"== {name}: written to {DOCS}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
