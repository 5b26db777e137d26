"""
County hotspots of PM2.5 (Gi*)
==============================

Getis-Ord Gi* of the county mean PM2.5 in Beijing-Tianjin-Hebei, 10-16 January 2019, from
the bundled national hourly data: counties whose neighbourhood is significantly above (hot)
or below (cold) the regional mean after FDR correction.
"""

from geoair import datasets
from geoair.hotspot import GRID_CRS, assign_county, local_gi_star
from geoair.plot.figures import plot_hotspot_map

counties = datasets.load_bth_counties()
stations = assign_county(datasets.load_national_stations(), counties)
stations = stations[stations["adcode"].notna()]
obs = datasets.load_cnemc_observations(stations=list(stations["station"]), start="2019-01-10",
                                       end="2019-01-16")
pm = obs.groupby("station")["pm25"].mean().rename("pm25")
by_county = stations.merge(pm, left_on="station", right_index=True).groupby("adcode")["pm25"].mean()
g = counties.merge(by_county, left_on="adcode", right_index=True).to_crs(GRID_CRS)
gi = local_gi_star(g, "pm25", weights="knn", k=5, permutations=999, alternative="two-sided", random_state=0)
print(gi["hotspot"].value_counts())

shown = counties.merge(gi[["adcode", "hotspot"]], on="adcode", how="left").fillna({"hotspot": "no data"})
fig = plot_hotspot_map(shown, colors={"no data": "#ffffff"}, title="PM2.5 Gi*, 10-16 Jan 2019")
