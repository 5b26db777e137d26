"""One label table (geoair._i18n): complete in both languages, every key used exists (issue 19.6, 12.5)."""

import ast
import re
import string
from pathlib import Path

import pytest

from geoair._i18n import LABELS, labels_for, resolve_lang, t

PACKAGE = Path(__file__).resolve().parents[1] / "geoair"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# labels that are the same in both languages (symbols, codes, units)
NEUTRAL = {"pollutant.pm25", "pollutant.pm10", "briefing.none"}


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_in_both_languages(key):
    entry = LABELS[key]
    assert set(entry) == {"en", "zh"}
    assert entry["en"].strip() and entry["zh"].strip()
    assert _fields(entry["en"]) == _fields(entry["zh"]), key  # same placeholders
    if key not in NEUTRAL:
        assert CJK.search(entry["zh"]), f"{key}: Chinese label has no Chinese: {entry['zh']!r}"


def _keys_used():
    """Literal keys passed to t(...) in geoair/ and in the templates (prefix keys end with '.')."""
    used = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("t", "tr")
                    and node.args):
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add((arg.value, path.name))
                elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                    used.add((arg.values[0].value + "*", path.name))
    for path in (PACKAGE / "templates").rglob("*.j2"):
        for key in re.findall(r"""\bt\(\s*["']([\w. ]+)["']""", path.read_text(encoding="utf-8")):
            used.add((key, path.name))
    return sorted(used)


def test_every_key_used_exists():
    missing = []
    for key, where in _keys_used():
        if key.endswith("*"):
            if not any(k.startswith(key[:-1]) for k in LABELS):
                missing.append((key, where))
        elif key not in LABELS:
            missing.append((key, where))
    assert missing == []
    assert len(_keys_used()) > 50


def test_lookup_and_language_resolution():
    import geoair

    assert t("class.hot", "zh") == "热点" and t("map.fires_n", "en", n=3) == "3 fires"
    with geoair.set_options(lang="zh"):
        assert resolve_lang(None) == "zh" and t("level.red") == "红"
    with pytest.raises(ValueError, match="Unknown language"):
        t("level.red", "fr")
    with pytest.raises(KeyError):
        t("no.such.key", "en")
    assert labels_for("category", "zh")["coal"] == "燃煤"


def test_schema_labels_are_a_view_of_the_one_table():
    from geoair import schema
    from geoair.hotspot.emerging import EHSA_LABELS, pattern_label
    from geoair.priority import PRIORITY_COLUMNS

    assert schema.CATEGORY_LABELS["coal"] == LABELS["category.coal"]
    assert schema.label("pm25", "zh") == "PM2.5" and schema.label("burning", "zh") == "生物质燃烧"
    assert schema.label("unknown", "en") == "unknown"
    assert PRIORITY_COLUMNS["evidence"] == LABELS["priority.col.evidence"]
    assert EHSA_LABELS["new"] == LABELS["ehsa.new"]
    assert pattern_label("sporadic", "cold", "zh") == "零星冷点" == t("class.sporadic cold spot", "zh")


def test_no_label_tables_outside_i18n():
    """No module of the briefing, maps, figures, lists or CLI keeps its own en/zh table."""
    owned = ["briefing", "plot/maps.py", "plot/figures.py", "plot/directional.py", "priority.py", "schema.py",
             "io/describe.py", "cli", "hotspot"]
    pattern = re.compile(r"""\{\s*["']en["']\s*:\s*["'][^"']*["']\s*,\s*["']zh["']\s*:""")
    for part in owned:
        for path in ([PACKAGE / part] if part.endswith(".py") else (PACKAGE / part).rglob("*.py")):
            assert not pattern.search(path.read_text(encoding="utf-8")), path
