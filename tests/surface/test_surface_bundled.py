"""Every BTH county gets an estimate with an interval, on the bundled national data."""

import numpy as np
import pytest

from geoair import datasets
from geoair.surface import county_table, estimate, period_mean, station_values, stations_near


@pytest.mark.slow
def test_all_199_bth_counties_get_a_period_estimate():
    counties = datasets.load_bth_counties()
    st = stations_near(datasets.load_national_stations(), counties, buffer=150_000.0)
    obs = datasets.load_cnemc_observations(stations=list(st["station"]), start="2019-01-12 01:00",
                                           end="2019-01-15 00:00")
    daily = station_values(obs, "pm25", freq="D")
    st = st[st["station"].isin(daily["station"])]
    tab = county_table(period_mean(estimate(daily, st, counties)), counties)
    assert len(tab) == 199
    assert np.isfinite(tab[["value", "lower", "upper"]].to_numpy()).all()
    assert ((tab["lower"] < tab["value"]) & (tab["value"] < tab["upper"])).all()
    # counties with a monitor are the minority; the others are flagged as estimated
    assert 30 <= tab["observed"].sum() <= 80
    rel = (tab["upper"] - tab["lower"]) / tab["value"]
    assert rel[~tab["observed"]].median() > rel[tab["observed"]].median()
    # the January 2019 haze: southern Hebei above the northern mountains (Zhangjiakou, 1307)
    south = tab[tab["adcode"].str[:4].isin(["1301", "1304", "1305"])]["value"].mean()
    north = tab[tab["adcode"].str[:4] == "1307"]["value"].mean()
    assert south > 2 * north


@pytest.mark.slow
def test_county_means_drop_in_for_the_briefing():
    from geoair.surface import county_means

    counties = datasets.load_bth_counties()
    st = stations_near(datasets.load_national_stations(), counties, buffer=100_000.0)
    obs = datasets.load_cnemc_observations(stations=list(st["station"]), start="2019-01-20 01:00",
                                           end="2019-01-22 00:00")
    cm = county_means(obs, st, counties, "pm25")
    assert list(cm.columns) == ["adcode", "value", "lower", "upper", "observed", "n_stations", "n_in_range"]
    assert len(cm) == 199 and cm["value"].notna().all()
    assert ((cm["n_stations"] > 0) == cm["observed"]).all()
    assert cm.attrs["daily"]["date"].nunique() == 2
