"""geoair.schema.attach_units / value_unit: the shared helper behind results' attrs["units"]."""

import pandas as pd
import pytest

from geoair.schema import UNITS, attach_units, value_unit


def test_attach_units_data_model_extra_and_rules():
    df = pd.DataFrame({"pm25": [1.0], "co": [0.5], "gi_z": [0.1], "n_pm25": [3], "x_days": [2], "name": ["a"]})
    df.attrs["units"] = {"name": "kept from before"}
    out = attach_units(df, {"gi_z": "1 (z-score)", "absent": "m"}, prefix_n_="count", suffix__days="days")
    assert out is df
    assert df.attrs["units"] == {"name": "kept from before", "pm25": UNITS["pm25"], "co": "mg/m³",
                                 "gi_z": "1 (z-score)", "n_pm25": "count", "x_days": "days"}
    assert list(df.columns) == ["pm25", "co", "gi_z", "n_pm25", "x_days", "name"]  # frame unchanged


def test_attach_units_extra_overrides_data_model():
    df = attach_units(pd.DataFrame({"pm25": [0.3]}), {"pm25": "1 (weighted probability)"})
    assert df.attrs["units"] == {"pm25": "1 (weighted probability)"}


def test_attach_units_unknown_rule():
    with pytest.raises(TypeError, match="unknown rule"):
        attach_units(pd.DataFrame({"a": [1]}), infix_a="m")


def test_value_unit():
    assert value_unit("pm25") == "µg/m³"
    assert value_unit(["pm25", "no2"]) == "µg/m³"
    assert value_unit(["pm25", "co"]) == "per pollutant: pm25 µg/m³, co mg/m³"
    assert value_unit("levoglucosan") == "units of levoglucosan"
