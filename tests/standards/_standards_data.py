"""Shared test data for tests/standards: the real Beijing PRSA files read with plain pandas."""

from pathlib import Path

import pandas as pd
import pytest

_ROOT = Path(__file__).resolve().parents[2]
# The package's bundled copy (data/, byte-identical gzip files) or the shared data beside the clone.
PRSA = next((p for p in (_ROOT / "data" / "beijing_prsa",
                         _ROOT.parent / "shared" / "data" / "beijing_prsa") if p.exists()),
            _ROOT / "data" / "beijing_prsa")


def read_prsa(name: str) -> pd.DataFrame:
    f = PRSA / f"PRSA_Data_{name}_20130301-20170228.csv.gz"
    if not f.exists():
        pytest.fail(f"shared data missing: {f}")
    df = pd.read_csv(f)
    df["time"] = pd.to_datetime(df[["year", "month", "day", "hour"]]).dt.tz_localize(
        "Asia/Shanghai")
    df = df.rename(columns={"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2",
                            "CO": "co", "O3": "o3"})
    df["co"] = df["co"] / 1000.0  # PRSA CO is µg/m³ (SOURCE.md); geoair uses mg/m³
    return df[["station", "time", "pm25", "pm10", "so2", "no2", "co", "o3"]]
