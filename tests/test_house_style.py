"""House style, package-wide: HTML only from templates (issue 19 item 2).

(Function length is measured in ``tests/test_style.py``.)

- No HTML built by string concatenation or formatting in ``geoair/``: f-strings, ``+``, ``%``,
  ``.format`` and ``.join`` never produce markup; pages come from the autoescaped Jinja2
  templates in ``geoair/templates``.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geoair"
_ELEMENTS = ("a|abbr|b|body|br|button|canvas|caption|code|col|details|div|em|figure|footer|form|h[1-6]|head|"
             "header|hr|html|i|iframe|img|input|label|li|link|main|meta|nav|ol|option|p|pre|script|section|"
             "select|small|span|strong|style|sub|summary|sup|svg|table|tbody|td|textarea|th|thead|title|tr|u|ul")
TAG = re.compile(rf"<\s*/?\s*(?:{_ELEMENTS}|!DOCTYPE)(?:\s[^<>]*)?/?>", re.IGNORECASE)

def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _html_constant(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(TAG.search(node.value))


def _html_building(tree):
    """Nodes that put a markup literal together with other text."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(_html_constant(v) for v in node.values):
            yield node
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and (
                _html_constant(node.left) or _html_constant(node.right)):
            yield node
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("format", "join") and _html_constant(node.func.value)):
            yield node


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_html_built_from_strings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"line {n.lineno}: {ast.unparse(n)[:80]}" for n in _html_building(tree)]
    assert found == [], "HTML must come from geoair/templates (autoescaped), not strings: " + "; ".join(found)


def test_the_detector_finds_concatenated_html():
    bad = ast.parse('a = f"<b>{name}</b>"\nb = "<p>" + x\nc = "<li>%s</li>" % x\nd = "<td>{}</td>".format(x)\n'
                    'e = "<br>".join(xs)\n')
    assert len(list(_html_building(bad))) == 5
    good = ast.parse('a = f"{x} µg/m³ < {y}"\nb = re.findall(r"<(?:script|link)[^>]+", t)\nc = "a" + b\n')
    assert list(_html_building(good)) == []
