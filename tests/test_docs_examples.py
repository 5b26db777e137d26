"""The Python blocks of the user guide run on the bundled data (issue 17, item 3).

Each page's ```python blocks are executed in order in one namespace, as a reader would paste
them; a page whose example breaks fails here instead of misleading a user.
"""

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user_guide"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = sorted(GUIDE.glob("*.md")) if GUIDE.is_dir() else []


def blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def test_guide_has_examples():
    if not PAGES:
        pytest.skip("docs/ not in this checkout")
    assert sum(len(blocks(p)) for p in PAGES) >= 8


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)], ids=lambda p: p.stem)
def test_page_examples_run(page, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setattr("builtins.help", lambda *a, **k: None)
    namespace: dict = {"__name__": f"guide_{page.stem}"}
    for i, code in enumerate(blocks(page)):
        try:
            exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{page.name}, block {i}: {type(exc).__name__}: {exc}")
