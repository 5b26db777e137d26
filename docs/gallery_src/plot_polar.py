"""
Polar plot of PM2.5 at Dongsi
=============================

Mean PM2.5 by wind speed and direction at the Dongsi station (UCI Beijing PRSA data,
winter 2016/17), smoothed as openair's ``polarPlot`` does. High values at high wind speeds
from one direction point at a distant source upwind; high values at the centre are local
sources under calm conditions.
"""

import geoair
from geoair import datasets
from geoair.plot.directional import plot_polar

obs = datasets.load_beijing_observations()
dongsi = obs[(obs["station"] == "1003A") & (obs["time"] >= "2016-11-01")]
surface = geoair.polar_plot(dongsi, "pm25", statistic="mean")
print(surface.dropna()["z"].describe().round(1))

fig = plot_polar(surface, lang="en")
