"""Every command of the ``geoair`` registry: help is cheap, bad input is exit code 2 with a message.

``--help`` runs in a fresh interpreter and must not import pandas or pyarrow (the registry
imports only argparse-level code). Bad input must end as exit code 2 with ``error:`` and the
reason on stderr, never a traceback; ``--out`` problems must be found before any work.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from geoair.cli import COMMANDS, main

HELP = textwrap.dedent(
    """
    import sys
    from geoair.cli import main
    try:
        main({argv!r})
    except SystemExit as exc:
        code = exc.code
    heavy = [m for m in ("pandas", "pyarrow", "geopandas", "matplotlib") if m in sys.modules]
    print(code, ",".join(heavy) or "-")
    """
)


def _fresh(argv):
    out = subprocess.run([sys.executable, "-c", HELP.format(argv=argv)], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1].split(), out.stdout


@pytest.mark.parametrize("argv", [["--help"], *[[name, "--help"] for name in COMMANDS]])
def test_help_works_and_imports_no_pandas(argv):
    (code, heavy), text = _fresh(argv)
    assert code == "0", text
    assert heavy == "-", f"geoair {' '.join(argv)} imported {heavy}"


# one bad input per command: a file that does not exist
BAD = {
    "summary": ["summary", "--observations", "{tmp}/missing.csv"],
    "attribute": ["attribute", "--observations", "{tmp}/missing.csv", "--stations", "{tmp}/st.csv",
                  "--out", "{tmp}/out"],
    "briefing": ["briefing", "--config", "{tmp}/missing.toml", "--out", "{tmp}/out"],
    "store": ["store", "{tmp}/missing.csv", "--out", "{tmp}/store"],
    "rankings": ["rankings", "{tmp}/missing_store"],
    "integrity": ["integrity", "--observations", "{tmp}/missing.csv", "--stations", "{tmp}/st.csv",
                  "--out", "{tmp}/out"],
    "dispatch": ["dispatch", "--priority", "{tmp}/missing.geojson", "--grids", "{tmp}/grids.geojson",
                 "--out", "{tmp}/out"],
    "feedback": ["feedback", "--sources", "{tmp}/missing.csv", "--feedback", "{tmp}/fb.csv", "--out", "{tmp}/out"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_bad_input_is_exit_code_2(name, tmp_path, capsys):
    assert name in BAD, f"add a bad-input case for the new command {name!r}"
    argv = [a.format(tmp=tmp_path) for a in BAD[name]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"geoair {name}: error:" in err and "missing" in err and "Traceback" not in err


def test_option_value_error_is_exit_code_2(tmp_path, capsys, monkeypatch):
    # a ValueError that is not a GeoairInputError (e.g. an option check deep inside) still ends as 2
    def boom(args):
        raise ValueError("n_jobs must be a positive int")

    monkeypatch.setattr("geoair.cli.summary.run", boom)
    assert main(["summary"]) == 2
    assert "n_jobs must be a positive int" in capsys.readouterr().err


def test_interrupt_inside_a_compiled_call_is_exit_code_130(capsys, monkeypatch):
    # numba wraps a KeyboardInterrupt raised during a kernel call (or its cache load) in a
    # SystemError; the command was interrupted all the same
    def interrupted(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as err:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set") from err

    monkeypatch.setattr("geoair.cli.summary.run", interrupted)
    assert main(["summary"]) == 130
    assert "interrupted" in capsys.readouterr().err

    def broken(args):
        raise SystemError("not an interrupt")

    monkeypatch.setattr("geoair.cli.summary.run", broken)
    with pytest.raises(SystemError, match="not an interrupt"):
        main(["summary"])


@pytest.mark.parametrize("text, suffix, where", [
    ("[data\nobservations = 'x'\n", ".toml", "line 1"),
    ('{"data": {"observations": }', ".json", "line 1 column 27"),
])
def test_broken_config_is_exit_code_2(tmp_path, capsys, text, suffix, where):
    cfg = tmp_path / f"cfg{suffix}"
    cfg.write_text(text)
    assert main(["briefing", "--config", str(cfg), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "not valid" in err and where in err and str(cfg) in err
    assert not (tmp_path / "out").exists()


def _attribute_argv(tmp_path, out):
    obs = tmp_path / "obs.csv"
    obs.write_text("station,time,pm25\n1001A,2019-01-01 01:00,10\n")
    st = tmp_path / "st.csv"
    st.write_text("station,lon,lat\n1001A,116.4,39.9\n")
    return ["attribute", "--observations", str(obs), "--stations", str(st), "--out", str(out)]


def test_out_is_a_file_refused_before_fitting(tmp_path, capsys, monkeypatch):
    out = tmp_path / "results.txt"
    out.write_text("not a folder")

    def no_fit(*args, **kwargs):  # the check must come first: reaching the fit is a failure
        raise AssertionError("fitted before checking --out")

    monkeypatch.setattr("geoair.apportion.attribution.SourceAttribution.fit", no_fit)
    assert main(_attribute_argv(tmp_path, out)) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err
    assert out.read_text() == "not a folder"
    for name in ("briefing",):
        assert main([name, "--out", str(out)]) == 2
        assert "is a file, not a folder" in capsys.readouterr().err


def test_out_unwritable_refused_before_fitting(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setattr("geoair.apportion.attribution.SourceAttribution.fit",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("fitted")))
    # a folder whose parent is a file cannot be created (also for root, unlike chmod)
    assert main(_attribute_argv(tmp_path, blocker / "out")) == 2
    assert "Cannot write the output folder" in capsys.readouterr().err


def test_out_holding_a_foreign_folder_refused(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    assert main(_attribute_argv(tmp_path, out)) == 2
    assert "has no geoair manifest.json" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "my notes"


def test_out_with_an_earlier_run_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.csv").write_text("a\n1\n")
    (out / "manifest.json").write_text(json.dumps({"files": [{"path": "old.csv"}], "complete": True}))
    assert main(_attribute_argv(tmp_path, out)) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "old.csv").exists()
