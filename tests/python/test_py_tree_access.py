"""What a new user meets first (issue 10): names, the mapping protocol of File
and Tree, RNTuple files, split-object leaves. uproot is the reference for what
a user expects."""
import numpy as np
import pytest
import uproot

import rootbatch

NANO = "nanoAOD_2015_CMS_Open_Data_ttbar.root"
FULLSPLIT = "uproot-small-evnt-tree-fullsplit.root"
RNTUPLE = "test_int_float_rntuple_v1-0-0-0.root"


def test_misspelled_column_suggests_the_name_on_a_wide_tree(testdata):
    tree = rootbatch.open(testdata / NANO)["Events"]
    for read in (lambda: tree["MET_pT"], lambda: tree.array("MET_pT"), lambda: tree.arrays(["MET_pt", "MET_pT"])):
        with pytest.raises(KeyError) as info:
            read()
        assert isinstance(info.value, rootbatch.NotFoundError)
        assert "did you mean 'MET_pt'?" in str(info.value) and "(947 columns)" in str(info.value)


def test_misspelled_tree_suggests_the_tree(testdata):
    f = rootbatch.open(testdata / NANO)
    with pytest.raises(rootbatch.NotFoundError, match=r"did you mean 'Events'\? \(1 tree\)"):
        f["events"]


def test_misspelled_loader_names_suggest_and_say_the_role(testdata):
    path = str(testdata / NANO)
    cases = [
        (dict(columns=["MET_pT"]), "MET_pt", "feature 'MET_pT'"),
        (dict(columns=["MET_pt"], target="MET_Phi"), "MET_phi", "target 'MET_Phi'"),
        (dict(columns=["MET_pt"], weights="genweight"), "genWeight", "weight 'genweight'"),
        (dict(columns=["MET_pt"], jagged={"Jet_PT": 4}), "Jet_pt", "jagged column 'Jet_PT'"),
    ]
    for kwargs, suggestion, role in cases:
        with pytest.raises(rootbatch.NotFoundError) as info:
            loader = rootbatch.DataLoader(path, tree="Events", **kwargs)
            next(iter(loader.as_numpy()))
        assert f"did you mean '{suggestion}'?" in str(info.value), kwargs
        assert role in str(info.value), kwargs


def test_tree_is_a_mapping_of_columns(testdata):
    path = testdata / "uproot-HZZ.root"
    tree = rootbatch.open(path)["events"]
    with uproot.open(path) as up:
        utree = up["events"]
        # len() counts columns as uproot's len() counts branches, not entries.
        assert len(tree) == len(utree) == 51
        assert list(tree) == tree.keys() == utree.keys()
    assert "NJet" in tree and "MET_pT" not in tree and 3 not in tree
    assert [name for name in tree][:2] == ["NJet", "Jet_Px"]
    assert tree.num_entries == 2421


def test_unreadable_column_is_not_in_the_tree(testdata):
    tree = rootbatch.open(testdata / "uproot-HZZ-objects.root")["events"]
    unreadable = [name for name, _, _ in tree.skipped]
    assert unreadable
    assert unreadable[0] not in tree and unreadable[0] not in list(tree)
    with pytest.raises(rootbatch.UnsupportedError):
        tree[unreadable[0]]


def test_arrays_accepts_one_name_as_a_string(testdata):
    tree = rootbatch.open(testdata / "uproot-HZZ.root")["events"]
    one = tree.arrays("MET_px", entry_stop=10)
    assert list(one) == ["MET_px"]
    np.testing.assert_array_equal(one["MET_px"], tree.array("MET_px", entry_stop=10))


def test_file_is_a_mapping_of_trees(testdata):
    path = testdata / "uproot-nesteddirs.root"
    f = rootbatch.open(path)
    assert list(f) == f.trees() == ["one/two/tree", "one/tree", "three/tree"]
    assert len(f) == 3
    assert "one/tree" in f and "one/tree;1" in f and "one/tree;2" not in f
    assert "one" not in f  # a directory, not a tree: f["one"] would fail
    assert "nope" not in f and None not in f
    for name in f:
        assert f[name].num_entries > 0
    with uproot.open(path) as up:
        assert f.classnames() == dict(up.classnames())


