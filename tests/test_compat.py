"""geoair._compat: numba kernels cached on disk, with a cache location that always works.

Checked in fresh interpreters (subprocesses), because numba picks the cache directory when a
function is decorated: a kernel compiled once is loaded from disk by the next process
(numba's ``stats.cache_hits``), also when neither the package folder nor the home cache is
writable (read-only installs), in which case the cache moves to a private temp folder.
"""

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import geoair

PKG = Path(geoair.__file__).resolve().parent

KERNEL = textwrap.dedent('''
    import json, sys
    from geoair._compat import njit

    @njit(nogil=True)
    def add(a, b):
        return a + b

    add(1.0, 2.0)
    print(json.dumps({"hits": sum(add.stats.cache_hits.values()),
                      "misses": sum(add.stats.cache_misses.values()),
                      "path": add.stats.cache_path}))
''')


def _run(code_dir: Path, env: dict) -> dict:
    import json

    out = subprocess.run([sys.executable, str(code_dir / "kern.py")], env=env, text=True,
                         capture_output=True, check=True, cwd=code_dir)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["PYTHONPATH"] = str(PKG.parent) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def test_kernels_cached_next_to_source_and_reloaded(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    env = _env(XDG_CACHE_HOME=str(tmp_path / "home-cache"))
    first = _run(tmp_path, env)
    second = _run(tmp_path, env)
    assert first["misses"] == 1 and first["hits"] == 0
    assert second["hits"] == 1 and second["misses"] == 0
    assert Path(first["path"]) == tmp_path / "__pycache__"


def test_unwritable_locations_fall_back_to_private_temp_cache(tmp_path):
    """Package dir and user cache both unusable (root ignores permissions, so the folders
    are blocked by plain files of the same name): the cache moves to <TMPDIR>/geoair-numba-
    cache-<uid> and the second process loads from it."""
    (tmp_path / "kern.py").write_text(KERNEL)
    (tmp_path / "__pycache__").write_text("not a folder")
    blocked = tmp_path / "blocked-home"
    blocked.write_text("not a folder")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = _env(XDG_CACHE_HOME=str(blocked), HOME=str(blocked), TMPDIR=str(tmp))
    first = _run(tmp_path, env)
    second = _run(tmp_path, env)
    assert Path(first["path"]).is_relative_to(tmp)
    assert "geoair-numba-cache" in first["path"]
    assert second["hits"] == 1 and second["misses"] == 0
    if hasattr(os, "getuid"):
        assert (Path(first["path"]).parent.stat().st_mode & 0o777) == 0o700


def test_no_usable_cache_anywhere_still_compiles(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    (tmp_path / "__pycache__").write_text("not a folder")
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    env = _env(XDG_CACHE_HOME=str(blocked), HOME=str(blocked), TMPDIR=str(blocked))
    res = _run(tmp_path, env)
    assert res["hits"] == 0  # compiled in-process, no cache, no crash


def _numba_decorated(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                f = dec.func if isinstance(dec, ast.Call) else dec
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in {"njit", "jit", "vectorize", "guvectorize", "stencil"}:
                    yield node.name, dec


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if p.name != "_compat.py"),
                         ids=lambda p: str(p.relative_to(PKG)))
def test_every_kernel_uses_the_cached_njit(path):
    """No module imports numba's decorators directly: all go through geoair._compat.njit
    (cache on by default), and none turns the cache off."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "numba":
            assert not {a.name for a in node.names} & {"njit", "jit"}, path
    for name, dec in _numba_decorated(tree):
        f = dec.func if isinstance(dec, ast.Call) else dec
        assert not isinstance(f, ast.Attribute), f"{path}:{name} uses numba.{f.attr}"
        if isinstance(dec, ast.Call):
            for kw in dec.keywords:
                if kw.arg == "cache":
                    assert getattr(kw.value, "value", True) is True, f"{path}:{name}"


def test_import_geoair_does_not_import_numba():
    code = "import sys, geoair, geoair._compat; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                         check=True, env=_env())
    assert out.stdout.strip() == "False"
