"""Fire clusters: satellite overpass times and the likely burning window.

A satellite fire detection is a snapshot at the overpass: MODIS on Terra passes at about
10:30 and 22:30 local solar time, MODIS on Aqua and VIIRS on S-NPP, NOAA-20 and NOAA-21 at about
13:30 and 01:30 (research note ``standards.md`` §5; NASA FIRMS FAQ). Clock time in China is
UTC+8, i.e. solar time at 120° E, so at longitude ``lon`` the clock time of an overpass is the
solar time minus ``(lon - 120) / 15`` hours. When the cluster's detections are given, their own
acquisition times (local clock) are listed instead of the nominal ones.

Open burning follows a diurnal cycle with its peak in the afternoon local solar time (Giglio
2007, from the tropical and subtropical satellite record), so the likely burning window is taken
as 12:00-18:00 solar time; clusters with night-time detections burn at night too, and
18:00-02:00 is added. Local practice (burning at dusk to avoid daytime patrols) is not
quantified here: widen the window where inspectors know it. Inspect the burnt field as soon as possible after the last
detection: ash and stubble show the burning for a few days.

References
----------
Giglio, L. (2007) Characterization of the tropical diurnal fire cycle using VIRS and MODIS
observations. *Remote Sensing of Environment* 108, 407-421.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["fire_windows", "OVERPASS_SOLAR"]

#: Nominal overpass times (local solar time, hours) of the FIRMS satellites.
OVERPASS_SOLAR = {"Terra": (10.5, 22.5), "Aqua": (13.5, 1.5), "VIIRS": (13.5, 1.5)}
_DAY_WINDOW = (12.0, 18.0)  # solar time
_NIGHT_WINDOW = (18.0, 26.0)


def _clock(solar_h: float, lon: float) -> float:
    return (solar_h - (lon - 120.0) / 15.0) % 24.0


def _hhmm(h: float) -> str:
    m = int(round((h % 24.0) * 60.0)) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def _nominal(lon: float) -> str:
    day = ", ".join(f"{name} {_hhmm(_clock(d, lon))}" for name, (d, _) in OVERPASS_SOLAR.items())
    night = ", ".join(f"{name} {_hhmm(_clock(n, lon))}" for name, (_, n) in OVERPASS_SOLAR.items())
    return f"{day}; {night}"


def _observed(points: pd.DataFrame) -> tuple[str, bool]:
    """Detected overpasses (local clock, satellite) and whether any was at night."""
    t = pd.DatetimeIndex(pd.to_datetime(points["time"]))
    t = t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")
    sat = points["satellite"].astype("string").fillna("") if "satellite" in points.columns else pd.Series(
        "", index=points.index)
    labels = sorted({f"{x:%m-%d %H:%M} {s}".strip() for x, s in zip(t, sat, strict=True)})
    if "daynight" in points.columns:
        night = bool((points["daynight"].astype("string").str.upper() == "N").any())
    else:
        night = bool(((t.hour >= 19) | (t.hour < 6)).any())
    shown = labels[:6] + ([f"(+{len(labels) - 6})"] if len(labels) > 6 else [])
    return ", ".join(shown), night


def _window(lon: float, night: bool) -> str:
    parts = [_DAY_WINDOW] + ([_NIGHT_WINDOW] if night else [])
    return ", ".join(f"{_hhmm(round(_clock(a, lon)))}-{_hhmm(round(_clock(b, lon)))}" for a, b in parts)


def fire_windows(rows, *, fires=None) -> pd.DataFrame:
    """Overpass times and likely burning window of fire-cluster rows.

    Parameters
    ----------
    rows : DataFrame
        Fire-cluster priority rows (``source_id`` ``"fire-<cluster>"``, ``lon_wgs84`` or a
        point geometry).
    fires : GeoDataFrame, optional
        Detections with ``cluster``, ``time`` (and ``satellite``, ``daynight``): the points
        returned by :func:`geoair.hotspot.fire_clusters`.

    Returns
    -------
    DataFrame
        ``source_id, window_hours`` (local clock, e.g. "12:00-18:00, 18:00-02:00"),
        ``window_days`` (empty: inspect as soon as possible), ``overpass`` (observed
        acquisition times or the nominal ones), ``window_basis`` (``fire_observed`` or
        ``fire_nominal``).
    """
    df = pd.DataFrame(rows).copy()
    if "lon_wgs84" in df.columns:
        lon = pd.to_numeric(df["lon_wgs84"], errors="coerce").to_numpy(float)
    else:
        lon = np.asarray(df.geometry.x, float)
    lon = np.where(np.isfinite(lon), lon, 120.0)
    by_cluster = {}
    if fires is not None and "cluster" in fires.columns and len(fires):
        pts = pd.DataFrame(fires)
        by_cluster = {f"fire-{k}": g for k, g in pts[pts["cluster"] >= 0].groupby("cluster")}
    out = []
    for sid, x in zip(df["source_id"].astype(str), lon, strict=True):
        if sid in by_cluster:
            seen, night = _observed(by_cluster[sid])
            out.append((sid, _window(x, night), "", seen, "fire_observed"))
        else:
            out.append((sid, _window(x, False), "", _nominal(x), "fire_nominal"))
    return pd.DataFrame(out, columns=["source_id", "window_hours", "window_days", "overpass", "window_basis"])
