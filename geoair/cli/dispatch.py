"""``geoair dispatch``: task workbooks per supervision grid from a priority list.

Writes into ``--out`` (atomically, with ``manifest.json``): ``grids/<grid>.xlsx`` (tasks,
checklist, blank outcome sheet), ``summary_<lang>.xlsx`` (county summary, unassigned rows),
``tasks_<lang>.csv``, ``outcome_<lang>.csv``, ``unassigned_<lang>.csv``, ``checklists_<lang>.csv``.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``dispatch`` options to ``parser``."""
    parser.add_argument("--priority", required=True, nargs="+", metavar="PATH",
                        help="priority list(s): priority.geojson, or priority_<lang>.csv/.xlsx (geoair export); "
                             "station-check rows may be a second file")
    parser.add_argument("--grids", required=True, metavar="PATH", help="grid polygons (Shapefile, GeoJSON, GeoPackage)")
    parser.add_argument("--grid-id", default="grid_id", help="grid identifier column (grids and people)")
    parser.add_argument("--grids-coords", default="wgs84", choices=["wgs84", "gcj02", "bd09"],
                        help="datum of the grid coordinates (gcj02 for grids traced on AMap/Tencent maps)")
    parser.add_argument("--people", metavar="PATH", help="people responsible per grid (CSV/XLSX: grid id, name, phone)")
    parser.add_argument("--contributions", metavar="PATH",
                        help="geoair attribute contributions (CSV/Parquet): suggested inspection windows")
    parser.add_argument("--sources", nargs="+", metavar="PATH", help="the sources given to the attribution")
    parser.add_argument("--sources-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
    parser.add_argument("--stations", metavar="PATH", help="station list (CSV) for the plume split")
    parser.add_argument("--observations", nargs="+", metavar="PATH", help="observations with ws/wd (station wind)")
    parser.add_argument("--hours", type=int, default=4, help="length of the suggested window (h)")
    parser.add_argument("--snap-m", type=float, default=0.0, help="assign rows this close (m) to a grid's edge")
    parser.add_argument("--round", dest="round_id", help="round label prefixed to the task ids (e.g. 2026W48)")
    parser.add_argument("--map-link", help="map link template (fields lon_gcj02, lat_gcj02, lon_bd09, ..., name)")
    parser.add_argument("--per", default="workbook", choices=["workbook", "sheet"],
                        help="one workbook per grid, or one workbook with a sheet per grid")
    parser.add_argument("--lang", choices=["zh", "en"], help="language (default: the geoair option)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier geoair output in --out")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")


def _windows(args, priority):
    if not args.contributions:
        return None
    import pandas as pd

    from ..dispatch import inspection_windows
    from ..dispatch._io import read_contributions
    from ..io import read_observations, read_sources, read_stations

    sources = pd.concat([read_sources(p, crs=args.sources_crs) for p in args.sources], ignore_index=True) \
        if args.sources else None
    stations = read_stations(args.stations) if args.stations else None
    obs = None
    if args.observations:
        obs = read_observations(args.observations if len(args.observations) > 1 else args.observations[0])
    return inspection_windows(priority, read_contributions(args.contributions), sources=sources,
                              stations=stations, observations=obs, hours=args.hours)


def run(args: argparse.Namespace) -> int:
    """Dispatch the list and write the workbooks; returns the exit code."""
    import pandas as pd

    from .._i18n import resolve_lang
    from ..dispatch import DEFAULT_MAP_LINK, dispatch, export_tasks
    from ..dispatch._io import read_grids, read_priority, read_table

    lang = resolve_lang(args.lang)
    parts = [read_priority(p) for p in args.priority]
    priority = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    grids = read_grids(args.grids)
    people = read_table(args.people) if args.people else None
    windows = _windows(args, priority)
    tasks = dispatch(priority, grids, grid_id=args.grid_id, people=people, grids_coords=args.grids_coords,
                     windows=windows, snap_m=args.snap_m, round_id=args.round_id)
    files = export_tasks(tasks, args.out, lang=lang, map_link=args.map_link or DEFAULT_MAP_LINK, per=args.per,
                         overwrite=args.overwrite)
    n_un = int((tasks["grid_id"] == "").sum())
    n_grids = tasks.loc[tasks["grid_id"] != "", "grid_id"].nunique()
    print(f"geoair dispatch: {len(tasks)} tasks in {n_grids} grids, {n_un} unassigned -> {args.out}")
    if n_un:
        print(f"  unassigned rows (outside every grid or without a location): see {files['unassigned_csv'].name}")
    return 0
