"""Benchmark and validation of geoair.surface on the bundled national month.

Beijing-Tianjin-Hebei and its neighbours (stations within 150 km of the 199 BTH counties),
daily PM2.5 (GB 3095 validity: >= 20 valid hours), 2019-01-08 .. 2019-02-07.

Run:
    python benchmarks/bench_surface.py            # everything
    python benchmarks/bench_surface.py loo        # leave-one-station-out table only
    python benchmarks/bench_surface.py counties   # monthly means for all 199 counties
    python benchmarks/bench_surface.py grid       # a month of daily 1-km surfaces (timing)

Prints markdown tables for benchmarks/RESULTS.md, with wall times, peak RSS and the load.
"""

import os
import resource
import sys
import time

import numpy as np
import pandas as pd

from geoair import datasets, set_options
from geoair.surface import (
    county_table,
    estimate,
    estimate_grid,
    loo,
    loo_summary,
    period_mean,
    station_values,
    stations_near,
)


def _load():
    t = time.perf_counter()
    counties = datasets.load_bth_counties()
    st = stations_near(datasets.load_national_stations(), counties, buffer=150_000.0)
    obs = datasets.load_cnemc_observations(stations=list(st["station"]))
    daily = station_values(obs, "pm25", freq="D")
    period = station_values(obs, "pm25", freq="all")
    st = st[st["station"].isin(daily["station"])].reset_index(drop=True)
    print(f"loaded {len(st)} stations with data, {len(daily)} station-days, "
          f"{daily['date'].nunique()} days in {time.perf_counter() - t:.1f} s")
    return counties, st, daily, period


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


def run_loo(st, daily, counties):
    plants = pd.concat([datasets.load_power_plants(), datasets.load_steel_plants()], ignore_index=True)
    import geopandas as gpd

    plants = gpd.GeoDataFrame(plants, geometry="geometry", crs="EPSG:4326")
    from geoair.hotspot import assign_county

    bth = assign_county(st, counties)["adcode"].notna().to_numpy()
    variants = [
        ("kriging (OK, Matérn, pooled) + IDW p=2", dict()),
        ("kriging, exponential", dict(model="exponential", methods=["kriging"])),
        ("kriging, daily variograms", dict(variogram="daily", methods=["kriging"])),
        ("kriging, linear drift (UK)", dict(drift="linear", methods=["kriging"])),
        ("kriging, external drift: plant density", dict(covariates={"plants": plants},
                                                           methods=["kriging"])),
        ("buffered LOO 20 km", dict(buffer=20_000.0)),
    ]
    rows = []
    for label, kw in variants:
        t = time.perf_counter()
        cv = loo(daily, st, **kw)
        wall = time.perf_counter() - t
        s = cv.attrs["summary"].assign(variant=label, wall_s=wall)
        rows.append(s)
        if label.startswith("kriging (OK"):
            in_bth = cv[cv["station"].isin(st.loc[bth, "station"])]
            rows.append(loo_summary(in_bth).assign(variant="same, BTH stations only", wall_s=np.nan))
            print("variogram:", cv.attrs["params"]["variogram"])
    tab = pd.concat(rows, ignore_index=True)
    cols = ["variant", "method", "n", "r2", "r2_log", "r2_within_day", "rmse", "bias", "coverage",
            "interval_width", "wall_s"]
    print(_md(tab[cols]))


def run_counties(st, daily, period, counties):
    t = time.perf_counter()
    est = period_mean(estimate(daily, st, counties))
    wall = time.perf_counter() - t
    tab = county_table(est, counties)
    ok = np.isfinite(tab[["value", "lower", "upper"]]).all(axis=1) & (tab["lower"] < tab["upper"])
    rel = (tab["upper"] - tab["lower"]) / tab["value"]
    print(f"period means (mean of daily block estimates) for {len(tab)} counties in {wall:.1f} s: {int(ok.sum())} with a finite "
          f"estimate and interval; {int(tab['observed'].sum())} monitored, "
          f"{int((~tab['observed']).sum())} estimated; relative 90 % width median "
          f"{rel[tab['observed']].median():.2f} (monitored) vs {rel[~tab['observed']].median():.2f} "
          f"(estimated); PM2.5 {tab['value'].min():.0f}-{tab['value'].max():.0f} µg/m³")
    keep = daily.groupby("station").size()
    keep = keep[keep >= 27].index
    cv = loo(daily, st)
    pm = period_mean(cv[cv["station"].isin(keep)])
    pm = pm.rename(columns={"observed": "obs_mean"}).assign(observed=lambda x: x["obs_mean"])
    print("leave-one-station-out on period means (stations with >= 27 valid days):")
    print("  mean of daily LOO predictions, bounds = mean of daily bounds:")
    print(_md(loo_summary(pm)))
    for model in ("matern", "exponential"):
        print(f"  kriging the station period means directly ({model}):")
        print(_md(loo(period, st, model=model).attrs["summary"]))


def run_grid(st, daily, counties):
    t, c = time.perf_counter(), time.process_time()
    ds = estimate_grid(daily, st, counties, cell_size=1000.0)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    n = int(np.isfinite(ds["estimate"].isel(date=0)).sum())
    print(f"1-km grid: {ds.sizes['date']} days x {n} cells (of {ds.sizes['y']}x{ds.sizes['x']}) "
          f"in {wall:.1f} s wall, {cpu:.1f} s CPU")


def main(which):
    set_options(progress=False)
    counties, st, daily, period = _load()
    if which in ("all", "loo"):
        run_loo(st, daily, counties)
    if which in ("all", "counties"):
        run_counties(st, daily, period, counties)
    if which in ("all", "grid"):
        run_grid(st, daily, counties)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
          f"load average {os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
