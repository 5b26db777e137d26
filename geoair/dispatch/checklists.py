"""What to check, per kind of task: the checklist table shipped with geoair.

``checklists.csv`` (next to this module) holds one row per item: ``checklist, item, en, zh,
basis_en, basis_zh``. The construction-site list is the "six 100 %" dust measures of the State
Council's Three-Year Action Plan for Blue Skies (国发〔2018〕22号: 工地周边围挡、物料堆放覆盖、
土方开挖湿法作业、路面硬化、出入车辆清洗、渣土车辆密闭运输) plus the online dust monitor and
video camera that several provinces count as the seventh, and night works; boilers: fuel,
permit, treatment, stack, coal yard; fires: burn marks, responsibility, false detections;
stations: siting, inlet, calibration, access log (HJ 664-2013, HJ 817-2018, HJ 818-2018).
Each item cites its legal or technical basis. Counties can pass their own table
(:func:`checklist` ``table=``) with the same columns.

A priority row is matched to a checklist by its ``kind`` (:data:`KIND_CHECKLIST`), else by its
``category`` (:data:`CATEGORY_CHECKLIST`), else ``other``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._i18n import resolve_lang
from .._validation import require_columns

__all__ = ["checklist", "checklist_key", "KIND_CHECKLIST", "CATEGORY_CHECKLIST", "CHECKLIST_PATH"]

CHECKLIST_PATH = Path(__file__).with_name("checklists.csv")

#: Source ``kind`` (lower case) -> checklist.
KIND_CHECKLIST = {
    "construction": "construction", "construction_site": "construction", "demolition": "construction",
    "boiler": "boiler", "heating": "boiler", "power_plant": "industry", "steel_plant": "industry",
    "cement_plant": "industry", "factory": "industry", "industry": "industry", "enterprise": "industry",
    "residential_coal": "residential_coal", "fire": "fire", "fire_cluster": "fire", "station_check": "station",
    "road": "road", "traffic": "road", "vehicle": "road", "restaurant": "cooking", "fireworks": "fireworks",
}
#: Category -> checklist when the kind is not in :data:`KIND_CHECKLIST`.
CATEGORY_CHECKLIST = {"coal": "boiler", "dust": "construction", "vehicle": "road", "burning": "fire",
                      "fireworks": "fireworks", "industry": "industry", "cooking": "cooking",
                      "integrity": "station", "other": "other"}


def checklist_key(kind, category) -> str:
    """The checklist of a row from its ``kind`` and ``category``."""
    k = "" if kind is None or kind is pd.NA else str(kind).strip().lower()
    c = "" if category is None or category is pd.NA else str(category).strip().lower()
    return KIND_CHECKLIST.get(k) or CATEGORY_CHECKLIST.get(c) or "other"


def checklist(keys=None, *, lang: str | None = None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Checklist items, in ``lang``.

    Parameters
    ----------
    keys : iterable of str, optional
        Checklists to return (default all), e.g. ``["construction", "boiler"]``.
    lang : {"zh", "en"}, optional
    table : DataFrame, optional
        A county's own table with the columns of ``checklists.csv``.

    Returns
    -------
    DataFrame
        ``checklist, item, text, basis``.
    """
    lang = resolve_lang(lang)
    tab = pd.read_csv(CHECKLIST_PATH, dtype=str) if table is None else pd.DataFrame(table).astype(str)
    require_columns(tab, ["checklist", "item", "en", "zh", "basis_en", "basis_zh"], what="checklist table")
    if keys is not None:
        order = list(dict.fromkeys(keys))
        tab = tab[tab["checklist"].isin(order)]
        tab = tab.assign(_o=tab["checklist"].map({k: i for i, k in enumerate(order)})).sort_values(
            ["_o", "item"], key=lambda s: pd.to_numeric(s, errors="coerce") if s.name == "item" else s)
    return pd.DataFrame({"checklist": tab["checklist"].to_numpy(), "item": tab["item"].to_numpy(),
                         "text": tab[lang].to_numpy(), "basis": tab[f"basis_{lang}"].to_numpy()})
