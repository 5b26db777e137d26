"""Render maps and the briefing in headless Chromium with the network blocked.

Asserts: no SEVERE console messages (a missing CDN asset or a JS error would be one), the
screenshot is not blank, no request leaves the page (only file: and data: URLs), names that
are code in some context (HTML, JS string, template literal, Jinja) show as text and never run,
Chinese renders with the embedded font whatever fonts the system has, and hot spot classes
are drawn red and cold spot classes blue.
"""

import re
import subprocess

import geopandas as gpd
import pytest
from shapely import box

pytestmark = pytest.mark.browser

# every context the text can land in: HTML element, attribute, JS string, template literal, Jinja
ATTACKS = [
    "${document.title=/PWNED/.source}",
    "</script><script>document.title='PWNED2'</script>",
    "\"><img src=x onerror=\"document.title='PWNED3'\">",
    "`;document.title='PWNED4';`",
    "{{ cycler.__init__.__globals__.os.getpid() }}",
    "{% for x in range(3) %}PWNED5{% endfor %}",
    "');document.title='PWNED6';('",
]


def test_map_renders_offline(browser, render_page, tmp_path, map_inputs, evil, requested_urls):
    from geoair.plot.maps import hotspot_map, save_map

    inp = map_inputs
    path = save_map(hotspot_map(inp.pop("counties"), lang="en", **inp), tmp_path / "map.html")
    requested_urls()
    logs, std, text = render_page(path)
    assert logs == []
    assert std > 0.02  # a blank white page has std 0
    # the legend and layer control are drawn by Leaflet, so JS ran
    assert "hot" in text and "Stations" in text
    popup_text = browser.execute_script(OPEN_POPUPS)
    assert evil in popup_text  # the priority source's name, shown as text
    assert browser.execute_script("return document.querySelectorAll('.leaflet-popup-content script').length") == 0
    _no_network(requested_urls)


def _no_network(requested_urls):
    urls = requested_urls()
    assert urls, "the performance log recorded no request at all"
    external = [u for u in urls if not u.startswith(("file:", "data:", "about:", "blob:"))]
    assert external == []


# open every popup in turn (folium names the map variable map_<hex>) and collect their text
OPEN_POPUPS = """
var out = [];
Object.keys(window).filter(k => k.startsWith('map_')).forEach(function (k) {
  var m = window[k];
  m.eachLayer(function (layer) {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      document.querySelectorAll('.leaflet-popup-content').forEach(e => out.push(e.innerText));
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      document.querySelectorAll('.leaflet-tooltip').forEach(e => out.push(e.innerText));
    }
  });
});
return out.join('|');
"""


def _attack_inputs(map_inputs):
    inp = {k: v.copy() for k, v in map_inputs.items()}
    n = len(ATTACKS)
    xs = [116.05 + 0.1 * i for i in range(n)]
    inp["stations"] = gpd.GeoDataFrame({"station": [f"S{i}" for i in range(n)], "name": ATTACKS,
                                        "top_sources": ATTACKS[::-1], "county": ATTACKS},
                                       geometry=gpd.points_from_xy(xs, [39.8] * n), crs="EPSG:4326")
    inp["priority"] = gpd.GeoDataFrame({"rank": range(1, n + 1), "name": ATTACKS, "kind": ATTACKS,
                                        "county": ATTACKS, "evidence": ATTACKS, "level": "red"},
                                       geometry=gpd.points_from_xy(xs, [39.6] * n), crs="EPSG:4326")
    inp["sources"] = inp["priority"].assign(source_id=ATTACKS, category=ATTACKS)
    inp["counties"] = gpd.GeoDataFrame({"adcode": ATTACKS, "name": ATTACKS, "label": ATTACKS,
                                        "hotspot": ["hot"] * n},
                                       geometry=[box(116 + 0.1 * i, 39.5, 116.1 + 0.1 * i, 40.0) for i in range(n)],
                                       crs="EPSG:4326")
    return inp


def test_injected_names_never_run(browser, render_page, tmp_path, map_inputs, requested_urls):
    """Issue 11.1: names that are code in some context are shown as text in map.html."""
    from geoair.plot.maps import hotspot_map, save_map

    inp = _attack_inputs(map_inputs)
    path = save_map(hotspot_map(inp.pop("counties"), lang="en", **inp), tmp_path / "evil.html")
    html = path.read_text(encoding="utf-8")
    assert "PWNED5PWNED5" not in html  # the Jinja loop was not run when the page was written
    requested_urls()
    logs, std, _ = render_page(path)
    assert logs == [] and std > 0.02
    shown = browser.execute_script(OPEN_POPUPS)
    assert "PWNED" not in browser.title
    for attack in ATTACKS:
        assert attack in shown, attack  # visible, as typed
    assert browser.execute_script("return document.querySelectorAll('.leaflet-popup-content img').length") == 0
    _no_network(requested_urls)


