"""``geoair attribute`` end to end on a small twin experiment written to tidy CSV files."""

import json

import pandas as pd

from geoair.cli import main
from geoair.testing import make_attribution_truth


def test_cli_attribute_writes_outputs(tmp_path):
    syn = make_attribution_truth(seed=5, days=8)
    obs = syn.obs.copy()
    obs["time"] = obs["time"].dt.strftime("%Y-%m-%d %H:%M")
    obs.to_csv(tmp_path / "obs.csv", index=False)
    syn.stations[["station", "name", "city", "lon", "lat"]].to_csv(tmp_path / "stations.csv", index=False)
    src = syn.sources.assign(lon=syn.sources.geometry.x, lat=syn.sources.geometry.y).drop(columns="geometry")
    src.to_csv(tmp_path / "sources.csv", index=False)
    rc = main(["attribute", "--observations", str(tmp_path / "obs.csv"), "--format", "tidy",
               "--stations", str(tmp_path / "stations.csv"), "--sources", str(tmp_path / "sources.csv"),
               "--n-bootstrap", "10", "--out", str(tmp_path / "out")])
    assert rc == 0
    contrib = pd.read_csv(tmp_path / "out" / "contributions.csv")
    assert {"station", "time", "category", "pm25", "pm10", "lower", "upper"} <= set(contrib.columns)
    assert set(contrib["station"].astype(str)) == set(syn.stations["station"].astype(str))
    scores = pd.read_csv(tmp_path / "out" / "source_scores.csv")
    assert scores["source_id"].isin(syn.sources["source_id"]).all()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["wind"] == "stations"
    assert abs(sum(v["share"] for v in summary["shares_pm25"].values()) - 1) < 1e-6
