"""geoair's monthly statistics against the Ministry's published January bulletins.

The Ministry of Ecology and Environment (生态环境部) publishes each month the good-day ratio and
the PM2.5 mean of Beijing, of the "2+26" cities of Beijing-Tianjin-Hebei and surroundings, and
of the 337 cities. This script recomputes them with ``geoair.daily``, ``geoair.aqi`` and
``geoair.evaluate`` from the CNEMC city-level hourly files in ``../shared/data`` and prints
both side by side.

Usage: ``python benchmarks/validate_bulletin.py [../shared/data]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import geoair

#: The "2+26" cities (京津冀大气污染传输通道城市), as named in the CNEMC city files.
CITIES_2_26 = ["北京", "天津", "石家庄", "唐山", "廊坊", "保定", "沧州", "衡水", "邢台", "邯郸",
               "太原", "阳泉", "长治", "晋城", "济南", "淄博", "济宁", "德州", "聊城", "滨州",
               "菏泽", "郑州", "开封", "安阳", "鹤壁", "新乡", "焦作", "濮阳"]

#: Published values (press releases of 16 Feb 2019 and 20 Feb 2020): good-day ratio (%) and
#: PM2.5 (µg/m³, monthly mean).
BULLETIN = {
    ("2019-01", "北京"): (77.4, 52),
    ("2019-01", "2+26"): (35.3, 108),
    ("2020-01", "北京"): (80.6, 59),
    ("2020-01", "2+26"): (25.5, 119),
}
FOLDERS = {"2019-01": "china_cities_2019jf", "2020-01": "china_cities_2020q1"}


def read_city_month(folder: Path, month: str) -> pd.DataFrame:
    """City-level hourly values of ``month`` (plus the next day's first hour) in geoair's model."""
    stamp = month.replace("-", "")
    files = sorted(folder.glob(f"china_cities_{stamp}*.csv.gz"))
    raw = pd.concat([pd.read_csv(f, encoding="utf-8-sig") for f in files], ignore_index=True)
    time = pd.to_datetime(raw["date"].astype(str)) + pd.to_timedelta(raw["hour"], unit="h")
    return pd.DataFrame({
        "station": raw["城市"], "time": time.dt.tz_localize("Asia/Shanghai"),
        "pm25": raw["PM2.5"], "pm10": raw["PM10"], "so2": raw["SO2"], "no2": raw["NO2"],
        "co": raw["CO"], "o3": raw["O3"],
    })


def monthly(obs: pd.DataFrame, month: str) -> pd.DataFrame:
    """HJ 663 monthly statistics per city (good-day ratio %, PM2.5 mean µg/m³)."""
    ev = geoair.evaluate(geoair.daily(obs), period="month")
    ev = ev[ev["period"] == month]
    return ev.set_index("unit")[["good_ratio", "pm25", "n_days"]]


def compare(shared: Path) -> pd.DataFrame:
    """Published and recomputed values, one row per (month, area)."""
    rows = []
    for month, folder in FOLDERS.items():
        stats = monthly(read_city_month(shared / folder, month), month)
        areas = {"北京": stats.loc[["北京"]], "2+26": stats.loc[stats.index.isin(CITIES_2_26)]}
        for area, sub in areas.items():
            good, pm25 = BULLETIN[(month, area)]
            rows.append({"month": month, "area": area, "cities": len(sub),
                         "good_ratio_published": good, "good_ratio_geoair": round(sub["good_ratio"].mean(), 1),
                         "pm25_published": pm25, "pm25_geoair": round(sub["pm25"].mean(), 1)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    print(compare(shared).to_string(index=False))
