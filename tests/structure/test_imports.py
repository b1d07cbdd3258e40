"""The house rules of issue 10, read from the code: flows -> pipeline -> {connectors, transforms,
warehouse}; transforms and warehouse import neither each other nor pipeline; no import cycle; flows/
holds only Prefect flows and the CLI; transforms/ is pure (no SQL, no files)."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.structure.imports import cycles, forbidden_arrows, import_graph

ROOT = Path(__file__).resolve().parents[2]


def test_no_forbidden_import_between_packages() -> None:
    assert forbidden_arrows(import_graph(ROOT)) == []


def test_no_import_cycle_in_product_code() -> None:
    assert cycles(import_graph(ROOT)) == []


def test_the_checks_catch_a_violation(tmp_path: Path) -> None:
    """Each check can fail: a warehouse module importing transforms, and a two-module cycle."""
    for pkg in ("warehouse", "transforms"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "warehouse" / "a.py").write_text("def f():\n    from transforms import b\n")
    (tmp_path / "transforms" / "b.py").write_text("from transforms.c import x\n")
    (tmp_path / "transforms" / "c.py").write_text("from transforms.b import y\n")
    graph = import_graph(tmp_path, ("warehouse", "transforms"))
    assert forbidden_arrows(graph) == [("warehouse.a", "transforms.b")]
    assert cycles(graph) == [["transforms.b", "transforms.c"]]


def test_flows_holds_only_flows_and_the_cli() -> None:
    """Every module of flows/ outside flows/cli/ defines a Prefect flow."""
    for path in sorted((ROOT / "flows").glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        decorated = {d.id if isinstance(d, ast.Name) else getattr(getattr(d, "func", None), "id", None)
                     for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for d in n.decorator_list}
        assert "flow" in decorated, f"{path.name} defines no Prefect flow: it belongs in pipeline/"


def test_transforms_are_pure() -> None:
    """No SQL connection, no file or network I/O in transforms/ (data files shipped with the package,
    read through importlib.resources, are the exception)."""
    banned = {"duckdb", "sqlite3", "aiohttp", "requests", "open", "subprocess", "os", "pathlib", "shutil"}
    for path in sorted((ROOT / "transforms").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        names |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        writes = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Attribute) and n.func.attr in ("write_text", "write_bytes", "unlink", "mkdir")}
        assert not (names & banned) and not writes, f"{path.relative_to(ROOT)}: {sorted((names & banned) | writes)}"
