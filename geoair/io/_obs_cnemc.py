"""The national wide hourly files ``china_sites_YYYYMMDD.csv[.gz]`` (quotsoft.net mirror of the
CNEMC real-time releases): columns ``date, hour, type, <station codes...>``, 15 ``type`` lines
per hour (:data:`geoair.schema.CNEMC_TYPES`).

Files are read with pyarrow directly (pandas' per-column dtype handling of 1,600 columns costs
seconds per file) and, with ``n_jobs > 1``, several files at once. Masked cells are logged with
the station code as column and the ``(hour, type)`` line as file row.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError
from ..schema import CNEMC_TYPES, DERIVED_POLLUTANTS, POLLUTANTS, TIMEZONE
from ._common import ObsOptions, cannot_read, read_header
from ._qc import cell_checks, pm_ratio_violations, ratio_reason

NAME = "cnemc"
_META = ("date", "hour", "type")


def sniff(header: list[str]) -> bool:
    """A header starting ``date, hour, type``."""
    return [h.lower() for h in header[:3]] == list(_META)


@dataclass
class _Block:
    """One file: its (date, hour, type) lines, station codes and the wanted lines' values."""

    meta: pd.DataFrame
    codes: list[str]
    values: Any  # float array (wanted lines x codes) or, when a cell is not a number, text frame
    sel: np.ndarray  # lines whose type is wanted
    dup_cells: dict[str, np.ndarray]  # repeated station column -> lines (1-based) with a value


def read(files: list[Path], keep: set[str] | None, log: DropLog, opts: ObsOptions) -> pd.DataFrame:
    """Read national files into one sorted, unique station x hour grid (``_file``/``_row`` =
    the first line of each hour); ``attrs["lines_not_requested"]`` counts deselected lines."""
    names = [str(f) for f in files]
    wanted_codes = list(POLLUTANTS) + (list(DERIVED_POLLUTANTS) if opts.include_derived else [])
    wanted_types = [t for t, c in CNEMC_TYPES.items() if c in wanted_codes]
    with ThreadPoolExecutor(max_workers=max(1, min(opts.n_jobs, len(files)))) as pool:
        blocks = list(pool.map(lambda f: _read_file(f, keep, wanted_types), files))
    raw, values, station_cols = _stack(blocks, names, log)
    types = raw["type"].astype("string").str.strip()
    _check_types(types, raw, names)
    time, valid = _line_times(raw, types, names, log)
    valid &= ~_duplicate_lines(raw, time, types, valid, names, log)
    codes = types.map(CNEMC_TYPES).to_numpy(dtype=object)
    requested = np.isin(codes, wanted_codes)
    use = valid & requested
    sel_lines = np.flatnonzero(raw["_sel"].to_numpy())
    file_idx, rows = raw["_file"].to_numpy(), raw["_row"].to_numpy()
    _mask_cells(values, use[sel_lines], codes[sel_lines], station_cols, names,
                file_idx[sel_lines], rows[sel_lines], log, opts.limits)
    frame, line_of = _grid(raw, time, codes, use, values, sel_lines, station_cols, wanted_codes, names)
    _mask_pm_ratio(frame, line_of, file_idx, rows, names, station_cols, log, opts.pm_tolerance)
    frame.attrs["sorted_unique"] = True
    frame.attrs["lines_not_requested"] = int((valid & ~requested).sum())
    return frame


def _read_table(path: Path, header: list[str], include: list[str], types: dict) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding="utf8", column_names=header, skip_rows=1),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=include, strings_can_be_null=True,
            null_values=[""],  # the format marks missing by an empty cell only
        ),
    )


def _unique_header(header: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Rename repeated station columns ``code#2``, ``code#3``...; return them per code."""
    seen: dict[str, int] = {}
    out, repeats = [], {}
    for name in header:
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name}#{k + 1}")
        if k:
            repeats.setdefault(name, []).append(out[-1])
    return out, repeats


def _read_file(path: Path, keep: set[str] | None, wanted_types: list[str]) -> _Block:
    import pyarrow as pa

    header, repeats = _unique_header(read_header(path))
    codes = [c for c in header[3:] if "#" not in c and (keep is None or c in keep)]
    extra = [r for c, rs in repeats.items() if keep is None or c in keep for r in rs]
    text = {c: pa.string() for c in (*_META, *extra)}
    include = list(_META) + codes + extra
    try:
        try:
            table, numeric = _read_table(path, header, include, {**text, **{c: pa.float64() for c in codes}}), True
        except pa.ArrowInvalid:
            table, numeric = _read_table(path, header, include, {**text, **{c: pa.string() for c in codes}}), False
    except (pa.ArrowException, OSError, EOFError, UnicodeError, ValueError) as err:
        raise cannot_read(path, "CNEMC file", err,
                          "Check that the file is a complete 'date,hour,type,<codes>' CSV.") from None
    meta = pd.DataFrame({c: table.column(c).to_pandas().str.strip() for c in _META})
    sel = meta["type"].isin(wanted_types).to_numpy(dtype=bool, na_value=False)
    dup_cells = {}
    for code, copies in repeats.items():
        if keep is None or code in keep:
            filled = np.zeros(len(meta), dtype=bool)
            for c in copies:
                filled |= table.column(c).is_valid().to_numpy(zero_copy_only=False)
            dup_cells[code] = np.flatnonzero(filled) + 1
    if numeric:
        arr = np.empty((int(sel.sum()), len(codes)), dtype="float64")
        for j, c in enumerate(codes):
            arr[:, j] = table.column(c).to_numpy(zero_copy_only=False)[sel]
    else:
        arr = pd.DataFrame({c: table.column(c).to_pandas()[sel].reset_index(drop=True) for c in codes})
    return _Block(meta, codes, arr, sel, dup_cells)


