"""County and grid hotspots: aggregation, Gi*/Local Moran, emerging hot spots, fire analysis."""

from .aggregate import GRID_CRS, assign_county, make_grid, to_counties, to_grid
from .emerging import classify_emerging, emerging_hotspots, mann_kendall
from .fires import fire_clusters, fire_counts, fire_density, qc_fires
from .getisord import local_gi_star
from .moran import local_moran
from .names import add_city_names
from .significance import conditional_randomization, fdr_bh, pseudo_p
from .weights import spatial_weights

__all__ = [
    "GRID_CRS",
    "add_city_names",
    "assign_county",
    "make_grid",
    "to_counties",
    "to_grid",
    "classify_emerging",
    "emerging_hotspots",
    "mann_kendall",
    "fire_clusters",
    "fire_counts",
    "fire_density",
    "qc_fires",
    "conditional_randomization",
    "fdr_bh",
    "local_gi_star",
    "local_moran",
    "pseudo_p",
    "spatial_weights",
]
