"""Layers only point down: every import in ``src/tidelog`` goes to its own layer or a lower one.

The order is the one the README's layout section and ``docs/architecture.md``
state (``LAYERS`` below, rendered as there). A unit is a top-level package or
module of ``tidelog`` (``api``, ``settings``, ...); ``tidelog`` is the package's
``__init__`` (the facade), and ``compat.shim`` is the stand-in ``wandb``
package, a client of the facade. Imports inside functions count as much as
those at the top: a lazy import is still a dependency. Within a layer, units
may import each other, but no two units may import each other, directly or
round a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tidelog"
ROOT = SRC.parents[1]

# Bottom first. Keep in step with README.md ("Layout") and docs/architecture.md ("Layers").
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("errors", "_version", "_warn", "settings", "rundir", "runlock", "strict_json")),
    ("formats", ("records", "media")),
    ("storage", ("wal", "transport")),
    ("read", ("read",)),
    ("services", ("sender", "server", "webui", "remote", "sync")),
    ("api", ("api",)),
    ("surface", ("compat", "plot", "importers")),
    ("facade", ("tidelog",)),
    ("clients", ("integration", "compat.shim", "testing", "cli", "__main__")),
]
LEVEL = {unit: i for i, (_, units) in enumerate(LAYERS) for unit in units}


def rendered() -> list[str]:
    """The layer table as the docs print it."""
    return [f"{i}. {name:<9} {' '.join(units)}" for i, (name, units) in enumerate(LAYERS)]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(module: str) -> bool:
    base = SRC.parent.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def unit_of(module: str) -> str:
    parts = module.split(".")
    if parts[:3] == ["tidelog", "compat", "shim"]:
        return "compat.shim"
    return parts[1] if len(parts) > 1 else "tidelog"


def imports_of(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every tidelog module ``path`` imports, top level or not."""
    module = module or _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:  # `from tidelog import settings` imports the module tidelog.settings
                sub = f"{target}.{a.name}"
                out.append((node.lineno, sub if _exists(sub) else target))
    return [(line, m) for line, m in out if m == "tidelog" or m.startswith("tidelog.")]


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importer unit, imported unit) -> where, for imports between different units."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        src_unit = unit_of(_module_name(path))
        for line, target in imports_of(path):
            dst_unit = unit_of(target)
            if dst_unit != src_unit:
                edges[(src_unit, dst_unit)].append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return edges


def test_every_unit_has_a_layer():
    units = {unit_of(_module_name(p)) for p in SRC.rglob("*.py")}
    assert sorted(units - set(LEVEL)) == [], "place each new package in LAYERS (and in the docs)"
    assert sorted(set(LEVEL) - units) == [], "LAYERS names a unit that no longer exists"


def test_no_import_points_up():
    upward = [where for (a, b), places in _edges().items() if LEVEL[b] > LEVEL[a] for where in places]
    assert upward == []


def test_no_import_cycle_between_units():
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in _edges():
        graph[a].add(b)
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [node, nxt]) if nxt in stack
                              else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


@pytest.mark.parametrize("doc", ["README.md", "docs/architecture.md"])
def test_the_docs_state_this_order(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [line for line in rendered() if line not in text]
    assert missing == [], f"{doc} should list the layers, bottom first, as:\n" + "\n".join(rendered())


def test_the_walk_sees_lazy_and_relative_imports(tmp_path):
    """The check itself: an import inside a function, and a relative one, are both found."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from tidelog.api import lifecycle\n    from ..records import pb\n")
    found = {m for _, m in imports_of(probe, module="tidelog.wal.probe")}
    assert found == {"tidelog.api.lifecycle", "tidelog.records"}
    assert LEVEL[unit_of("tidelog.api.lifecycle")] > LEVEL["wal"]


# Reading os.environ for a setting happens in settings.py only; these two pass the whole
# environment on to a child process, which reads no setting from it.
_ENV_PASSED_ON = {"transport/supervisor.py", "cli/run.py"}


def test_only_settings_reads_the_environment():
    readers = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "settings.py" or rel in _ENV_PASSED_ON:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
                    and node.attr in ("environ", "getenv", "environb")):
                readers.append(f"{rel}:{node.lineno}")
    assert readers == [], "read settings through tidelog.settings (add a function there)"
