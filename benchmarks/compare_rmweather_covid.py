"""Beijing, COVID-19 lockdown 2020: geoair.deweather against rmweather (R) on the same data.

Data (``../shared/data``, not bundled; CI skips): CNEMC city-level hourly Beijing concentrations
2020-01-01..04-07 (``china_cities_2020q1``) joined to the 3-hourly rp5 SYNOP of WMO 54511
(``beijing_wind_2019``: wind speed and 16-point direction, temperature, humidity, station
pressure, dew point) at the SYNOP hours (Beijing time): ~780 rows per pollutant.

The number compared is the **lockdown change**: the mean of the normalised series over the
lockdown (2020-01-24..02-29, level-1 emergency response from 24 Jan) relative to before it
(2020-01-01..01-23), in %, next to the observed change. Three runs, all on the same rows:

* ``rmweather``: rmweather 0.2.63 defaults (random 80/20 split, ranger 300 trees,
  mtry = floor(sqrt(p)), min node 5; predictors ``date_unix, day_julian, weekday, hour, ws,
  wd, temp, rh, pres``; every predictor but the trend resampled from the whole record,
  300 draws), 3 seeds;
* ``geoair-parity``: ``normalise(model="rf", wind="degrees", history=None,
  sampling="whole")`` - the same predictors, model settings and resampling;
* ``geoair-default``: geoair's defaults (``model="hgb"``, wind as sin/cos,
  ``sampling="whole"``) without the 24-h history terms (the SYNOP is 3-hourly);
* ``geoair-window``: as the default but ``sampling="window"`` (Vu et al. 2019: only
  meteorology resampled, from the same hour +-14 days). On a 98-day record the window's donors
  are the same few weeks, so episode weather is not removed: shown as the pitfall it is.

With one short record (98 days) ``day_julian`` equals the trend up to a constant; the
whole-record resampling of rmweather's default moves it with the weather and so damps any
step in the trend (see docs/methods/deweather.md, Limits). Published reference: Shi et al.
(2021, Sci. Adv. 7, eabd6696) - random-forest deweathering against a business-as-usual
counterfactual trained on 2015-2019: abrupt NO2 falls of 10-50 % across 11 cities, O3 rising,
PM2.5 falling less than observed. Our record has no earlier years, so the counterfactual here
is the pre-lockdown weeks (which also differ by the Spring Festival, 25 Jan 2020).

    python benchmarks/compare_rmweather_covid.py rmweather --seeds 1 2 3   # needs R + rmweather
    python benchmarks/compare_rmweather_covid.py geoair                    # geoair only
    python benchmarks/compare_rmweather_covid.py table                     # stored runs

``rmweather`` writes ``tests/data/deweather_rmweather/covid_beijing_rmweather.csv`` (small,
committed); ``geoair`` prints the table for RESULTS.md and writes
``out/rmweather/covid_beijing_geoair.csv``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "out" / "rmweather"
STORED = ROOT / "tests" / "data" / "deweather_rmweather"
R_SCRIPT = Path(__file__).resolve().parent / "rmweather" / "normalise.R"
POLLUTANTS = ("no2", "pm25", "pm10", "co", "so2", "o3")
MET = ("ws", "wd", "temp", "rh", "pres")
BEFORE = ("2020-01-01", "2020-01-23")
LOCKDOWN = ("2020-01-24", "2020-02-29")
_COMPASS = ["north", "north-northeast", "north-east", "east-northeast", "east",
            "east-southeast", "south-east", "south-southeast", "south", "south-southwest",
            "south-west", "west-southwest", "west", "west-northwest", "north-west",
            "north-northwest"]
_CITY_COLS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "O3": "o3",
              "CO": "co"}


def read_rp5(path: Path) -> pd.DataFrame:
    """rp5.ru SYNOP export -> time (Asia/Shanghai), ws (m/s), wd (deg), temp, rh, pres (hPa)."""
    raw = pd.read_csv(path, usecols=[0, 1, 2, 5, 6, 7, 22])
    raw.columns = ["time", "T", "Po", "U", "DD", "Ff", "Td"]
    text = raw["DD"].fillna("").str.lower().str.replace("wind blowing from the ", "")
    deg = {name: 22.5 * i for i, name in enumerate(_COMPASS)}
    calm = text.str.startswith("calm")
    return pd.DataFrame({
        "time": pd.to_datetime(raw["time"], format="%d.%m.%Y %H:%M").dt.tz_localize(
            "Asia/Shanghai"),
        "ws": np.where(calm, 0.0, pd.to_numeric(raw["Ff"], errors="coerce")),
        "wd": text.map(deg).where(~calm),
        "temp": pd.to_numeric(raw["T"], errors="coerce"),
        "rh": pd.to_numeric(raw["U"], errors="coerce"),
        "pres": pd.to_numeric(raw["Po"], errors="coerce") * 1.333224,  # mmHg -> hPa
        "dewp": pd.to_numeric(raw["Td"], errors="coerce"),
    }).sort_values("time", ignore_index=True)


def read_city(folder: Path, city: str = "北京") -> pd.DataFrame:
    """CNEMC city-level hourly files -> time (hour end, Asia/Shanghai) and six pollutants."""
    frames = []
    for f in sorted(folder.glob("china_cities_2020*.csv.gz")):
        d = pd.read_csv(f, encoding="utf-8-sig")
        frames.append(d.loc[d["城市"] == city, ["date", "hour", *_CITY_COLS]])
    d = pd.concat(frames, ignore_index=True).rename(columns=_CITY_COLS)
    t = pd.to_datetime(d["date"].astype(str), format="%Y%m%d") + pd.to_timedelta(d["hour"], "h")
    return d.drop(columns=["date", "hour"]).assign(time=t.dt.tz_localize("Asia/Shanghai"))


def load() -> pd.DataFrame:
    """Beijing city concentrations at the SYNOP hours with the SYNOP meteorology."""
    if not SHARED.is_dir():
        sys.exit(f"needs {SHARED} (china_cities_2020q1, beijing_wind_2019)")
    met = read_rp5(next((SHARED / "beijing_wind_2019").glob("rp5_*.csv.gz")))
    conc = read_city(SHARED / "china_cities_2020q1")
    d = met.merge(conc, on="time", how="inner")
    return d.assign(station="Beijing")


def _change(s: pd.Series, time: pd.Series) -> float:
    day = time.dt.tz_localize(None).dt.normalize()
    a = s[(day >= BEFORE[0]) & (day <= BEFORE[1])].mean()
    b = s[(day >= LOCKDOWN[0]) & (day <= LOCKDOWN[1])].mean()
    return float(100.0 * (b / a - 1.0))


def run_rmweather(args) -> None:
    d = load()
    env = dict(os.environ, R_LIBS=os.environ.get("RMWEATHER_LIB", "/tmp/dw_r/lib"))
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for pol in args.pollutants:
        inp = OUT / f"covid_{pol}_input.csv"
        wall = d["time"].dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S")
        pd.DataFrame({"date": wall, "value": d[pol], **{m: d[m] for m in MET}}).to_csv(
            inp, index=False, na_rep="NA")
        for seed in args.seeds:
            prefix = OUT / f"covid_{pol}_seed{seed}"
            if args.force or not Path(f"{prefix}_stats.csv").is_file():  # else: reuse the run
                subprocess.run(["Rscript", str(R_SCRIPT), str(inp), str(prefix), str(seed),
                                str(args.n_samples), str(args.cores)], check=True, env=env)
            s = pd.read_csv(f"{prefix}_normalised.csv", parse_dates=["date"])
            st = pd.read_csv(f"{prefix}_stats.csv").iloc[0]
            tm = s["date"].dt.tz_localize("Asia/Shanghai")
            rows.append({"pollutant": pol, "seed": seed,
                         "normalised_change_pct": round(_change(s["value_predict"], tm), 2),
                         "observed_change_pct": round(_change(d[pol], d["time"]), 2),
                         "r2_oob": round(float(st["r2_oob"]), 3),
                         "r2_test_random_split": round(float(st["r2_test_random_split"]), 3),
                         "r_fit_normalise_s": round(float(st["train_s"] + st["normalise_s"]), 1)})
            rows[-1].update(rmweather=str(st["rmweather_version"]),
                            ranger=str(st["ranger_version"]), n_samples=args.n_samples,
                            run_date=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d"))
            print(rows[-1], flush=True)
            _store(pd.DataFrame(rows))  # after every run: a partial table survives a stop


def _store(new: pd.DataFrame) -> None:
    """Merge the runs into the committed table (a rerun of a pollutant-seed replaces it)."""
    path = STORED / "covid_beijing_rmweather.csv"
    STORED.mkdir(parents=True, exist_ok=True)
    old = pd.read_csv(path) if path.is_file() else new.iloc[:0]
    out = pd.concat([old.drop(columns="wall_s", errors="ignore"), new])
    out = out.drop_duplicates(["pollutant", "seed"], keep="last")
    out.sort_values(["pollutant", "seed"]).to_csv(path, index=False)


SETTINGS = {
    "geoair-parity": dict(met=MET, model="rf", wind="degrees", history=None, sampling="whole"),
    "geoair-default": dict(met=MET, model="hgb", wind="sincos", history=None, sampling="whole"),
    "geoair-window": dict(met=MET, model="hgb", wind="sincos", history=None, sampling="window"),
}


def geoair_runs(d: pd.DataFrame, pollutants, n_samples: int, seed: int, runs) -> pd.DataFrame:
    """Lockdown change (normalised vs observed) of geoair settings, with intervals."""
    import warnings

    from geoair.deweather import decompose

    rows = []
    for name in runs:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # poor-fit warnings: the r2 column reports them
            dec = decompose(d, list(pollutants), before=BEFORE, after=LOCKDOWN,
                            n_samples=n_samples, random_state=seed, progress=False,
                            min_r2=None, **SETTINGS[name])
        wall = time.perf_counter() - t
        for _, r in dec.iterrows():
            rows.append({"run": name, "pollutant": r["pollutant"],
                         "observed_change_pct": r["observed_change_pct"],
                         "normalised_change_pct": r["emission_change_pct"],
                         "lower": r["emission_change_pct_lower"],
                         "upper": r["emission_change_pct_upper"],
                         "r2_blocked_cv": r["r2"], "wall_s": wall})
    return pd.DataFrame(rows)


def run_geoair(args) -> None:
    d = load()
    t, c = time.perf_counter(), time.process_time()
    geo = geoair_runs(d, args.pollutants, args.n_samples, args.seed, args.runs)
    print(f"rows {len(d)}, {time.perf_counter() - t:.0f} s wall, "
          f"{time.process_time() - c:.0f} s CPU (this process), load {os.getloadavg()[0]:.1f}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "covid_beijing_geoair.csv"
    if path.is_file():  # keep the other settings' rows from earlier runs
        geo = pd.concat([pd.read_csv(path), geo]).drop_duplicates(["run", "pollutant"],
                                                                   keep="last")
    geo.to_csv(path, index=False)
    print_table(args)


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join([df.index.name or "", *map(str, df.columns)]) + " |"
    rule = "|" + "---|" * (df.shape[1] + 1)
    body = ["| " + " | ".join([str(i), *(f"{v:.1f}" if isinstance(v, float) else str(v)
                                         for v in row)]) + " |"
            for i, row in zip(df.index, df.itertuples(index=False), strict=True)]
    return "\n".join([head, rule, *body])


def print_table(args) -> None:
    """The comparison table (markdown) from the stored geoair and rmweather runs."""
    geo = pd.read_csv(OUT / "covid_beijing_geoair.csv")
    table = pd.DataFrame({"observed": geo.groupby("pollutant")["observed_change_pct"].first()})
    ref = STORED / "covid_beijing_rmweather.csv"
    if ref.is_file():
        rm = pd.read_csv(ref).groupby("pollutant")["normalised_change_pct"]
        table["rmweather mean (seeds)"] = rm.apply(
            lambda s: f"{s.mean():.1f} ({', '.join(f'{v:.1f}' for v in s)})")
    for name in [r for r in SETTINGS if r in set(geo["run"])]:
        g = geo[geo["run"] == name].set_index("pollutant")
        table[name] = [f"{v:.1f} [{lo:.1f}, {hi:.1f}]" for v, lo, hi in
                       zip(g["normalised_change_pct"], g["lower"], g["upper"], strict=True)]
    table["R2 parity/default"] = [
        f"{geo.set_index(['run', 'pollutant']).loc[('geoair-parity', p), 'r2_blocked_cv']:.2f}/"
        f"{geo.set_index(['run', 'pollutant']).loc[('geoair-default', p), 'r2_blocked_cv']:.2f}"
        for p in table.index]
    print(f"walls (s): {geo.groupby('run')['wall_s'].first().round(1).to_dict()}")
    print(_markdown(table.reindex([p for p in args.pollutants if p in table.index])))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["rmweather", "geoair", "table"])
    p.add_argument("--pollutants", nargs="+", default=list(POLLUTANTS))
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-samples", type=int, default=300)
    p.add_argument("--cores", type=int, default=1)
    p.add_argument("--runs", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument("--force", action="store_true", help="rerun R even where its output exists")
    args = p.parse_args(argv)
    {"rmweather": run_rmweather, "geoair": run_geoair, "table": print_table}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