@pytest.fixture(scope="module")
def briefings(tmp_path_factory):
    """The bundled-data briefing in Chinese and English, with injected source names."""
    from geoair.briefing import run_briefing

    root = tmp_path_factory.mktemp("briefings")
    csv = root / "sources.csv"
    rows = [f"E{i},\"{a.replace(chr(34), chr(34) * 2)}\",{116.3 + 0.02 * i:.2f},39.90,dust,construction"
            for i, a in enumerate(ATTACKS)]
    csv.write_text("source_id,name,lon,lat,category,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cfg = {"analysis": {"permutations": 99, "n_bootstrap": 10}}
    zh = run_briefing(cfg, root / "zh", lang="zh", progress=False)
    en = run_briefing({**cfg, "data": {"sources": str(csv)}}, root / "en", lang="en", progress=False)
    return {"zh": zh, "en": en}


def test_briefing_renders_offline(browser, render_page, briefings, requested_urls):
    res = briefings["en"]
    requested_urls()
    logs, std, text = render_page(res.report, wait_s=3.0)
    assert logs == []
    assert std > 0.02
    assert "County hotspots" in text
    assert "PWNED" not in browser.title
    _no_network(requested_urls)
    # the map page inside the briefing loads offline too, and the injected names stay text
    logs, std, _ = render_page(res.files["map"], wait_s=3.0)
    assert logs == [] and std > 0.02
    # open the popups of the injected sources only (the full map has hundreds of markers)
    shown = browser.execute_script(OPEN_POPUPS.replace("layer.getPopup && layer.getPopup()",
                                                       "layer.getPopup && layer.getPopup() && "
                                                       "String(layer.getPopup().getContent()).includes('PWNED')"))
    assert "PWNED" not in browser.title and "PWNED" in shown
    _no_network(requested_urls)


GLYPHS = """
var done = arguments[arguments.length - 1];
var family = arguments[0], text = arguments[1];
function px(ch, fam) {
  var c = document.createElement('canvas'); c.width = 64; c.height = 64;
  var x = c.getContext('2d'); x.fillStyle = '#fff'; x.fillRect(0, 0, 64, 64);
  x.fillStyle = '#000'; x.font = '48px ' + fam; x.fillText(ch, 4, 52); return c.toDataURL();
}
document.fonts.load('48px "geoair-cjk"', text).then(function () {
  var face = Array.from(document.fonts).filter(f => f.family.replace(/"/g, '') === 'geoair-cjk');
  done({status: face.length ? face[0].status : 'missing',
        a: px(text[0], family), b: px(text[1], family),
        ctrl_a: px(text[0], '"no-such-font"'), box: px('\\uE000', family)});
});
"""


def _system_has_noto_cjk() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Noto Sans CJK" in out or "Source Han Sans" in out


@pytest.mark.parametrize("page,selector", [("report", "body"), ("map", ".geoair-legend")])
def test_chinese_renders_with_the_embedded_font(browser, render_page, briefings, page, selector):
    """Issue 12.4: Chinese glyphs, not boxes, in both pages, whatever fonts the system has.

    The page's own font stack draws two different characters differently (boxes would be
    identical), and differently from the system fallback (what the page would show without the
    embedded font); the embedded face is loaded from its data URI.
    """
    res = briefings["zh"]
    path = res.report if page == "report" else res.files["map"]
    render_page(path, wait_s=2.0)
    family = browser.execute_script(f"return getComputedStyle(document.querySelector('{selector}')).fontFamily")
    assert "geoair-cjk" in family
    text = "区县"
    r = browser.execute_async_script(GLYPHS, family, text)
    assert r["status"] == "loaded"
    assert r["a"] != r["b"]  # two characters, two glyphs (tofu boxes would be identical)
    assert r["a"] != r["box"]  # and not the missing-glyph box
    if not _system_has_noto_cjk():
        assert r["a"] != r["ctrl_a"]  # the embedded font, not the system fallback, drew it


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


CLASS_FILLS = """
var out = [];
Object.keys(window).filter(k => k.startsWith('map_')).forEach(function (k) {
  window[k].eachLayer(function (layer) {
    if (layer.feature && layer.feature.properties && layer.feature.properties.cls) {
      out.push([layer.feature.properties.cls, layer.options.fillColor]);
    }
  });
});
return out;
"""


def test_hotspot_class_colours_in_the_map(browser, render_page, tmp_path):
    """Issue 12.6: every hot class red, every cold class blue, as drawn by Leaflet."""
    from geoair.plot._style import EHSA_COLORS
    from geoair.plot.maps import hotspot_map, save_map

    classes = ["hot", "cold", "not significant", "no data", *EHSA_COLORS]
    counties = gpd.GeoDataFrame({"adcode": [str(i) for i in range(len(classes))], "name": classes,
                                 "pattern": classes},
                                geometry=[box(116 + 0.05 * i, 39.5, 116.05 + 0.05 * i, 39.9)
                                          for i in range(len(classes))], crs="EPSG:4326")
    path = save_map(hotspot_map(counties, hotspot_col="pattern", lang="zh", context=False), tmp_path / "c.html")
    render_page(path)
    fills = dict(browser.execute_script(CLASS_FILLS))
    assert set(fills) == set(classes)
    for cls, color in fills.items():
        r, g, b = _rgb(color)
        if "hot" in cls.split():
            assert r > b + 40, (cls, color)
        elif "cold" in cls.split():
            assert b > r + 40, (cls, color)
        else:
            assert abs(r - b) < 20, (cls, color)  # grey or white: neither hot nor cold
    legend = browser.execute_script("return document.querySelector('.geoair-legend').innerText")
    assert "零星热点" in legend and "零星冷点" in legend and "sporadic" not in legend


def test_map_in_chinese_has_no_english_controls(browser, render_page, briefings):
    """Issue 12.5: the layer control and legend of map.html with --lang zh."""
    render_page(briefings["zh"].files["map"], wait_s=2.0)
    controls = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers, .geoair-legend'))"
        ".map(e => e.innerText).join(' ')")
    assert "监测站点" in controls and "核查等级" in controls
    assert re.findall(r"[A-Za-z]{3,}", controls) == []
    shown = browser.execute_script(OPEN_POPUPS)
    # popups carry data (GPPD plant names are English, station codes), their labels are Chinese
    assert "主要来源" in shown and "平均AQI" in shown
    assert "Top sources" not in shown and "mean AQI" not in shown