def _stack(blocks: list[_Block], names: list[str], log: DropLog) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """All files' lines in one frame and their wanted values in one (lines x stations) matrix."""
    metas = []
    for i, b in enumerate(blocks):
        b.meta["_file"] = i
        b.meta["_row"] = np.arange(1, len(b.meta) + 1, dtype=np.int64)
        b.meta["_sel"] = b.sel
        for code, lines in b.dup_cells.items():
            log.add("station column repeated in the header; the first kept, this copy's values dropped",
                    rows=lines, file=names[i], column=code)
        if not isinstance(b.values, np.ndarray):
            sel_rows = b.meta["_row"].to_numpy()[b.sel]
            sel_types = b.meta["type"][b.sel].reset_index(drop=True)
            b.values = _text_to_numbers(b.values, b.codes, names[i], sel_rows, sel_types, log)
        metas.append(b.meta)
    raw = pd.concat(metas, ignore_index=True) if len(metas) > 1 else metas[0]
    station_cols = sorted(set().union(*(b.codes for b in blocks)))
    if len(blocks) == 1 and blocks[0].codes == station_cols:
        return raw, blocks[0].values, station_cols
    col_pos = {c: j for j, c in enumerate(station_cols)}
    values = np.full((int(raw["_sel"].sum()), len(station_cols)), np.nan)
    start = 0
    for b in blocks:
        values[start : start + len(b.values), [col_pos[c] for c in b.codes]] = b.values
        start += len(b.values)
    return raw, values, station_cols


def _text_to_numbers(text: pd.DataFrame, codes: list[str], name: str, rows: np.ndarray,
                     types: pd.Series, log: DropLog) -> np.ndarray:
    """Cells that are present but not numbers are masked, one log entry per (station, type)."""
    arr = np.empty((len(text), len(codes)), dtype="float64")
    t = types.astype("string").to_numpy(dtype=object)
    for j, c in enumerate(codes):
        num = pd.to_numeric(text[c], errors="coerce")
        cells = text[c].astype("object")
        present = cells.notna().to_numpy() & (cells.astype(str).str.strip() != "").to_numpy()
        bad = present & num.isna().to_numpy()
        for code in sorted(set(t[bad])):
            sel = bad & (t == code)
            log.add(f"{CNEMC_TYPES.get(code, code)}: non-numeric value masked to NaN",
                    rows=rows[sel], file=name, column=c, values=cells[sel].tolist())
        arr[:, j] = num.to_numpy(dtype="float64", na_value=np.nan)
    return arr


def _check_types(types: pd.Series, raw: pd.DataFrame, names: list[str]) -> None:
    """Unknown pollutant codes are an error: the file layout is not the one we know."""
    unknown = ~types.isin(list(CNEMC_TYPES)) & types.notna()
    if unknown.any():
        file_idx, rows = raw["_file"].to_numpy(), raw["_row"].to_numpy()
        first = np.flatnonzero(unknown.to_numpy())
        in_file = first[file_idx[first] == file_idx[first[0]]]
        raise GeoairInputError(
            f"Unknown pollutant type(s) {sorted(types[unknown].unique().tolist())[:10]} in a CNEMC file.",
            file=names[file_idx[first[0]]], column="type", row=rows[in_file].tolist(),
            received=types.iloc[first[0]],
            fix=f"Valid types are {list(CNEMC_TYPES)}; correct or remove those lines.",
        )


