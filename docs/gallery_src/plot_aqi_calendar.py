"""
Daily AQI of the Beijing stations
=================================

Daily AQI (HJ 633, chosen by the date of each observation) for the 12 UCI Beijing stations,
from the bundled hourly data, and the share of days in each AQI category.
"""

import matplotlib.pyplot as plt

import geoair
from geoair import datasets

obs = datasets.load_beijing_observations()
obs = obs[(obs["time"] >= "2016-12-01") & (obs["time"] < "2017-02-01")]
day = geoair.daily(obs)
aqi = day.join(geoair.aqi(day).drop(columns="standard"))
print(aqi.head())

fig, ax = plt.subplots(figsize=(8, 3))
for code, g in aqi.groupby("station"):
    ax.plot(g["date"], g["aqi"], lw=0.8, alpha=0.6)
ax.axhline(100, color="k", lw=0.8, ls="--")
ax.set_ylabel("daily AQI")
ax.set_title("Beijing, Dec 2016 - Jan 2017: daily AQI per station (dashed: AQI 100)")
fig.tight_layout()
