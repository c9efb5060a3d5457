"""ROOT itself (6.40, from PyPI's `root` package) reads what rootbatch writes.

The strongest independent check: the files of rootbatch's TTree writer opened with
ROOT's TFile and read through RDataFrame, every codec, every branch kind, values
compared exactly with the test-pattern formula (test_writer_uproot.py). ROOT must
also print no error or warning while reading. Without the `root` package these
tests skip locally and FAIL when $CI is set (scripts/setup installs it).
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from test_writer_uproot import CODECS, DTYPES, SUFFIXES, expected_fixed, expected_jagged, run, write_pattern  # noqa: F401

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def root_python():
    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    return sys.executable


def read_with_root(python, paths, tree, tmp_path):
    """Reads `paths` in one ROOT process; returns one dict of arrays per file."""
    out = tmp_path / "root-read"
    out.mkdir(exist_ok=True)
    proc = subprocess.run([python, str(HERE / "root_reader.py"), tree, str(out), *map(str, paths)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"ROOT failed to read {paths}:\n{proc.stdout}\n{proc.stderr}"
    complaints = [line for line in proc.stderr.splitlines() if line.startswith(("Error in <", "Warning in <"))]
    assert not complaints, "ROOT complained:\n" + "\n".join(complaints)
    return [np.load(out / (pathlib.Path(p).stem + ".npz")) for p in paths]


def check_sizes_and_values(data, name, sizes, values):
    np.testing.assert_array_equal(data[f"{name}.sizes"], sizes, err_msg=f"{name}: values per entry")
    np.testing.assert_array_equal(data[name].astype(values.dtype), values, err_msg=name)


def test_root_reads_pattern_in_every_codec(root_python, write_pattern, tmp_path):
    entries = 2501
    paths = []
    for codec in CODECS:
        path = tmp_path / f"pattern-{codec}.root"
        run(write_pattern, path, "--entries", entries, "--codec", codec, "--basket-size", 1500,
            "--cluster-size", 700)
        paths.append(path)
    i = np.arange(entries, dtype=np.int64)
    counter = i % 5
    vector_counts = (i * 7) % 4
    ones = np.ones(entries, dtype=np.int64)
    for codec, data in zip(CODECS, read_with_root(root_python, paths, "pattern", tmp_path)):
        assert int(data["entries"][0]) == entries, codec
        for s in SUFFIXES:
            check_sizes_and_values(data, f"x_{s}", ones, expected_fixed(s, entries, 1))
            assert data[f"x_{s}"].dtype == DTYPES[s], f"{codec} x_{s}: ROOT sees {data[f'x_{s}'].dtype}"
            check_sizes_and_values(data, f"a_{s}", 3 * ones, expected_fixed(s, entries, 3).ravel())
            values, _ = expected_jagged(s, counter, 1)
            check_sizes_and_values(data, f"A_{s}", counter, values)
            values, _ = expected_jagged(s, vector_counts, 1)
            check_sizes_and_values(data, f"v_{s}", vector_counts, values)
        check_sizes_and_values(data, "n", ones, counter.astype(np.int32))
        check_sizes_and_values(data, "m_f4", 6 * ones, expected_fixed("f4", entries, 6).ravel())
        values, _ = expected_jagged("f4", counter, 2)
        check_sizes_and_values(data, "P_f4", 2 * counter, values)


def test_root_reads_make_sample(root_python, rootbatch_cli, tmp_path):
    path = tmp_path / "sample.root"
    run(rootbatch_cli, "make-sample", path, "--events", 3000, "--codec", "lz4", "--seed", 7)
    (data,) = read_with_root(root_python, [path], "events", tmp_path)
    assert int(data["entries"][0]) == 3000
    np.testing.assert_array_equal(data["event_id"], np.arange(3000))
    assert set(np.unique(data["label"])) <= {0, 1}
    assert data["weight"].dtype == np.float32
    # The counter and its arrays agree, as ROOT sees them.
    assert "nJet" in data.files
    jet_arrays = [n for n in data.files if n.startswith("Jet_") and not n.endswith(".sizes")]
    assert jet_arrays, data.files
    for name in jet_arrays:
        np.testing.assert_array_equal(data[f"{name}.sizes"], data["nJet"], err_msg=name)
