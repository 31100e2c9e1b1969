"""Data flows one way: no import cycle in sixdegrees/, and lib/ imports nothing of sixdegrees above it.

grimp reads every import statement, module-level and inside functions alike: a lazy import still
ties two modules together, it only hides the cycle from the interpreter until the call.
"""

from __future__ import annotations

import graphlib
import itertools

import grimp
import pytest

PACKAGE = "sixdegrees"
LIB = "sixdegrees.lib"


def is_checked(module: str) -> bool:
    """Application code: not tests, migrations, or the test-only settings and clock."""
    parts = module.split(".")
    return not any(part in ("tests", "migrations", "conftest") or part.startswith("test_") for part in parts)


def is_ancestor(package: str, module: str) -> bool:
    # Python imports a module's parent packages before the module itself, so `from sixdegrees.cli
    # import cli` inside sixdegrees/cli/outbox.py adds no dependency the package layout did not.
    return module.startswith(package + ".")


def build_graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


def dependencies(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """module -> the sixdegrees modules it imports, for application modules only."""
    return {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if is_checked(imported) and not is_ancestor(imported, module)
        }
        for module in graph.modules
        if is_checked(module)
    }


def find_cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle (its first module repeated at the end), or None when the graph has none."""
    try:
        graphlib.TopologicalSorter(dependencies(graph)).prepare()
    except graphlib.CycleError as exc:
        # graphlib lists each module before the one that imports it; read it importer first.
        return list(reversed(exc.args[1]))
    return None


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    lines = []
    for importer, imported in itertools.pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = f" (line {details[0]['line_number']}: {details[0]['line_contents']})" if details else ""
        lines.append(f"{importer} imports {imported}{where}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return build_graph()


def test_there_is_no_import_cycle(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + describe(graph, cycle or [])


def test_lib_imports_nothing_above_it(graph):
    upward = sorted(
        f"{module} imports {imported}"
        for module in graph.find_descendants(LIB) | {LIB}
        for imported in graph.find_modules_directly_imported_by(module)
        if not (imported == LIB or imported.startswith(LIB + "."))
        and (imported == PACKAGE or imported.startswith(PACKAGE + "."))
    )
    assert upward == [], "lib/ must be a leaf:\n" + "\n".join(upward)


def test_it_names_a_cycle_when_an_upward_import_is_added(graph):
    # The guard itself, on the cycle this graph used to have: tasks → watcher → chain → approval,
    # and approval importing tasks back to enqueue the delivery.
    approval, tasks = "sixdegrees.outreach.approval", "sixdegrees.outreach.tasks"
    assert graph.find_shortest_chain(importer=tasks, imported=approval), "the downward chain this test closes"
    graph.add_import(importer=approval, imported=tasks)
    try:
        cycle = find_cycle(graph)
    finally:
        graph.remove_import(importer=approval, imported=tasks)
    assert cycle is not None
    assert approval in cycle and tasks in cycle
    assert cycle[0] == cycle[-1]
