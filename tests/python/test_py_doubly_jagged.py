"""std::vector<std::vector<number>> columns: read as a nested Jagged, equal to
uproot's and to ROOT's own values, on files ROOT writes in the test (empty outer
and inner vectors, 10 clusters) and on the shared files."""
import json

import awkward as ak
import numpy as np
import pytest
import uproot

import rootbatch

COLUMNS = {"vvf": "float32", "vvi": "int32", "vvd": "float64", "vvb": "bool", "vvs": "int16"}


@pytest.fixture(scope="module")
def vv(root_written):
    path = root_written / "vv.root"
    with open(root_written / "vv_root.json") as f:
        root_values = json.load(f)
    return path, root_values


def test_values_equal_root_and_uproot(vv):
    path, root_values = vv
    tree = rootbatch.open(path)["t"]
    assert tree.skipped == []
    with uproot.open(path) as up:
        utree = up["t"]
        assert utree["vvf"].num_baskets == 10
        for name, dtype in COLUMNS.items():
            info = tree.column(name)
            assert (info.kind, info.dtype) == ("doubly_jagged", dtype), name
            ours = tree[name]
            assert isinstance(ours, rootbatch.Jagged) and isinstance(ours.values, rootbatch.Jagged)
            assert ours.depth == 2 and len(ours) == 1000
            assert ours.values.values.dtype == np.dtype(dtype)
            theirs = utree[name].array()
            assert ours.to_list() == root_values[name] == theirs.tolist(), name
            # Empty outer and empty inner vectors are both there.
            assert (ours.counts == 0).any() and (ours.values.counts == 0).any(), name


def test_to_awkward_has_the_type_uproot_gives(vv):
    path, _ = vv
    tree = rootbatch.open(path)["t"]
    with uproot.open(path) as up:
        for name in COLUMNS:
            ours = tree[name].to_awkward()
            theirs = up["t"][name].array()
            assert str(ours.type) == str(theirs.type), name
            assert ak.array_equal(ours, theirs), name


def test_entry_ranges_across_clusters(vv):
    path, root_values = vv
    tree = rootbatch.open(path)["t"]
    for start, stop in [(0, 1), (95, 205), (3, 3), (990, None), (-7, None)]:
        got = tree.arrays(["vvf", "vvi"], entry_start=start, entry_stop=stop)
        for name in ("vvf", "vvi"):
            assert got[name].to_list() == root_values[name][start:stop], (name, start, stop)


def test_jagged_indexing_and_slicing(vv):
    path, root_values = vv
    column = rootbatch.open(path)["t"]["vvi"]
    for i in (0, 1, 2, 3, 999):
        entry = column[i]
        assert isinstance(entry, rootbatch.Jagged)
        assert entry.to_list() == root_values["vvi"][i]
    part = column[10:20]
    assert part.to_list() == root_values["vvi"][10:20]
    assert part.offsets[0] == 0 and len(part) == 10


def test_shared_files_with_vectors_of_vectors(testdata):
    for file, tree_name, branch in [("uproot-vectorVectorDouble.root", "t", "x"),
                                    ("uproot-stl_containers.root", "tree", "vector_vector_int32")]:
        path = testdata / file
        tree = rootbatch.open(path)[tree_name]
        assert branch in tree
        with uproot.open(path) as up:
            theirs = up[tree_name][branch].array()
        ours = tree[branch]
        assert ours.to_list() == theirs.tolist(), file
        assert str(ours.to_awkward().type) == str(theirs.type), file


def test_vectors_of_strings_stay_unsupported(testdata):
    tree = rootbatch.open(testdata / "uproot-stl_containers.root")["tree"]
    assert "vector_vector_string" not in tree
    with pytest.raises(rootbatch.UnsupportedError, match="vector<vector<string> >"):
        tree["vector_vector_string"]


def test_loader_refuses_doubly_jagged_where_it_cannot_go(vv):
    path, _ = vv
    for kwargs, words in ((dict(columns=["vvf"]), "pad or flatten with max_length and max_inner_length"),
                          (dict(columns=["x"], jagged={"vvf": 4}), "set max_inner_length"),
                          (dict(columns=["x"], jagged={"vvf": {"mode": "ragged"}}), "mode ragged takes one level"),
                          (dict(columns=["x"], target="vvi"), "pad or flatten")):
        with pytest.raises(ValueError) as info:
            next(iter(rootbatch.DataLoader(str(path), tree="t", **kwargs).as_numpy()))
        message = str(info.value)
        assert "'vv" in message and "is doubly jagged (std::vector<std::vector<" in message, kwargs
        assert words in message, kwargs


def _padded(lists, outer, inner, pad):
    """[entries, outer, inner] from uproot's lists of lists, as the loader pads."""
    out = np.full((len(lists), outer, inner), pad, dtype=np.float64)
    mask = np.zeros((len(lists), outer, inner), dtype=bool)
    for e, entry in enumerate(lists):
        for i, items in enumerate(entry[:outer]):
            kept = list(items[:inner])
            out[e, i, :len(kept)] = kept
            mask[e, i, :len(kept)] = True
    return out, mask


@pytest.mark.parametrize("column", ["vvf", "vvi", "vvd"])
def test_loader_pads_and_flattens_doubly_jagged_like_uproot_and_root(vv, column):
    path, root_values = vv
    truth = uproot.open(path)["t"][column].array(library="ak").tolist()
    assert truth == [[list(items) for items in entry] for entry in root_values[column]]  # ROOT agrees
    padded, mask = _padded(truth, 3, 2, -9.0)
    loader = rootbatch.DataLoader(str(path), tree="t", columns=["x"], shuffle=False, batch_size=128,
                                  jagged={column: {"mode": "pad", "max_length": 3, "max_inner_length": 2,
                                                   "pad_value": -9.0, "mask": True, "type": "float64"}})
    rows = 0
    for batch in loader:
        x = batch.numpy()
        entries = np.asarray(batch.entries)
        assert x[column].shape == (len(entries), 3, 2)
        assert np.array_equal(x[column], padded[entries])
        assert np.array_equal(x[column + "_mask"], mask[entries])
        rows += len(entries)
    assert rows == len(truth)
    flat = rootbatch.DataLoader(str(path), tree="t", columns=["x", column], max_vec_sizes={column: (3, 2)},
                                vec_padding=-9.0, shuffle=False, batch_size=128, feature_type="float64")
    assert flat.feature_names == ["x"] + [f"{column}_{i}_{j}" for i in range(3) for j in range(2)]
    for batch in flat:
        x = np.asarray(batch.features)
        entries = np.asarray(batch.entries)
        assert np.array_equal(x[:, 1:], padded[entries].reshape(len(entries), 6))
