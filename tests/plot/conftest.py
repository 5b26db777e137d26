"""Headless Chromium for browser tests (network blocked)."""

import io
import os
import shutil
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium with the network off; fails in CI when chromium is missing."""
    missing = [p for p in (CHROMIUM, DRIVER) if not (os.path.exists(p) or shutil.which(p))]
    if missing:
        msg = f"chromium not installed ({missing}); install with apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg + " (allowed locally only: env CI is unset)")
    try:
        from selenium import webdriver
    except ImportError:
        msg = "selenium not installed (pip install '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg + " (allowed locally only: env CI is unset)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--window-size=1200,900",
                 '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost'):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    from selenium.webdriver.chrome.service import Service

    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(120)
    drv.set_script_timeout(300)  # opening every popup of the full map is slow on a loaded machine
    yield drv
    drv.quit()


EVIL = "<script>alert('x')</script>"


@pytest.fixture
def evil():
    return EVIL


@pytest.fixture
def map_inputs():
    counties = gpd.GeoDataFrame({"adcode": ["110101", "110102"], "name": [EVIL, "西城区"],
                                 "hotspot": ["hot", "not significant"]},
                                geometry=[box(116.0, 39.5, 116.5, 40.0), box(116.5, 39.5, 117.0, 40.0)],
                                crs="EPSG:4326")
    stations = gpd.GeoDataFrame({"station": ["1001A"], "name": ["站" + EVIL], "aqi": [168.0],
                                 "top_sources": ["燃煤 45%"]},
                                geometry=gpd.points_from_xy([116.3], [39.8]), crs="EPSG:4326")
    fires = gpd.GeoDataFrame({"frp": [5.0, 30.0, 12.0]},
                             geometry=gpd.points_from_xy([116.6, 116.62, 116.8], [39.7, 39.71, 39.9]),
                             crs="EPSG:4326")
    clusters = gpd.GeoDataFrame({"cluster": [0], "n_fires": [2]}, geometry=gpd.points_from_xy([116.61], [39.7]),
                                crs="EPSG:4326")
    priority = gpd.GeoDataFrame({"rank": [1], "name": [EVIL], "kind": ["steel_plant"], "county": ["东城区"],
                                 "evidence": ["upwind 30 h"], "level": ["red"]},
                                geometry=gpd.points_from_xy([116.2], [39.6]), crs="EPSG:4326")
    wind = pd.DataFrame({"lon": [116.2, 116.7], "lat": [39.6, 39.9], "ws": [3.0, 5.0], "wd": [315.0, 0.0]})
    return dict(counties=counties, stations=stations, fires=fires, clusters=clusters, priority=priority, wind=wind)



def _render(driver, path, wait_s: float = 1.5):
    """Open ``path`` (file://) and return (severe_logs, pixel_std, page_text)."""
    driver.get_log("browser")  # discard logs from earlier pages
    driver.get(path.resolve().as_uri())
    time.sleep(wait_s)
    logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    from matplotlib.image import imread

    png = driver.get_screenshot_as_png()
    img = imread(io.BytesIO(png), format="png")
    text = driver.find_element("tag name", "body").text
    return logs, float(np.std(img[..., :3])), text


@pytest.fixture
def render_page(browser):
    """Callable: path -> (severe_logs, pixel_std, body_text)."""
    return lambda path, wait_s=1.5: _render(browser, path, wait_s)


def _requested_urls(driver) -> list[str]:
    """URLs the page asked for since the last call (Chrome DevTools ``Network.requestWillBeSent``)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


@pytest.fixture
def requested_urls(browser):
    """Callable: () -> URLs requested since the last call (call once before loading to reset)."""
    return lambda: _requested_urls(browser)
