"""Static figures: the CJK font comes from mplfonts and Chinese labels render without missing glyphs."""

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

pytest.importorskip("matplotlib")
pytest.importorskip("mplfonts")

from geoair.plot.figures import (  # noqa: E402
    cjk_font,
    plot_bar,
    plot_density,
    plot_hotspot_map,
    plot_stacked_shares,
    save_png,
)


def test_cjk_font_from_package():
    import mplfonts
    from matplotlib import font_manager

    fam = cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=fam), fallback_to_default=False)
    assert path.startswith(str(__import__("pathlib").Path(mplfonts.__file__).parent))


def test_figures_render_chinese_without_glyph_warnings(tmp_path):
    c = gpd.GeoDataFrame({"name": ["东城区", "西城区"], "hotspot": ["hot", "cold"]},
                         geometry=[box(116, 39, 117, 40), box(117, 39, 118, 40)], crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would be raised here
        f1 = plot_hotspot_map(c, title="热点区县", labels={"hot": "热点", "cold": "冷点"})
        p1 = save_png(f1, tmp_path / "map.png")
        f2 = plot_bar(pd.Series({"东城区": 80.0, "西城区": 60.0}), title="PM2.5 均值", xlabel="µg/m³")
        p2 = save_png(f2, tmp_path / "bar.png")
        f3 = plot_stacked_shares(pd.DataFrame({"coal": [40.0], "vehicle": [60.0]}, index=["东城区"]), lang="zh")
        p3 = save_png(f3, tmp_path / "shares.png")
        from geoair.hotspot import fire_density

        fires = gpd.GeoDataFrame(geometry=gpd.points_from_xy([116.5, 116.6, 117.2], [39.5, 39.6, 39.4]),
                                 crs="EPSG:4326")
        p4 = save_png(plot_density(fire_density(fires, cell_km=5), c, title="火点密度"), tmp_path / "d.png")
    for p in (p1, p2, p3, p4):
        assert p.stat().st_size > 5000


def test_hotspot_classes_are_red_and_blue_in_figures():
    """Issue 12.6: the emerging-hotspot map had sporadic cold spots orange-red and hot spots blue."""
    from matplotlib.colors import to_rgb

    from geoair.plot._style import EHSA_COLORS

    classes = ["hot", "cold", "not significant", "no data", *EHSA_COLORS]
    c = gpd.GeoDataFrame({"pattern": classes},
                         geometry=[box(116 + i, 39, 117 + i, 40) for i in range(len(classes))], crs="EPSG:4326")
    fig = plot_hotspot_map(c, "pattern", lang="zh")
    legend = fig.axes[0].get_legend()
    texts = [tx.get_text() for tx in legend.get_texts()]
    assert "零星冷点" in texts and "零星热点" in texts and "热点" in texts
    drawn = fig.axes[0].collections[0].get_facecolors()  # one polygon per class, in input order
    from geoair._i18n import t

    for cls, face in zip(classes, drawn, strict=True):
        r, _, b = to_rgb(face[:3])
        patch = legend.get_patches()[texts.index(t(f"class.{cls}", "zh"))]
        assert to_rgb(patch.get_facecolor()[:3]) == pytest.approx((r, _, b))  # legend = map colour
        if "hot" in cls.split():
            assert r > b + 0.15, (cls, face)
        elif "cold" in cls.split():
            assert b > r + 0.15, (cls, face)
        else:
            assert abs(r - b) < 0.08, (cls, face)


def test_stacked_shares_do_not_draw_negative_parts():
    """A negative 'unexplained' share (over-explained station) is not stacked backwards over others."""
    shares = pd.DataFrame({"regional": [120.0, 60.0], "coal": [10.0, 20.0], "unexplained": [-30.0, 20.0]},
                          index=["A", "B"])
    fig = plot_stacked_shares(shares, lang="en")
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert min(widths) >= 0.0
    assert max(p.get_x() + p.get_width() for p in fig.axes[0].patches) == pytest.approx(130.0)
