"""Property tests (hypothesis) for the FIRMS and source readers: nothing lost, times and
coordinates exact whatever the (valid) input."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoair import coords
from geoair.io.firms import read_firms
from geoair.io.sources import read_sources

HEADER = "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 23), st.integers(0, 59), st.booleans(), st.integers(0, 100)),
        min_size=1,
        max_size=30,
    )
)
def test_firms_time_parsing_and_row_accounting(tmp_path_factory, rows):
    lines = []
    for i, (hh, mm, pad, conf) in enumerate(rows):
        hhmm = f"{hh * 100 + mm:04d}" if pad else str(hh * 100 + mm)  # FIRMS may drop leading zeros
        lines.append(f"30.{i:03d},110.0,320.0,1,1,2022-05-31,{hhmm},A,{conf},6.1NRT,300,1.5,D\n")
    # repeat the first line: an exact duplicate, which must be logged, not lost
    text = HEADER + "".join(lines) + lines[0]
    path = tmp_path_factory.mktemp("firms") / "f.csv"
    path.write_text(text)
    f = read_firms(path)
    assert len(f) + f.attrs["droplog"].total() == len(rows) + 1
    assert len(f) == len(rows)
    expected = [pd.Timestamp(2022, 5, 31, hh, mm, tz="UTC") for hh, mm, _, _ in rows]
    assert f["time_utc"].tolist() == expected
    assert (f["time"] - f["time_utc"]).abs().max() == pd.Timedelta(0)  # same instants
    assert f["time"].dt.hour.tolist() == [(hh + 8) % 24 for hh, _, _, _ in rows]
    assert f["confidence"].tolist() == [float(c) for *_, c in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.floats(100.0, 125.0), st.floats(20.0, 45.0)), min_size=1, max_size=20),
    st.sampled_from(["gcj02", "bd09"]),
)
def test_sources_conversion_recovers_wgs84(tmp_path_factory, pts, crs):
    lon = [p[0] for p in pts]
    lat = [p[1] for p in pts]
    x, y = coords.convert_coords(lon, lat, src="wgs84", dst=crs)
    df = pd.DataFrame({"名称": [f"s{i}" for i in range(len(pts))], "经度": x, "纬度": y, "类别": "工业"})
    path = tmp_path_factory.mktemp("src") / "s.csv"
    df.to_csv(path, index=False, float_format="%.12f")
    src = read_sources(path, crs=crs)
    assert len(src) == len(pts)
    assert (src["category"] == "industry").all()
    assert (abs(src.geometry.x.to_numpy() - lon) < 1e-7).all()
    assert (abs(src.geometry.y.to_numpy() - lat) < 1e-7).all()
