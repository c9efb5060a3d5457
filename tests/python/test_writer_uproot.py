"""An independent reader (uproot 5) reads what rootbatch's TTree writer writes.

Files come from two writers built with the C++ code:
- rootbatch_write_pattern (src/rootbatch/write/write_pattern_main.cpp) writes the
  test pattern of src/rootbatch/write/test_pattern.hpp: every numeric type as a
  scalar, a fixed array, a counter array and a std::vector, with values given by
  a formula that this file recomputes with numpy and compares exactly;
- `rootbatch make-sample`, checked for its CLI contract (branch names, types,
  event ids, jagged consistency).
The StreamerInfo records are also compared, element by element, with the ones
ROOT itself wrote into real files of the shared test data.

uproot is required: without it these tests skip locally and FAIL when $CI is set.
"""
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CODECS = ["zlib", "lzma", "lz4", "zstd", "none"]
SUFFIXES = ["b", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"]
DTYPES = {
    "b": np.bool_, "i1": np.int8, "u1": np.uint8, "i2": np.int16, "u2": np.uint16, "i4": np.int32,
    "u4": np.uint32, "i8": np.int64, "u8": np.uint64, "f4": np.float32, "f8": np.float64,
}


@pytest.fixture(scope="module")
def uproot():
    try:
        import uproot as module  # noqa: PLC0415
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("uproot is required for the writer checks in CI (pip install uproot)")
        pytest.skip("uproot is not installed")
    return module


@pytest.fixture(scope="module")
def awkward(uproot):
    import awkward as module  # noqa: PLC0415  (an uproot dependency)
    return module


@pytest.fixture(scope="session")
def write_pattern():
    """The rootbatch_write_pattern program: $ROOTBATCH_WRITE_PATTERN or a build tree."""
    explicit = os.environ.get("ROOTBATCH_WRITE_PATTERN")
    if explicit:
        return explicit
    for preset in ("dev", "release", "asan"):
        candidate = REPO / "build" / preset / "src" / "rootbatch" / "write" / "rootbatch_write_pattern"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("rootbatch_write_pattern")
    if found is None:
        pytest.fail("rootbatch_write_pattern not built: run scripts/test or set ROOTBATCH_WRITE_PATTERN")
    return found


def run(*args):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


# --- the pattern formula (test_pattern.hpp), recomputed -----------------------

def pattern_values(suffix, i, k):
    """Values for entries i and value indices k (int64 arrays of one shape)."""
    if suffix == "b":
        return (i + k) % 3 == 0
    if suffix == "f4":
        return (i.astype(np.float32) * np.float32(0.5) + k.astype(np.float32) * np.float32(0.25)
                - np.float32(10.0))
    if suffix == "f8":
        return i.astype(np.float64) * 0.125 + k.astype(np.float64) * 0.0625 - 3.0
    raw = i * 31 + k * 7 - 50
    if suffix in ("i8", "u8"):
        raw = raw * 1000003
    return raw.astype(DTYPES[suffix])  # wraps around like a C++ cast


def expected_fixed(suffix, entries, per_entry):
    i = np.repeat(np.arange(entries, dtype=np.int64), per_entry)
    k = np.tile(np.arange(per_entry, dtype=np.int64), entries)
    return pattern_values(suffix, i, k).reshape((entries, per_entry) if per_entry > 1 else (entries,))


def expected_jagged(suffix, counts, per_item):
    """(flat values, counts) for entries with `counts` items of `per_item` values."""
    sizes = counts * per_item
    total = int(sizes.sum())
    i = np.repeat(np.arange(len(counts), dtype=np.int64), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    k = np.arange(total, dtype=np.int64) - starts
    return pattern_values(suffix, i, k), counts


def check_pattern_tree(tree, awkward, entries):
    assert tree.num_entries == entries
    i = np.arange(entries, dtype=np.int64)
    counter = (i % 5).astype(np.int32)
    vector_counts = (i * 7) % 4
    for s in SUFFIXES:
        dtype = DTYPES[s]
        x = tree[f"x_{s}"].array(library="np")
        assert x.dtype == dtype, f"x_{s}"
        np.testing.assert_array_equal(x, expected_fixed(s, entries, 1), err_msg=f"x_{s}")
        a = tree[f"a_{s}"].array(library="np")
        assert a.dtype == dtype and a.shape == (entries, 3), f"a_{s}"
        np.testing.assert_array_equal(a, expected_fixed(s, entries, 3), err_msg=f"a_{s}")
        for name, counts in ((f"A_{s}", counter), (f"v_{s}", vector_counts)):
            array = tree[name].array()
            flat = awkward.to_numpy(awkward.flatten(array, axis=None))
            values, want_counts = expected_jagged(s, counts.astype(np.int64), 1)
            np.testing.assert_array_equal(awkward.to_numpy(awkward.num(array, axis=1)), want_counts, err_msg=name)
            assert flat.dtype == dtype, name
            np.testing.assert_array_equal(flat, values, err_msg=name)
    np.testing.assert_array_equal(tree["n"].array(library="np"), counter)
    m = tree["m_f4"].array(library="np")
    assert m.shape == (entries, 2, 3)
    np.testing.assert_array_equal(m.reshape(entries, 6), expected_fixed("f4", entries, 6))
    p = tree["P_f4"].array()
    values, _ = expected_jagged("f4", counter.astype(np.int64), 2)
    np.testing.assert_array_equal(awkward.to_numpy(awkward.num(p, axis=1)), counter)
    np.testing.assert_array_equal(awkward.to_numpy(awkward.flatten(p, axis=None)), values)


def check_file_layout(path, uproot):
    """The file ends where its header says, and every listed key sits where it says."""
    data = pathlib.Path(path).read_bytes()
    assert data[:4] == b"root"
    version = int.from_bytes(data[4:8], "big")
    f_end = int.from_bytes(data[12:20] if version >= 1000000 else data[12:16], "big")
    assert f_end == len(data)
    with uproot.open(path) as f:
        for key in f.keys(recursive=True):
            k = f.key(key)
            # The key header at fSeekKey is the one the directory lists.
            assert int.from_bytes(data[k.fSeekKey:k.fSeekKey + 4], "big") == k.fNbytes
            assert k.fSeekKey + k.fNbytes <= len(data)


# --- tests -----------------------------------------------------------------------

@pytest.mark.parametrize("codec", CODECS)
def test_pattern_every_codec(uproot, awkward, write_pattern, tmp_path, codec):
    # Small baskets and clusters: many baskets, several per cluster, and a cluster
    # size that is not a multiple of the basket capacity (baskets split mid-cluster).
    path = tmp_path / f"pattern-{codec}.root"
    entries = 3001
    run(write_pattern, path, "--entries", entries, "--codec", codec, "--basket-size", 1500,
        "--cluster-size", 700)
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        tree = f["pattern"]
        check_pattern_tree(tree, awkward, entries)
        assert tree.member("fAutoFlush") == 700
        # Every cluster boundary is a basket boundary, and baskets also end inside clusters.
        starts = set(int(x) for x in tree["x_f8"].member("fBasketEntry")[: tree["x_f8"].num_baskets + 1])
        assert set(range(0, entries, 700)) <= starts
        assert any(s % 700 != 0 for s in starts if s < entries)
        assert tree["x_f8"].num_baskets > 2 * len(range(0, entries, 700))
        if codec != "none":
            # Compressed baskets really are compressed.
            branch = tree["a_f8"]
            assert branch.compressed_bytes < branch.uncompressed_bytes


@pytest.mark.parametrize("entries", [0, 1])
def test_pattern_tiny_trees(uproot, awkward, write_pattern, tmp_path, entries):
    path = tmp_path / f"pattern-{entries}.root"
    run(write_pattern, path, "--entries", entries, "--codec", "zstd")
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        check_pattern_tree(f["pattern"], awkward, entries)


def test_pattern_with_tiny_baskets_and_a_multi_block_tree_record(uproot, awkward, write_pattern, tmp_path):
    # 64-byte baskets: thousands of baskets per branch, and a TTree record of
    # several MB, compressed in several blocks.
    path = tmp_path / "tiny-baskets.root"
    run(write_pattern, path, "--entries", 6000, "--codec", "zstd", "--basket-size", 64)
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        key = f.key("pattern")
        assert key.fObjlen > 512 * 1024 and key.fNbytes - key.fKeylen < key.fObjlen
        assert f["pattern"]["x_f8"].num_baskets == 6000 // 8
        check_pattern_tree(f["pattern"], awkward, 6000)


def test_pattern_in_subdirectory_with_levels(uproot, awkward, write_pattern, tmp_path):
    path = tmp_path / "nested.root"
    run(write_pattern, path, "--entries", 500, "--codec", "zlib", "--level", 9, "--dir", "one/two",
        "--tree", "deep")
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        assert set(f.keys(cycle=False)) == {"one", "one/two", "one/two/deep"}
        assert f.classname_of("one") == "TDirectory"
        check_pattern_tree(f["one/two/deep"], awkward, 500)


def streamer_elements(file, class_name):
    info = file.file.streamer_named(class_name)
    assert info is not None, f"no StreamerInfo for {class_name}"
    rows = []
    for e in info.elements:
        m = e.all_members
        row = {k: v for k, v in m.items() if k not in ("@fUniqueID", "@fBits", "fTitle")}
        row["fMaxIndex"] = [int(x) for x in m["fMaxIndex"]]
        rows.append((type(e).__name__, row))
    return info.member("fCheckSum"), info.member("fClassVersion"), rows


def test_streamer_info_matches_root(uproot, write_pattern, testdata, tmp_path):
    path = tmp_path / "pattern.root"
    run(write_pattern, path, "--entries", 10, "--codec", "zlib")
    ours = uproot.open(path)
    # Written by ROOT 6.14 (vector branches) and ROOT 6.24 (NanoAOD, flat and counter arrays).
    references = {
        "uproot-HZZ-objects.root": ["TObject", "TNamed", "TList", "TSeqCollection", "TCollection", "TString",
                                    "TTree", "TAttLine", "TAttFill", "TAttMarker", "TBranch", "TLeafI",
                                    "TLeaf", "TLeafF", "TLeafO", "ROOT::TIOFeatures", "TBranchElement",
                                    "TLeafElement", "TObjArray", "vector<float>", "vector<bool>",
                                    "vector<int>"],
        "nanoAOD_2015_CMS_Open_Data_ttbar.root": ["TLeafL", "TLeafB"],
    }
    for name, classes in references.items():
        theirs = uproot.open(testdata / name)
        for class_name in classes:
            assert streamer_elements(ours, class_name) == streamer_elements(theirs, class_name), class_name


def test_streamer_info_lists_what_the_tree_uses(uproot, write_pattern, tmp_path):
    path = tmp_path / "pattern.root"
    run(write_pattern, path, "--entries", 10, "--codec", "none")
    streamers = uproot.open(path).file.streamers
    for needed in ["TTree", "TBranch", "TBranchElement", "TLeafElement", "TLeafO", "TLeafB", "TLeafS",
                   "TLeafI", "TLeafL", "TLeafF", "TLeafD", "ROOT::TIOFeatures",
                   # uproot normalizes vector<Long64_t> and vector<ULong64_t> as it reads them
                   "vector<long long>", "vector<unsigned long long>", "vector<unsigned short>", "vector<char>", "vector<double>"]:
        assert needed in streamers, needed


# --- rootbatch make-sample ---------------------------------------------------------

def rank_auc(score, label):
    """ROC AUC from ranks (Mann-Whitney U), ties averaged."""
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts
    ranks = (first + (counts + 1) / 2.0)[inverse]
    positives = label == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return (ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def make_sample(cli, path, *options):
    return run(cli, "make-sample", path, "--quiet", *options)


@pytest.mark.parametrize("codec", CODECS)
def test_make_sample_contract(uproot, awkward, rootbatch_cli, tmp_path, codec):
    path = tmp_path / f"sample-{codec}.root"
    events = 5000
    make_sample(rootbatch_cli, path, "--events", events, "--codec", codec, "--seed", 7, "--cluster-size", 1000)
    check_file_layout(path, uproot)
    with uproot.open(path) as f:
        tree = f["events"]
        assert tree.num_entries == events
        np.testing.assert_array_equal(tree["event_id"].array(library="np"), np.arange(events, dtype=np.int64))
        assert tree["event_id"].array(library="np").dtype == np.int64
        label = tree["label"].array(library="np")
        assert label.dtype == np.int32 and set(np.unique(label)) == {0, 1}
        assert tree["weight"].array(library="np").dtype == np.float32
        features = [name for name in tree.keys()
                    if name not in ("event_id", "label", "weight", "nJet") and not name.startswith(("Jet_", "Muon_"))]
        assert len(features) == 28
        assert all(tree[name].array(library="np").dtype == np.float32 for name in features)
        n_jet = tree["nJet"].array(library="np")
        for name in ("Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btag"):
            assert tree[name].title == f"{name}[nJet]/F"
            np.testing.assert_array_equal(awkward.to_numpy(awkward.num(tree[name].array(), axis=1)), n_jet)
        for name in ("Muon_pt", "Muon_eta", "Muon_phi"):
            assert tree[name].typename == "std::vector<float>"
        n_muon = awkward.num(tree["Muon_pt"].array(), axis=1)
        np.testing.assert_array_equal(awkward.num(tree["Muon_charge"].array(), axis=1), n_muon)
        # Jets are sorted by pT and the flat jet1_pt is the leading one.
        jet_pt = tree["Jet_pt"].array()
        np.testing.assert_array_equal(awkward.to_numpy(jet_pt[:, 0]), tree["jet1_pt"].array(library="np"))
        assert awkward.all(jet_pt[:, :-1] >= jet_pt[:, 1:])
        assert tree.member("fAutoFlush") == 1000


def test_make_sample_options_and_determinism(uproot, rootbatch_cli, tmp_path):
    a, b, c = tmp_path / "a.root", tmp_path / "b.root", tmp_path / "c.root"
    make_sample(rootbatch_cli, a, "--events", 3000, "--codec", "lz4", "--seed", 3, "--features", 31, "--no-jagged",
                "--signal-fraction", 0.25, "--basket-size", 4000, "--cluster-size", 777)
    # Other codec, level, basket and cluster sizes: the same events.
    make_sample(rootbatch_cli, b, "--events", 3000, "--codec", "zlib", "--level", 6, "--seed", 3, "--features", 31,
                "--no-jagged", "--signal-fraction", 0.25)
    make_sample(rootbatch_cli, c, "--events", 3000, "--codec", "none", "--seed", 4, "--features", 31, "--no-jagged")
    with uproot.open(a) as fa, uproot.open(b) as fb, uproot.open(c) as fc:
        ta, tb, tc = fa["events"], fb["events"], fc["events"]
        assert ta.keys() == tb.keys()
        assert len(ta.keys()) == 3 + 31
        assert "feat_30" in ta.keys() and "nJet" not in ta.keys()
        for name in ta.keys():
            np.testing.assert_array_equal(ta[name].array(library="np"), tb[name].array(library="np"), err_msg=name)
        assert not np.array_equal(ta["lepton_pT"].array(library="np"), tc["lepton_pT"].array(library="np"))
        assert abs(ta["label"].array(library="np").mean() - 0.25) < 0.03
        assert ta["lepton_pT"].num_baskets > tb["lepton_pT"].num_baskets


def test_make_sample_rejects_bad_options(rootbatch_cli, tmp_path):
    for bad in (["--codec", "brotli"], ["--events", "-3"], ["--features", "x"], ["--bogus"], ["--cluster-size", "0"]):
        result = subprocess.run([rootbatch_cli, "make-sample", str(tmp_path / "x.root"), *bad],
                                capture_output=True, text=True, check=False)
        assert result.returncode != 0, bad
        assert result.stderr, bad


def test_make_sample_is_separable_but_not_trivially(uproot, rootbatch_cli, tmp_path):
    """No single feature separates the classes; together they do (AUC ~0.8-0.9).

    The combined score is a naive-Bayes log-likelihood ratio from histograms
    fitted on one half and evaluated on the other: a weak learner, so a real
    classifier does at least as well (a gradient-boosted tree reaches ~0.86).
    """
    path = tmp_path / "auc.root"
    make_sample(rootbatch_cli, path, "--events", 60000, "--codec", "none", "--no-jagged")
    with uproot.open(path) as f:
        tree = f["events"]
        label = tree["label"].array(library="np")
        names = [n for n in tree.keys() if n not in ("event_id", "label", "weight")]
        x = np.stack([tree[n].array(library="np").astype(np.float64) for n in names], axis=1)
    single = [max(a, 1 - a) for a in (rank_auc(x[:, j], label) for j in range(x.shape[1]))]
    assert max(single) < 0.7, dict(zip(names, single))
    half = len(label) // 2
    score = np.zeros(len(label) - half)
    for j in range(x.shape[1]):
        edges = np.unique(np.quantile(x[:half, j], np.linspace(0, 1, 41)))
        bins_train = np.clip(np.searchsorted(edges, x[:half, j], side="right") - 1, 0, len(edges) - 2)
        bins_test = np.clip(np.searchsorted(edges, x[half:, j], side="right") - 1, 0, len(edges) - 2)
        sig = np.bincount(bins_train[label[:half] == 1], minlength=len(edges) - 1) + 1.0
        bkg = np.bincount(bins_train[label[:half] == 0], minlength=len(edges) - 1) + 1.0
        score += np.log(sig / sig.sum())[bins_test] - np.log(bkg / bkg.sum())[bins_test]
    combined = rank_auc(score, label[half:])
    assert 0.75 < combined < 0.92, combined
