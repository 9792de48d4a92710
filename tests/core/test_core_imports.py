"""House rules: the core imports no Django, loads numpy only where needed, reads no ../shared, and carries no
factor literals outside units.py/limits.py."""

from __future__ import annotations

import io
import pkgutil
import subprocess
import sys
import tokenize
from pathlib import Path

from _corecheck import ROOT, run_cli

import carbonpeak.core

CORE = Path(carbonpeak.core.__file__).parent
MODULES = sorted(f"carbonpeak.core.{m.name}" for m in pkgutil.iter_modules([str(CORE)]))


def _py(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_every_core_module_imports_without_django():
    assert "carbonpeak.core.dispatch" in MODULES and len(MODULES) >= 15
    code = (
        "import importlib, sys\n"
        f"for m in {MODULES!r}:\n"
        "    importlib.import_module(m)\n"
        "assert 'django' not in sys.modules, sorted(k for k in sys.modules if k.startswith('django'))\n"
        "print('ok', len(sys.modules))\n"
    )
    r = _py(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok")


def test_dispatch_and_cli_do_not_load_numpy():
    code = (
        "import sys\n"
        "import carbonpeak.core.cli_calc, carbonpeak.core.dispatch\n"
        "from carbonpeak.core.dispatch import run_case\n"
        "r = run_case({'calc': 'gwp', 'gwp_set': 'AR5', 'gases_t': {'CH4': 1}})\n"
        "assert r['co2e_t'] == 28.0, r\n"
        "assert 'numpy' not in sys.modules\n"
        "assert 'django' not in sys.modules\n"
        "r = run_case({'calc': 'inventory', 'lines': [{'id': 'a', 'carrier': 'diesel', 'quantity': 1, 'unit': 't'}]})\n"
        "assert 'numpy' in sys.modules and 'django' not in sys.modules\n"
        "print('ok')\n"
    )
    r = _py(code)
    assert r.returncode == 0, r.stderr


def test_cli_imports_no_django(tmp_path):
    case = tmp_path / "c.json"
    case.write_text('{"calc": "peak", "series": {"2020": 1, "2021": 2}}')
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "carbonpeak.core.cli_calc", str(case)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert r.returncode == 0
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert not any(m == "django" or m.startswith("django.") for m in imported)
    assert "numpy" not in imported
    assert run_cli(str(case)).returncode == 0


def test_no_reads_of_shared_reference():
    for path in CORE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "shared/" not in text and "../shared" not in text, path.name


_ALLOWED_FLOATS = {
    # file -> float literals that are not factors (arithmetic of the algorithms themselves)
    "projection.py": {"0.1", "0.9", "0.5", "1.0"},
    "peak.py": {"1.0"},
    "scenario.py": {"0.9"},  # the 90th percentile of the normal distribution (p10-p90 span)
}


def test_no_factor_literals_in_code():
    """Numbers with a fraction or exponent only in units.py/limits.py (conversion constants, limits)."""
    for path in sorted(CORE.glob("*.py")):
        if path.name in ("units.py", "limits.py", "validate.py"):
            continue
        allowed = _ALLOWED_FLOATS.get(path.name, set()) | {"0.0", "1.0"}
        toks = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for tok in toks:
            s = tok.string.lower()
            if tok.type == tokenize.NUMBER and any(c in s for c in ".e") and not s.startswith("0x"):
                assert tok.string in allowed, f"{path.name}:{tok.start[0]} literal {tok.string}"


def test_factor_file_is_shipped_in_package():
    from carbonpeak.core import factors

    p = Path(factors.BUILTIN_PATH)
    assert p.is_file()
    assert p.parent == ROOT / "carbonpeak" / "data"
