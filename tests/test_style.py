"""House style measured: no function in geoair/ longer than 80 lines (numba kernels excepted).

Length = lines from ``def`` to the last line of the body, docstring included, measured with
``ast``. No exceptions are left (the last long functions were split on 2026-11-29).
"""

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "geoair"
LIMIT = 80



def _is_kernel(node: ast.FunctionDef) -> bool:
    """A numba kernel: decorated with (n)jit, vectorize, guvectorize or stencil."""
    for deco in node.decorator_list:
        text = ast.unparse(deco).lower()
        if any(word in text for word in ("jit", "vectorize", "stencil")):
            return True
    return False


@functools.cache
def function_lengths(root: Path = PACKAGE) -> dict[tuple[str, str], int]:
    """(module, qualified name) -> lines, for every function and method under ``root``."""
    out: dict[tuple[str, str], int] = {}

    def walk(node, module, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not _is_kernel(child):
                    out[(module, prefix + child.name)] = child.end_lineno - child.lineno + 1
                walk(child, module, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, module, prefix + child.name + ".")

    for path in sorted(root.rglob("*.py")):
        walk(ast.parse(path.read_text(encoding="utf-8")), path.relative_to(root).as_posix(), "")
    return out


def test_measure_by_hand(tmp_path):
    (tmp_path / "m.py").write_text(
        "def short():\n    return 1\n\n\nclass A:\n    def method(self):\n        x = 1\n\n        return x\n\n\n"
        "@njit(cache=True)\ndef kernel():\n    pass\n"
    )
    assert function_lengths(tmp_path) == {("m.py", "short"): 2, ("m.py", "A.method"): 4}


def test_no_new_function_over_the_limit():
    over = {k: n for k, n in function_lengths().items() if n > LIMIT}
    assert not over, f"functions over {LIMIT} lines: {over}"
