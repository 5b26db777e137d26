"""Property tests of the observation and station readers: no row is lost without a DropLog entry.

Synthetic truth: the frames are generated here, written to disk, read back, and compared with
what was written (and with exactly the cells/rows that were corrupted on purpose).
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoair.io import read_observations, read_stations
from geoair.io._common import SENTINELS
from geoair.schema import POLLUTANTS, TIMEZONE

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CODES = ["1001A", "1002A", "1035A", "2999A", "3543A"]


@st.composite
def tidy_frames(draw, min_rows=1, max_rows=40):
    n = draw(st.integers(min_rows, max_rows))
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(CODES), st.integers(0, 24 * 60)),
            min_size=n, max_size=n, unique=True,
        )
    )
    cols = draw(st.lists(st.sampled_from(POLLUTANTS), min_size=1, max_size=6, unique=True))
    value = st.one_of(st.none(), st.floats(0, 2000, allow_nan=False).map(lambda v: round(v, 3)))
    data = {c: draw(st.lists(value, min_size=n, max_size=n)) for c in cols}
    start = pd.Timestamp("2019-01-01 01:00", tz=TIMEZONE)
    df = pd.DataFrame(
        {
            "station": [k[0] for k in keys],
            "time": [start + pd.Timedelta(hours=k[1]) for k in keys],
            **{c: pd.array(v, dtype="float64") for c, v in data.items()},
        }
    )
    return df


# the value checks (plausibility limits, PM2.5 > PM10) are tested on their own below and in
# tests/io/test_bad_inputs.py; these round trips switch them off to test row bookkeeping alone
RAW = {"limits": False, "pm_tolerance": None}


def _write_read(df, name="obs.csv", **kw):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        df.to_csv(p, index=False, **kw)
        return read_observations(p, **RAW), str(p)


@SETTINGS
@given(tidy_frames(), st.sampled_from(["iso_offset", "naive", "utc"]))
def test_tidy_roundtrip_loses_no_row(df, style):
    out_df = df.copy()
    if style == "naive":
        out_df["time"] = df["time"].dt.strftime("%Y-%m-%d %H:%M")
    elif style == "utc":
        out_df["time"] = df["time"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    obs, _ = _write_read(out_df)
    assert len(obs) == len(df)
    assert obs.attrs["droplog"].total() == 0
    want = df.sort_values(["station", "time"]).reset_index(drop=True)
    pd.testing.assert_series_equal(obs["station"], want["station"].astype(str), check_dtype=False)
    assert (obs["time"].to_numpy() == want["time"].to_numpy()).all()
    for c in [c for c in POLLUTANTS if c in df.columns]:
        np.testing.assert_array_equal(obs[c].to_numpy(), want[c].to_numpy(dtype="float64", na_value=np.nan))


@SETTINGS
@given(tidy_frames(min_rows=3), st.data())
def test_sentinels_always_logged(df, data):
    cols = [c for c in POLLUTANTS if c in df.columns]
    n = len(df)
    cells = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(cols)), min_size=1, max_size=n, unique=True)
    )
    bad = df.copy()
    for r, c in cells:
        bad.loc[r, c] = data.draw(st.sampled_from(SENTINELS + (-1.5, -0.01)))
    obs, _ = _write_read(bad)
    assert len(obs) == n
    log = obs.attrs["droplog"].to_frame()
    # exactly the corrupted cells are logged, with their file row (1-based) and column
    assert sorted(zip(log["row"], log["column"], strict=True)) == sorted((r + 1, c) for r, c in cells)
    o = obs.set_index(["station", "time"])
    for r, c in cells:
        assert np.isnan(o.loc[(df.loc[r, "station"], df.loc[r, "time"]), c])


@SETTINGS
@given(tidy_frames(min_rows=2), st.data())
def test_duplicate_injection_counted_exactly(df, data):
    n = len(df)
    picks = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=10))
    dups = df.iloc[picks].copy()
    for c in [c for c in POLLUTANTS if c in df.columns]:
        dups[c] = 1.0  # different values: the first occurrence must win
    both = pd.concat([df, dups], ignore_index=True)
    obs, path = _write_read(both)
    assert len(obs) == n
    log = obs.attrs["droplog"]
    assert log.total() == len(picks)
    assert sorted(log.to_frame()["row"]) == list(range(n + 1, n + len(picks) + 1))
    want = df.sort_values(["station", "time"]).reset_index(drop=True)
    for c in [c for c in POLLUTANTS if c in df.columns]:
        np.testing.assert_array_equal(obs[c].to_numpy(), want[c].to_numpy(dtype="float64", na_value=np.nan))


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.floats(73.5, 135.5, allow_nan=False),
            st.floats(3.5, 53.5, allow_nan=False),
            st.booleans(),
        ),
        min_size=1, max_size=30,
    ),
    st.data(),
)
def test_station_rows_kept_or_logged(points, data):
    n = len(points)
    blank = set(data.draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True)))
    if len(blank) == n:
        blank.discard(0)  # a list with no usable station at all is a different (error) case
    df = pd.DataFrame(
        {
            "station": [f"{1000 + i}A" for i in range(n)],
            "lon": ["" if i in blank else repr(p[0]) for i, p in enumerate(points)],
            "lat": ["-" if i in blank else repr(p[1]) for i, p in enumerate(points)],
            "is_background": ["Y" if p[2] else "N" for p in points],
        }
    )
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "st.csv"
        df.to_csv(p, index=False)
        out = read_stations(p)
    assert len(out) + out.attrs["droplog"].total() == n
    assert sorted(out.attrs["droplog"].to_frame()["row"]) == sorted(i + 1 for i in blank)
    kept = [i for i in range(n) if i not in blank]
    np.testing.assert_array_equal(out["lon"].to_numpy(), [points[i][0] for i in kept])
    np.testing.assert_array_equal(out["is_background"].to_numpy(), [points[i][2] for i in kept])


@SETTINGS
@given(
    st.lists(st.sampled_from(CODES), min_size=1, max_size=5, unique=True),
    st.lists(st.integers(0, 23), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(["PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "AQI", "O3_8h"]),
             min_size=1, max_size=8, unique=True),
    st.data(),
)
def test_cnemc_wide_cells_land_in_place(codes, hours, types, data):
    from geoair.schema import CNEMC_TYPES

    value = st.one_of(st.just(""), st.integers(0, 900).map(str), st.sampled_from(["-999", "-1"]))
    lines = []
    for h in hours:
        for t in types:
            lines.append([h, t, *[data.draw(value) for _ in codes]])
    n_dup = data.draw(st.integers(0, len(lines)))
    dup_idx = data.draw(st.lists(st.integers(0, len(lines) - 1), min_size=n_dup, max_size=n_dup))
    body = lines + [lines[i][:2] + ["7"] * len(codes) for i in dup_idx]  # later copies differ
    text = "date,hour,type," + ",".join(codes) + "\r\n"
    text += "\r\n".join(",".join(["20190204", str(r[0]), r[1], *r[2:]]) for r in body)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "china_sites_20190204.csv"
        p.write_text(text)
        obs = read_observations(p, include_derived=True, **RAW)
    log = obs.attrs["droplog"].to_frame()
    dup_rows = set(log.loc[log["column"].isna(), "row"])
    assert dup_rows == {len(lines) + k + 1 for k in range(len(dup_idx))}
    assert len(obs) == len(codes) * len(hours)
    o = obs.set_index(["station", "time"])
    masked = set(zip(log["row"], log["column"], strict=True))
    for i, (h, t, *cells) in enumerate(lines):
        for code, cell in zip(codes, cells, strict=True):
            got = o.loc[(code, pd.Timestamp(f"2019-02-04 {h:02d}:00", tz=TIMEZONE)), CNEMC_TYPES[t]]
            if cell in ("", "-999", "-1"):
                assert np.isnan(got)
                assert ((i + 1, code) in masked) == (cell != "")  # every bad value is logged
            else:
                assert got == float(cell)


@SETTINGS
@given(tidy_frames(min_rows=2), st.data())
def test_value_checks_mask_exactly_the_implausible_cells(df, data):
    from geoair.io._qc import PLAUSIBLE_MAX

    n = len(df)
    cols = [c for c in POLLUTANTS if c in df.columns]
    cells = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(cols)), max_size=n, unique=True))
    bad = df.copy()
    for r, c in cells:  # above the limit, or infinite
        bad.loc[r, c] = data.draw(st.sampled_from([PLAUSIBLE_MAX[c] * 1.5, np.inf]))
    # expected, cell by cell: infinite or above the limit (the generator's own values, 0-2000,
    # can exceed a gas limit too) ...
    vals = {c: bad[c].to_numpy(dtype=float, na_value=np.nan) for c in cols}
    want = {(i + 1, c) for c in cols for i in np.flatnonzero(np.isinf(vals[c]) | (vals[c] > PLAUSIBLE_MAX[c]))}
    # ... and, where both remain, PM2.5 > PM10 * 1.15 + 10: PM2.5 masked too
    if {"pm25", "pm10"} <= set(cols):
        ok = {c: np.isfinite(vals[c]) & (vals[c] <= PLAUSIBLE_MAX[c]) for c in ("pm25", "pm10")}
        ratio = ok["pm25"] & ok["pm10"] & (vals["pm25"] > vals["pm10"] * 1.15 + 10)
        want |= {(i + 1, "pm25") for i in np.flatnonzero(ratio)}
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "obs.csv"
        bad.to_csv(p, index=False)
        obs = read_observations(p)
    log = obs.attrs["droplog"].to_frame()
    assert set(zip(log["row"], log["column"], strict=True)) == want
    assert len(log) == len(want)  # each cell logged once
    o = obs.set_index(["station", "time"])
    for r, c in want:
        assert np.isnan(o.loc[(df.loc[r - 1, "station"], df.loc[r - 1, "time"]), c])
