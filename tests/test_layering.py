"""The layering of ARCHITECTURE.md, enforced by reading the source (ast; nothing is imported, so a module that
would fail to import is still checked). Every ``import`` and ``from … import`` counts, at module level or inside a
function: a function-level import is a dependency all the same, only a lazier one.

Rules:
1. A module may import only from its own layer or a lower one (the table below).
2. A domain app never imports another domain app's ``services`` (what two apps share lives in a small module of
   its own at the lowest layer that needs it: ``accounting/fetch.py``, ``tabular/times.py`` …).

Known violations are listed with who removes them; the test fails on a violation not listed **and** on a listed
one that no longer occurs, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "carbonpeak"

#: the first dotted part below ``carbonpeak`` → its layer (lower may not import higher)
LAYERS: dict[str, int] = {
    # 0 · foundations: pure Python, import nothing of carbonpeak but themselves; used by every app
    "core": 0,  # pure calculation: stdlib + numpy (tests/test_core_purity-style rule: no Django)
    "validation": 0,  # carbonpeak/validation.py: Issue / Issues / ValidationFailed, used by every service
    "percent": 0,  # carbonpeak/percent.py: the percent ↔ fraction grammar of forms and imports
    "tabular": 0,  # carbonpeak/tabular/: rows from CSV/Excel, the report, the timestamp grammar (times.py)
    "data": 0,  # shipped data; data/plans/check_plan_file.py is a stand-alone checker (stdlib only)
    # 1 · who and what happened: users, roles, tokens; the audit log (each uses the other's models)
    "accounts": 1,
    "audit": 1,
    # the API's one error shape and field types, used by every app's api.py and the signed batches
    "api_errors": 1,
    "api_fields": 1,
    # 2 … 5 · the domain apps, in the order of ARCHITECTURE.md
    "plan": 2,
    "accounting": 3,
    "enterprises": 4,
    "inclusion": 5,
    "scenarios": 5,
    "exchange": 5,  # the city/province exchange format: reads accounting and enterprises
    # the sector systems (issues 16–20): each reads plan and accounting, feeds targets through plan/feeds.py
    "generation": 3,  # the grid-connected generation units (installed new-energy capacity); scenarios read it
    "sinks": 3,  # forest resources, coverage, stock and sink; accounting reads the approved sink (sinks/fetch.py)
    "waste": 4,  # construction waste: permits, manifests, receipts, GPS, reconciliation
    "transport": 4,  # vehicles, chargers, operating-vehicle intensity, gas coverage and storage; 碳普惠 reads it
    "buildings": 5,  # building registry, completions, energy; reuses the enterprises' meters and readings
    # 6 · entry points and wiring, which may import any app: pages, the JSON API, the command line, settings
    "web": 6,
    "api": 6,  # carbonpeak/api.py: mounts every app's router
    "calc_api": 6,  # carbonpeak/calc_api.py: the `calc` endpoint (imported by api.py only)
    "cli": 6,
    "cli_accounts": 6,
    "cli_exchange": 6,  # the `exchange` and `factors` sub-commands of cli.py
    "cli_sectors": 6,  # carbonpeak/cli_sectors/<module>.py: the sector systems' sub-commands (units, forest, …)
    "setup": 6,  # carbonpeak/setup.py: `carbonpeak setup` seeds every app (cli, config.checks call it)
    "backup": 6,  # carbonpeak/backup.py: `carbonpeak backup|restore`, reads every app's tables (cli.py only)
    "serving": 6,  # carbonpeak/serving.py: `carbonpeak serve` (gunicorn), called by cli.py only
    "config": 6,  # settings, urls (→ api), deployment checks (→ setup)
    "__init__": 6,  # the package itself
}

#: domain apps whose ``services`` no other domain app may import. accounts and audit are the shared base: their
#: services (``audit.services.record``, ``accounts.services.create_user``) are how every app audits and makes users.
DOMAIN_APPS = {
    "plan",
    "accounting",
    "enterprises",
    "inclusion",
    "scenarios",
    "generation",
    "sinks",
    "waste",
    "transport",
    "buildings",
}

#: (importing module, imported module) pairs allowed for now, each with who removes it (none left: add one only
#: with its reason and its remover)
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts
        # tests exercise any layer (a test of enterprises may drive the CLI); migrations are generated
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def _imports(module: str, path: Path) -> set[str]:
    """Every carbonpeak module ``module`` imports, anywhere in the file (``from a import b`` yields ``a.b`` when
    ``b`` is a module, else ``a``; both are checked by the first part below carbonpeak and by the services rule)."""
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names if a.name != "*")
    return {m for m in found if m == "carbonpeak" or m.startswith("carbonpeak.")}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel / "__init__.py").exists()


def violations() -> set[tuple[str, str]]:
    found = set()
    for module, path in _modules():
        src = _top(module)
        for target in _imports(module, path):
            if not _is_module(target):  # ``from carbonpeak.x import name``: the module is x, checked on its own
                continue
            dst = _top(target)
            if target == "carbonpeak":
                continue  # ``from carbonpeak import cli_accounts`` also yields carbonpeak.cli_accounts
            if LAYERS[dst] > LAYERS[src]:
                found.add((module, target))
            if src in DOMAIN_APPS and dst in DOMAIN_APPS and src != dst and target.split(".")[2:3] == ["services"]:
                found.add((module, target))
    return found


def test_every_package_part_has_a_layer():
    tops = {_top(m) for m, _ in _modules()}
    assert tops - set(LAYERS) == set(), "a new top-level module or app: give it a layer in LAYERS"


def test_the_walk_sees_function_level_and_relative_imports(tmp_path):
    # the checker itself: an import inside a function and a relative one are both found
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from carbonpeak.web import views\n\nfrom ..accounting import services\n")
    got = _imports("carbonpeak.enterprises.m", f)
    assert {"carbonpeak.web.views", "carbonpeak.accounting.services"} <= got


def test_imports_follow_the_layers():
    found = violations()
    new = sorted(found - KNOWN_VIOLATIONS)
    gone = sorted(KNOWN_VIOLATIONS - found)
    assert not new, "imports against the layering (ARCHITECTURE.md):\n" + "\n".join(f"{a} -> {b}" for a, b in new)
    assert not gone, "fixed, so remove from KNOWN_VIOLATIONS:\n" + "\n".join(f"{a} -> {b}" for a, b in gone)
