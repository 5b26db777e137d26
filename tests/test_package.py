"""Package-level behaviour: fast import, no heavy optional imports, options."""

import subprocess
import sys

import pytest

import geoair


def test_import_is_fast_and_light():
    code = (
        "import sys, time; t = time.perf_counter(); import geoair; "
        "dt = time.perf_counter() - t; "
        "bad = [m for m in ('folium', 'matplotlib', 'openpyxl', 'esda', 'numba') if m in sys.modules]; "
        "print(dt, ','.join(bad))"
    )
    best = None
    for _ in range(3):  # the first run may pay for cold disk caches
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        dt, bad = out.stdout.split()[0], out.stdout.split()[1:]
        best = float(dt) if best is None else min(best, float(dt))
        assert bad == [], f"import geoair loaded {bad}"
    assert best < 1.0, f"import geoair took {best:.2f} s"


def test_set_options_context_and_validation():
    assert geoair.get_options()["lang"] == "en"
    with geoair.set_options(lang="zh", progress=False):
        assert geoair.get_options()["lang"] == "zh"
        assert geoair.get_options()["progress"] is False
    assert geoair.get_options()["lang"] == "en"
    with pytest.raises(ValueError, match="Valid options"):
        geoair.set_options(colour="red")
    with pytest.raises(ValueError, match="'en' or 'zh'"):
        geoair.set_options(lang="fr")


def test_set_options_checks_every_key_before_applying_any():
    # main applied lang="zh" before rejecting progress="yes", and left it set
    before = geoair.get_options()
    assert before["lang"] == "en"
    for bad in ({"lang": "zh", "progress": "yes"}, {"lang": "zh", "n_jobs": 0}, {"lang": "zh", "colour": 1},
                {"lang": "zh", "scheduler": "nowhere"}):
        with pytest.raises(geoair.GeoairInputError) as err:
            geoair.set_options(**bad)
        assert geoair.get_options() == before
        assert isinstance(err.value, ValueError) and err.value.fix
    with pytest.raises(geoair.GeoairInputError, match=r"Valid options are \['lang', 'n_jobs', 'progress'"):
        geoair.set_options(colour="red")


def test_n_jobs_option_is_resolved():
    from geoair.options import resolve_n_jobs

    assert resolve_n_jobs() == 1
    with geoair.set_options(n_jobs=-1):
        assert resolve_n_jobs() >= 1
    assert resolve_n_jobs(3) == 3
    with pytest.raises(ValueError, match="n_jobs"):
        resolve_n_jobs(0)


def test_check_option_is_a_geoair_input_error():
    from geoair._validation import check_option

    assert check_option("how", "a", ["a", "b"]) == "a"
    with pytest.raises(geoair.GeoairInputError, match=r"how='c' is not valid. Valid options are \['a', 'b'\]"):
        check_option("how", "c", ["a", "b"])
    with pytest.raises(geoair.GeoairInputError):
        check_option("how", ["unhashable"], ["a"])


def test_dir_is_all_and_grouped():
    assert dir(geoair) == sorted(geoair.__all__)
    assert len(set(geoair.__all__)) == len(geoair.__all__)
    for name in ("Any", "annotations", "importlib", "options", "_validation", "_LAZY"):
        assert name not in dir(geoair)
    for name in geoair.__all__:
        assert getattr(geoair, name) is not None, name


def test_star_import_does_not_shadow_stdlib_io():
    code = "import io, sys\nfrom geoair import *\nprint(io is sys.modules['io'], callable(read_observations))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_directional_and_plot_load_lazily():
    code = ("import sys, geoair\n"
            "before = [m for m in ('geoair.directional', 'geoair.plot', 'matplotlib') if m in sys.modules]\n"
            "mods = geoair.directional, geoair.plot, geoair.met, geoair.io\n"
            "print(before, [m.__name__ for m in mods])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['geoair.directional', 'geoair.plot', 'geoair.met', 'geoair.io']"


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        geoair.not_a_function  # noqa: B018


def test_error_message_names_file_column_row_and_fix():
    err = geoair.GeoairInputError(
        "Negative concentration.", file="a.csv", column="pm25", row=[3, 4], received=-5, fix="Remove it."
    )
    text = str(err)
    for part in ("a.csv", "pm25", "3, 4", "-5", "Remove it."):
        assert part in text
    assert isinstance(err, ValueError)


def test_droplog_counts_and_summary():
    log = geoair.DropLog()
    log.add("duplicate station-hour", rows=[1, 2, 3], file="x.csv")
    log.add("sentinel -999", rows=[7], file="x.csv", column="pm10", values=[-999])
    assert log.total() == 4
    assert log.total(rows_only=True) == 3
    summary = log.summary()
    assert set(summary["n"]) == {3, 1}
    frame = log.to_frame()
    assert len(frame) == 4 and list(frame.columns) == ["stage", "file", "index", "row", "column", "reason"]
    assert frame["index"].tolist() == ["file_row"] * 4
    assert "sentinel -999" in repr(log)