def test_rntuple_opens_like_a_tree(testdata):
    path = testdata / RNTUPLE
    f = rootbatch.open(path)
    assert f.trees() == ["ntuple"] and list(f) == ["ntuple"] and "ntuple" in f
    assert f.rntuples() == ["ntuple"]
    assert f.classnames() == {"ntuple;1": "ROOT::RNTuple"}
    assert "1 RNTuple" in repr(f)
    t = f["ntuple"]
    assert t.num_entries == 10 and t.keys() == ["one_integers", "two_floats"]
    assert t["one_integers"].tolist() == list(range(9, -1, -1))
    # The loader reads it as it reads a TTree: every entry once.
    loader = rootbatch.DataLoader(str(path), tree="ntuple", columns=["one_integers"], batch_size=4, shuffle=False)
    rows = [x[:, 0] for x in loader.as_numpy()]  # features only: each batch is x
    assert sorted(np.concatenate(rows).tolist()) == list(range(10))


def test_ls_names_rntuples(testdata, capsys):
    rootbatch.ls(testdata / RNTUPLE)
    out = capsys.readouterr().out
    assert "ntuple;1  ROOT::RNTuple" in out
    assert "rntuple ntuple: 10 entries, 2 columns" in out
    assert "one_integers  std::int32_t  (int32, scalar)" in out


def test_physlite_lists_trees_and_rntuples(testdata):
    f = rootbatch.open(testdata / "uproot-physlite-rntuple_v1-0-0-0.root")
    assert sorted(f.rntuples()) == ["DataHeader", "DataHeaderForm", "EventData", "EventTag"]
    assert "EventData" in f.trees() and "MetaData" in f.trees()
    assert f.trees().index("MetaData") < f.trees().index("EventData")  # TTrees first


def test_split_object_leaves_by_unique_short_name(testdata):
    path = testdata / FULLSPLIT
    tree = rootbatch.open(path)["tree"]
    with uproot.open(path) as up:
        utree = up["tree"]
        for short, full in [("I16", "evt/I16"), ("P3.Px", "evt/P3/P3.Px"), ("StlVecF64", "evt/StlVecF64")]:
            # uproot resolves the same short name to the same branch.
            assert utree.keys(filter_name=short) == [full]
            assert short in tree and full in tree
            theirs = utree[short].array(library="ak").to_list()
            for ours in (tree[short], tree.arrays([short])[short], tree.arrays(short)[short]):
                ours = ours.to_list() if isinstance(ours, rootbatch.Jagged) else ours.tolist()
                assert ours == theirs, short


def test_split_object_short_names_in_the_loader(testdata):
    path = str(testdata / FULLSPLIT)
    tree = rootbatch.open(path)["tree"]
    by_short = rootbatch.DataLoader(path, tree="tree", columns=["I16", "F64"], target="I32", shuffle=False)
    by_full = rootbatch.DataLoader(path, tree="tree", columns=["evt/I16", "evt/F64"], target="evt/I32",
                                   shuffle=False)
    (xs, ys), = list(by_short.as_numpy())
    (xf, yf), = list(by_full.as_numpy())
    np.testing.assert_array_equal(xs, xf)
    np.testing.assert_array_equal(ys, yf)
    np.testing.assert_array_equal(xs[:, 0], tree["evt/I16"].astype(np.float32))


@pytest.fixture(scope="module")
def two_split_objects(root_written):
    """Two split objects of one class: their leaves share short names (a/px, b/px)."""
    return str(root_written / "two_objects.root")


def test_ambiguous_short_name_lists_the_candidates(two_split_objects):
    tree = rootbatch.open(two_split_objects)["t"]
    assert tree.keys() == ["a/px", "a/py", "b/px", "b/py"]
    with pytest.raises(rootbatch.InvalidArgumentError) as info:
        tree["px"]
    assert "ambiguous" in str(info.value) and "'a/px', 'b/px'" in str(info.value)
    assert "px" not in tree
    assert tree["b/px"].tolist() == [0, -1, -2, -3, -4]
    with pytest.raises(rootbatch.InvalidArgumentError, match="ambiguous"):
        next(iter(rootbatch.DataLoader(two_split_objects, tree="t", columns=["px"]).as_numpy()))
