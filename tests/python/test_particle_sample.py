"""`rootbatch make-sample --kind particles` read back by independent readers:
uproot + awkward for the branch contract, the per-jet consistency and the
class-dependent distributions; ROOT's RDataFrame (in its own process, when
the `root` package is installed) for one column sum of the TTree and of the
RNTuple form.

uproot is required: without it these tests skip locally and FAIL when $CI is set.
"""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from test_writer_uproot import awkward, uproot  # noqa: F401  (fixtures: skip or fail without uproot)

JETS = 3000
FEATURES = [
    "part_px", "part_py", "part_pz", "part_energy", "part_deta", "part_dphi", "part_pt", "part_eta",
    "part_phi", "part_d0val", "part_d0err", "part_dzval", "part_dzerr", "part_charge",
    "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton", "part_isElectron", "part_isMuon",
    "part_ptrel", "part_erel", "part_deltaR", "part_mass", "part_d0sig",
]
JET_SCALARS = ["jet_pt", "jet_eta", "jet_phi", "jet_energy", "jet_nparticles", "jet_sdmass",
               "jet_tau1", "jet_tau2", "jet_tau3", "jet_tau4"]
CLASSES = ["QCD", "Hbb", "Hcc", "Tbqq"]


@pytest.fixture(scope="module")
def ak(awkward):
    return awkward


