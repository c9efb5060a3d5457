"""ROOT's UPDATE mode on files rootbatch wrote, and trees of 0 and 1 entries.

UPDATE is the strictest test of the closing records: ROOT reuses the free-segments
list, rewrites the keys lists and directory records, and appends after fEND. ROOT
runs in a subprocess (as in test_writer_root.py); the result is then read by uproot
and compared exactly with the test pattern. Skips without ROOT, fails in CI.
"""
import subprocess

import numpy as np

from test_writer_root import read_with_root, root_python  # noqa: F401
from test_writer_uproot import (awkward, check_file_layout, check_pattern_tree, expected_fixed,  # noqa: F401
                                run, uproot, write_pattern)

UPDATE_SCRIPT = r"""
import sys, warnings
warnings.simplefilter("ignore")
import ROOT
path = sys.argv[1]
f = ROOT.TFile.Open(path, "UPDATE")
assert f and not f.IsZombie() and not f.TestBit(ROOT.TFile.kRecovered), "open for update"
h = ROOT.TH1F("h", "added by ROOT", 10, 0, 1)
h.Fill(0.5)
h.Write()
f.Get("sub").cd()
ROOT.TNamed("note", "in sub").Write()
f.Close()
g = ROOT.TFile.Open(path)
assert not g.TestBit(ROOT.TFile.kRecovered), "reopen"
print(g.Get("sub/pattern").GetEntries(), g.Get("h").GetEntries(), g.Get("sub/note").GetTitle())
"""


def test_root_update_mode_adds_objects(root_python, uproot, awkward, write_pattern, tmp_path):
    path = tmp_path / "update.root"
    run(write_pattern, path, "--entries", 700, "--codec", "zstd", "--cluster-size", 300, "--dir", "sub")
    proc = subprocess.run([root_python, "-c", UPDATE_SCRIPT, str(path)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, f"ROOT could not update the file:\n{proc.stdout}\n{proc.stderr}"
    complaints = [line for line in proc.stderr.splitlines() if line.startswith(("Error in <", "Warning in <"))]
    assert not complaints, "ROOT complained:\n" + "\n".join(complaints)
    assert proc.stdout.split() == ["700", "1.0", "in", "sub"]
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        assert set(f.keys(cycle=False)) == {"sub", "sub/pattern", "sub/note", "h"}
        check_pattern_tree(f["sub/pattern"], awkward, 700)


def test_root_reads_empty_and_one_entry_trees(root_python, write_pattern, tmp_path):
    paths = []
    for entries in (0, 1):
        paths.append(tmp_path / f"tiny-{entries}.root")
        run(write_pattern, paths[-1], "--entries", entries, "--codec", "zlib")
    empty, one = read_with_root(root_python, paths, "pattern", tmp_path)
    assert int(empty["entries"][0]) == 0
    assert int(one["entries"][0]) == 1
    np.testing.assert_array_equal(one["x_f8"], expected_fixed("f8", 1, 1))
    np.testing.assert_array_equal(one["a_i8"], expected_fixed("i8", 1, 3).ravel())
    assert one["A_f4.sizes"].tolist() == [0] and one["v_u8.sizes"].tolist() == [0]
