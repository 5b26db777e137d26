"""Render maps and the briefing in headless Chromium with the network blocked.

Asserts: no SEVERE console messages (a missing CDN asset or a JS error would be one), the
screenshot is not blank (pixel standard deviation), and `<script>` names show as text.
"""

import pytest

pytestmark = pytest.mark.browser


def test_map_renders_offline(browser, render_page, tmp_path, map_inputs, evil):
    from geoair.plot.maps import hotspot_map, save_map

    inp = map_inputs
    path = save_map(hotspot_map(inp.pop("counties"), **inp), tmp_path / "map.html")
    logs, std, text = render_page(path)
    assert logs == []
    assert std > 0.02  # a blank white page has std 0
    # the legend and layer control are drawn by Leaflet, so JS ran
    assert "hot" in text and "Stations" in text
    popup_text = browser.execute_script(OPEN_POPUPS)
    assert evil in popup_text  # the priority source's name, shown as text
    assert browser.execute_script("return document.querySelectorAll('.leaflet-popup-content script').length") == 0


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
  });
});
return out.join('|');
"""


def test_briefing_renders_offline(browser, render_page, tmp_path):
    from geoair.briefing import run_briefing

    res = run_briefing({"analysis": {"permutations": 99}}, tmp_path / "b", lang="en", progress=False)
    logs, std, text = render_page(res.report, wait_s=3.0)
    assert logs == []
    assert std > 0.02
    assert "County hotspots" in text
    # the map page inside the briefing loads offline too
    logs, std, _ = render_page(res.files["map"], wait_s=3.0)
    assert logs == [] and std > 0.02