def make_particles(cli, path, *extra):
    result = subprocess.run([cli, "make-sample", str(path), "--kind", "particles", "--quiet", *map(str, extra)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"make-sample failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def particles_file(rootbatch_cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("particles") / "particles.root"
    out = make_particles(rootbatch_cli, path, "--events", JETS, "--seed", 5, "--cluster-size", 1000)
    assert f"wrote {JETS} jets (4 classes" in out
    return path


@pytest.fixture(scope="module")
def arrays(uproot, particles_file):
    return uproot.open(particles_file)["events"].arrays()


def test_branch_names_and_types(uproot, particles_file):
    tree = uproot.open(particles_file)["events"]
    assert tree.keys() == ["event_id", *JET_SCALARS, *FEATURES, *[f"label_{c}" for c in CLASSES]]
    assert len(FEATURES) == 24
    assert tree.num_entries == JETS
    types = {name: branch.typename for name, branch in tree.items()}
    assert types["event_id"] == "int64_t"
    for name in JET_SCALARS:
        assert types[name] == "float", name
    for name in FEATURES:
        assert types[name] == "std::vector<float>", name
    for c in CLASSES:
        assert types[f"label_{c}"] == "bool", c


def test_every_particle_branch_has_one_length_per_jet(ak, arrays):
    counts = ak.to_numpy(ak.num(arrays["part_pt"]))
    for name in FEATURES:
        np.testing.assert_array_equal(ak.to_numpy(ak.num(arrays[name])), counts, err_msg=name)
    assert counts.min() >= 10 and counts.max() <= 128
    np.testing.assert_array_equal(ak.to_numpy(arrays["jet_nparticles"]), counts.astype(np.float32))
    np.testing.assert_array_equal(ak.to_numpy(arrays["event_id"]), np.arange(JETS))


def test_labels_are_one_hot_and_balanced(ak, arrays):
    onehot = np.stack([ak.to_numpy(arrays[f"label_{c}"]) for c in CLASSES], axis=1)
    assert onehot.dtype == np.bool_
    np.testing.assert_array_equal(onehot.sum(axis=1), np.ones(JETS))
    # Classes are drawn uniformly: each holds a quarter, within 5 standard deviations.
    assert np.all(np.abs(onehot.sum(axis=0) - JETS / 4) < 5 * np.sqrt(JETS * 0.25 * 0.75))


def test_particles_are_consistent_and_unsorted(ak, arrays):
    pt = arrays["part_pt"]
    flat = {name: ak.to_numpy(ak.flatten(arrays[name])).astype(np.float64) for name in FEATURES}
    assert np.all(flat["part_pt"] > 0)
    np.testing.assert_allclose(np.hypot(flat["part_px"], flat["part_py"]), flat["part_pt"], rtol=1e-5)
    np.testing.assert_allclose(flat["part_pz"], flat["part_pt"] * np.sinh(flat["part_eta"]), rtol=1e-4, atol=1e-5)
    p2 = flat["part_pt"] ** 2 + flat["part_pz"] ** 2
    np.testing.assert_allclose(flat["part_energy"] ** 2, p2 + flat["part_mass"] ** 2, rtol=1e-4)
    counts = ak.num(pt)
    jet_eta = ak.to_numpy(ak.flatten(ak.broadcast_arrays(arrays["jet_eta"], pt)[0]))
    np.testing.assert_allclose(flat["part_deta"], flat["part_eta"] - jet_eta, atol=1e-4)
    np.testing.assert_allclose(flat["part_deltaR"], np.hypot(flat["part_deta"], flat["part_dphi"]), atol=1e-5)
    assert flat["part_deltaR"].max() < 1.0
    types = np.stack([flat[n] for n in FEATURES[14:19]], axis=1)
    np.testing.assert_array_equal(types.sum(axis=1), 1)
    charged = flat["part_isChargedHadron"] + flat["part_isElectron"] + flat["part_isMuon"]
    np.testing.assert_array_equal(np.abs(flat["part_charge"]), charged)
    # The jet is the particles' vector sum.
    np.testing.assert_allclose(ak.to_numpy(ak.sum(arrays["part_px"], axis=1)),
                               ak.to_numpy(arrays["jet_pt"] * np.cos(arrays["jet_phi"])), rtol=1e-3, atol=0.05)
    # Not sorted by pt: most jets have a particle harder than the one before it.
    rising = ak.any(pt[:, 1:] > pt[:, :-1], axis=1)
    assert ak.sum(rising) > 0.9 * len(counts)


def class_mean(ak, arrays, values, c):
    selected = ak.to_numpy(values[arrays[f"label_{c}"]]).astype(np.float64)
    return selected.mean(), selected.std() / np.sqrt(len(selected))


def assert_ordered(ak, arrays, values, *classes):
    """The class means rise in the given order, each step by 3 standard errors
    (the sample is fixed by its seed, so this does not flake)."""
    means = [class_mean(ak, arrays, values, c) for c in classes]
    for (low, low_err), (high, high_err), pair in zip(means, means[1:], zip(classes, classes[1:])):
        assert high - low > 3 * np.hypot(low_err, high_err), (pair, low, high)


def test_classes_differ(ak, arrays):
    assert_ordered(ak, arrays, arrays["jet_nparticles"], "QCD", "Hcc", "Hbb", "Tbqq")
    assert_ordered(ak, arrays, arrays["jet_sdmass"], "QCD", "Hbb", "Tbqq")
    assert_ordered(ak, arrays, arrays["jet_tau2"] / arrays["jet_tau1"], "Hbb", "QCD")
    assert_ordered(ak, arrays, arrays["jet_tau3"] / arrays["jet_tau2"], "Tbqq", "Hbb")
    displaced = ak.mean(abs(arrays["part_d0sig"]) > 3, axis=1)
    assert_ordered(ak, arrays, displaced, "QCD", "Hcc", "Hbb")


def test_same_seed_same_jets(ak, uproot, rootbatch_cli, arrays, tmp_path):
    again = tmp_path / "again.root"
    other = tmp_path / "other.root"
    # Other batch and basket sizes: the jets depend only on the seed and their id.
    make_particles(rootbatch_cli, again, "--events", 1000, "--seed", 5, "--cluster-size", 300, "--basket-size", 5000,
                   "--codec", "lz4")
    make_particles(rootbatch_cli, other, "--events", 1000, "--seed", 6)
    same = uproot.open(again)["events"].arrays()
    for name in ["jet_pt", "part_d0val", "label_Hcc"]:
        assert ak.all(same[name] == arrays[name][:1000]), name
    assert not ak.all(uproot.open(other)["events"]["jet_pt"].array() == arrays["jet_pt"][:1000])


def test_classes_option_and_bad_combinations(uproot, rootbatch_cli, tmp_path):
    path = tmp_path / "ten.root"
    make_particles(rootbatch_cli, path, "--events", 200, "--classes", 10)
    labels = [k for k in uproot.open(path)["events"].keys() if k.startswith("label_")]
    assert labels == [f"label_{c}" for c in ["QCD", "Hbb", "Hcc", "Tbqq", "Wqq", "Zqq", "Hgg", "H4q", "Hqql", "Tbl"]]
    for args in (["--kind", "particles", "--features", "3"], ["--kind", "particles", "--no-jagged"],
                 ["--classes", "3"], ["--kind", "particles", "--classes", "1"], ["--kind", "jets"]):
        result = subprocess.run([rootbatch_cli, "make-sample", str(tmp_path / "bad.root"), *args],
                                capture_output=True, text=True)
        assert result.returncode == 2, args
        assert "usage: rootbatch make-sample" in result.stderr, args


@pytest.fixture(scope="module")
def rntuple_file(rootbatch_cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("particles-rntuple") / "particles.root"
    out = make_particles(rootbatch_cli, path, "--events", 700, "--seed", 5, "--format", "rntuple",
                         "--cluster-size", 300)
    assert "RNTuple fields" in out
    return path


def test_rntuple_holds_the_same_jets(ak, uproot, arrays, rntuple_file):
    ntuple = uproot.open(rntuple_file)["events"]
    read = ntuple.arrays(["event_id", "jet_pt", "part_pt", "part_d0sig", "label_Hbb"])
    for name in ["event_id", "jet_pt", "part_pt", "part_d0sig", "label_Hbb"]:
        assert ak.all(read[name] == arrays[name][:700]), name


RDF_SUMS = r"""
import json, sys
import ROOT
sums = []
for path in sys.argv[1:]:
    df = ROOT.RDataFrame("events", path).Define("pt_sum", "Sum(part_pt)").Define("n", "part_d0sig.size()")
    sums.append({"jet_pt": df.Sum("jet_pt").GetValue(), "pt_sum": df.Sum("pt_sum").GetValue(),
                 "n": df.Sum("n").GetValue(), "entries": df.Count().GetValue()})
print(json.dumps(sums))
"""


def test_root_rdataframe_agrees(ak, arrays, particles_file, rntuple_file):
    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    proc = subprocess.run([sys.executable, "-c", RDF_SUMS, str(particles_file), str(rntuple_file)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"ROOT failed:\n{proc.stdout}\n{proc.stderr}"
    tree, ntuple = json.loads(proc.stdout.strip().splitlines()[-1])
    for got, jets in ((tree, JETS), (ntuple, 700)):
        part = arrays[:jets]
        assert got["entries"] == jets
        assert got["n"] == ak.sum(ak.num(part["part_d0sig"]))
        np.testing.assert_allclose(got["jet_pt"], np.sum(ak.to_numpy(part["jet_pt"]).astype(np.float64)), rtol=1e-9)
        # RVec Sum adds in float: agreement to float precision.
        np.testing.assert_allclose(got["pt_sum"], ak.sum(part["part_pt"]), rtol=1e-5)