def _line_times(raw: pd.DataFrame, types: pd.Series, names: list[str], log: DropLog) -> tuple[pd.Series, np.ndarray]:
    """date (YYYYMMDD or YYYY-MM-DD) + hour -> end-of-hour time; bad lines logged and invalid."""
    digits = raw["date"].astype("string").str.replace(r"^(\d{4})[-/](\d{2})[-/](\d{2})$", r"\1\2\3", regex=True)
    date = pd.to_datetime(digits, format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(raw["hour"], errors="coerce")
    bad = (date.isna() | hour.isna() | (hour < 0) | (hour > 23) | (hour % 1 != 0) | types.isna()).to_numpy()
    time = (date + pd.to_timedelta(hour.where(~bad, 0), unit="h")).dt.tz_localize(TIMEZONE)
    file_idx, rows = raw["_file"].to_numpy(), raw["_row"].to_numpy()
    for i in np.unique(file_idx[bad]):
        sel = bad & (file_idx == i)
        log.add("line without a valid date (YYYYMMDD or YYYY-MM-DD), hour (0-23) or type; dropped",
                rows=rows[sel], file=names[i], values=raw["date"][sel].tolist())
    return time, ~bad


def _duplicate_lines(raw, time, types, valid, names, log) -> np.ndarray:
    """Repeated (time, type) lines, within or across files: all but the first in file order."""
    vidx = np.flatnonzero(valid)
    key = pd.DataFrame({"time": time.iloc[vidx].to_numpy(), "type": types.iloc[vidx].to_numpy()})
    dup = np.zeros(len(raw), dtype=bool)
    dup[vidx[key.duplicated(keep="first").to_numpy()]] = True
    file_idx, rows = raw["_file"].to_numpy(), raw["_row"].to_numpy()
    for i in np.unique(file_idx[dup]):
        sel = dup & (file_idx == i)
        log.add("duplicate (date, hour, type) line; first kept", rows=rows[sel], file=names[i])
    return dup


def _mask_cells(values, use, codes, station_cols, names, file_idx, rows, log, limits) -> None:
    """Mask failing cells (see geoair.io._qc) of the lines in use; one log entry per
    (file, pollutant, station, reason)."""
    for code in [c for c in dict.fromkeys(codes[use])]:
        lines = np.flatnonzero(use & (codes == code))
        sub = values[lines]
        for mask, reason in cell_checks(sub, code, limits):
            r, c = np.nonzero(mask)
            cells = pd.DataFrame({"f": file_idx[lines[r]], "col": c, "row": rows[lines[r]], "v": sub[r, c]})
            for (f, col), g in cells.groupby(["f", "col"], sort=True):
                log.add(reason, rows=g["row"].to_numpy(), file=names[f], column=station_cols[col],
                        values=g["v"].to_numpy())
            sub[mask] = np.nan
        values[lines] = sub


def _grid(raw, time, codes, use, values, sel_lines, station_cols, wanted_codes, names):
    """The station x hour frame, station-major (sorted by station, time); and, per pollutant,
    the raw line of each hour (for logging cells found later)."""
    vpos = np.full(len(raw), -1, dtype=np.int64)  # line -> row of `values`
    vpos[sel_lines] = np.arange(len(sel_lines))
    idx = np.flatnonzero(use)
    t_use = pd.DatetimeIndex(time.iloc[idx])
    grid_times = t_use.unique().sort_values()
    n_t, n_s = len(grid_times), len(station_cols)
    pos = grid_times.get_indexer(t_use)
    frame = pd.DataFrame({"station": np.repeat(np.asarray(station_cols, dtype=object), n_t),
                          "time": grid_times[np.tile(np.arange(n_t), n_s)]})
    line_of: dict[str, np.ndarray] = {}
    for code in [c for c in wanted_codes if c in set(codes[idx])]:
        sel = codes[idx] == code
        arr = np.full((n_t, n_s), np.nan)
        arr[pos[sel]] = values[vpos[idx[sel]]]
        frame[code] = arr.T.reshape(-1)  # station-major: rows come out sorted by station, time
        line_of[code] = np.full(n_t, -1, dtype=np.int64)
        line_of[code][pos[sel]] = idx[sel]
    first = pd.DataFrame({"pos": pos, "f": raw["_file"].to_numpy()[idx], "r": raw["_row"].to_numpy()[idx]})
    first = first.drop_duplicates("pos").set_index("pos").reindex(np.arange(n_t))
    frame["_file"] = np.tile(np.asarray(names, dtype=object)[first["f"].to_numpy(dtype=np.int64)], n_s)
    frame["_row"] = np.tile(first["r"].to_numpy(dtype=np.int64), n_s)
    return frame, line_of


def _mask_pm_ratio(frame, line_of, file_idx, rows, names, station_cols, log, tolerance) -> None:
    """PM2.5 above PM10 beyond the tolerance: mask PM2.5, log the PM2.5 line of each cell."""
    if tolerance is None or "pm25" not in frame or "pm10" not in frame:
        return
    pm25, pm10 = frame["pm25"].to_numpy(), frame["pm10"].to_numpy()
    bad = pm_ratio_violations(pm25, pm10, tolerance)
    if not bad.any():
        return
    n_t = len(line_of["pm25"])
    k = np.flatnonzero(bad)
    line = line_of["pm25"][k % n_t]
    cells = pd.DataFrame({"f": file_idx[line], "s": k // n_t, "row": rows[line],
                          "v": [f"{a:g}/{b:g}" for a, b in zip(pm25[k], pm10[k], strict=True)]})
    for (f, s), g in cells.groupby(["f", "s"], sort=True):
        log.add(ratio_reason(tolerance), rows=g["row"].to_numpy(), file=names[f], column=station_cols[s],
                values=g["v"].tolist())
    frame.loc[bad, "pm25"] = np.nan
