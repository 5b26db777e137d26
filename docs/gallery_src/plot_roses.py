"""
Wind rose and percentile rose
=============================

How often the wind blows from each sector at Dongsi (winter 2016/17), and the PM2.5
percentiles per 10° sector (openair's ``windRose`` and ``percentileRose``).
"""

import geoair
from geoair import datasets
from geoair.plot.directional import plot_rose

obs = datasets.load_beijing_observations()
dongsi = obs[(obs["station"] == "1003A") & (obs["time"] >= "2016-11-01")]
rose = geoair.wind_rose(dongsi)
print(rose.round(1).head())

fig = plot_rose(rose, lang="en")

# %%
# PM2.5 percentiles by direction
pr = geoair.percentile_rose(dongsi, "pm25")
print(pr.dropna().sort_values("p95", ascending=False).head(3).round(1))
