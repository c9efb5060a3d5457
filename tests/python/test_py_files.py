"""rootbatch.open / Tree.arrays against uproot 5 reading the same files."""
import errno

import awkward as ak
import numpy as np
import pytest
import uproot

import rootbatch

# TTree files covering every codec, scalar/fixed/jagged/bool/string columns,
# leaf lists, Double32/Float16, nested directories and several ROOT versions.
FILES = [
    "uproot-HZZ.root",
    "uproot-HZZ-lz4.root",
    "uproot-HZZ-lzma.root",
    "uproot-HZZ-zstd.root",
    "uproot-HZZ-uncompressed.root",
    "uproot-Zmumu.root",
    "nanoAOD_2015_CMS_Open_Data_ttbar.root",
    "uproot-sample-6.20.04-zlib.root",
    "uproot-sample-5.23.02-uncompressed.root",
    "uproot-double32-float16.root",
    "uproot-leaflist.root",
    "uproot-nesteddirs.root",
    "string-example.root",
]


def uproot_trees(path):
    with uproot.open(path) as f:
        return sorted({k.split(";")[0] for k, cls in f.classnames().items() if cls in rootbatch.TREE_CLASSES})


def assert_same(name, ours, theirs):
    if isinstance(ours, rootbatch.Jagged):
        theirs = ak.Array(theirs)
        np.testing.assert_array_equal(ours.counts, ak.to_numpy(ak.num(theirs, axis=1)), err_msg=name)
        flat = ak.to_numpy(ak.flatten(theirs, axis=1))
        assert ours.values.shape[1:] == flat.shape[1:], name
        np.testing.assert_array_equal(ours.values, flat.astype(ours.values.dtype), err_msg=name)
    elif ours.dtype == object:
        assert list(ours) == [str(s) for s in ak.to_list(theirs)], name
    else:
        theirs = np.asarray(theirs)
        assert ours.shape == theirs.shape, name
        np.testing.assert_array_equal(ours, theirs.astype(ours.dtype), err_msg=name)


@pytest.mark.parametrize("name", FILES)
def test_columns_match_uproot(testdata, name):
    path = testdata / name
    f = rootbatch.open(path)
    assert sorted(f.trees()) == uproot_trees(path)
    compared = 0
    with uproot.open(path) as up:
        for tree_path in f.trees():
            tree = f[tree_path]
            utree = up[tree_path]
            assert tree.num_entries == utree.num_entries
            ubranches = {b.name: b for b in utree.itervalues(recursive=True)}
            ubranches.update({k: utree[k] for k in utree.keys(recursive=True, full_paths=True)})
            for column in tree.columns:
                if column.name in ubranches:
                    theirs = ubranches[column.name].array(library="ak")
                else:  # a leaf-list member "branch.leaf": uproot reads the branch as records
                    branch, _, leaf = column.name.rpartition(".")
                    theirs = ubranches[branch].array(library="ak")[leaf]
                assert_same(column.name, tree.array(column.name), theirs)
                compared += 1
    assert compared >= 1


def test_entry_ranges_match_uproot(testdata):
    path = testdata / "uproot-HZZ-zstd.root"
    tree = rootbatch.open(path)["events"]
    with uproot.open(path) as up:
        for start, stop in [(0, 1), (100, 1333), (2000, 2421), (-21, None)]:
            ours = tree.arrays(["MET_px", "Muon_Px"], entry_start=start, entry_stop=stop)
            theirs = up["events"].arrays(["MET_px", "Muon_Px"], entry_start=start, entry_stop=stop)
            assert_same("MET_px", ours["MET_px"], theirs["MET_px"])
            assert_same("Muon_Px", ours["Muon_Px"], theirs["Muon_Px"])


def test_listing(testdata):
    f = rootbatch.open(testdata / "uproot-HZZ.root")
    keys = f.keys()
    assert [(k.path, k.class_name) for k in keys] == [("events", "TTree")]
    tree = f["events"]
    assert tree.typenames()["MET_px"] == "float"
    info = tree.column("Jet_Px")
    assert (info.kind, info.dtype, info.numpy_dtype) == ("jagged", "float32", np.dtype("float32"))
    assert "events" in f and "nope" not in f
    assert tree.cluster_boundaries()[0] == 0 and tree.cluster_boundaries()[-1] == tree.num_entries


def test_ls_prints_columns(testdata, capsys):
    rootbatch.ls(testdata / "uproot-HZZ.root")
    out = capsys.readouterr().out
    assert "tree events: 2421 entries" in out and "MET_px" in out and "float[]" in out


def test_column_array_owns_its_buffer(testdata):
    tree = rootbatch.open(testdata / "uproot-HZZ.root")["events"]
    values = tree.array("MET_px")
    expected = values.copy()
    del tree  # the array keeps the decoded column alive, not the tree
    import gc

    gc.collect()
    assert values.base is not None and not values.flags.owndata
    np.testing.assert_array_equal(values, expected)


def test_errors_are_mapped(testdata, tmp_path):
    with pytest.raises(rootbatch.FileNotFoundError) as missing:
        rootbatch.open(tmp_path / "absent.root")
    assert isinstance(missing.value, FileNotFoundError) and isinstance(missing.value, OSError)
    assert missing.value.errno == errno.ENOENT and missing.value.filename == str(tmp_path / "absent.root")
    assert missing.value.path == str(tmp_path / "absent.root") and missing.value.object is None

    f = rootbatch.open(testdata / "uproot-HZZ.root")
    with pytest.raises(KeyError) as no_tree:
        f["nope"]
    assert isinstance(no_tree.value, rootbatch.NotFoundError) and "events" in str(no_tree.value)
    assert not isinstance(no_tree.value, FileNotFoundError)
    with pytest.raises(rootbatch.NotFoundError, match="no column 'nope'"):
        f["events"].array("nope")

    not_root = tmp_path / "text.root"
    not_root.write_bytes(b"this is not a ROOT file" * 10)
    with pytest.raises(OSError) as corrupt:
        rootbatch.open(not_root)
    assert isinstance(corrupt.value, rootbatch.CorruptFileError) and corrupt.value.code == "corrupt"
    assert "not a ROOT file" in corrupt.value.message
    assert corrupt.value.path == str(not_root) and corrupt.value.filename == str(not_root)
    assert corrupt.value.errno == errno.EIO


def test_errors_carry_structured_fields_from_cpp(testdata, tmp_path):
    # A file cut short: the read of a basket passes its end. The C++ side sets
    # the path and the byte offset where the read failed, and the branch.
    whole = (testdata / "uproot-HZZ.root").read_bytes()
    tree = rootbatch.open(testdata / "uproot-HZZ.root")["events"]
    cut = tmp_path / "cut.root"
    cut.write_bytes(whole)
    tree_cut = rootbatch.open(cut)["events"]
    with open(cut, "r+b") as f:
        f.truncate(len(whole) // 2)
    errors = []
    for name in tree.keys():
        try:
            tree_cut.array(name)
        except rootbatch.RootbatchError as exc:
            errors.append((name, exc))
    assert errors, "half of the file is gone: some column must fail"
    name, exc = errors[0]
    assert isinstance(exc, OSError) and exc.code in ("corrupt", "io_error")
    assert exc.path == str(cut) and exc.filename == str(cut)
    assert isinstance(exc.offset, int) and 0 <= exc.offset
    assert f"at byte {exc.offset}" in str(exc)
    assert exc.object == name


def test_file_not_found_comes_from_the_fields_not_the_text(tmp_path):
    # A not-found error that only says "no such file" in its text is not a
    # missing file; one with errno ENOENT is, whatever its text.
    with pytest.raises(rootbatch.NotFoundError) as text_only:
        rootbatch._core._raise_status("not_found", "no such file: 'x.root'", ["file 'x.root'"])
    assert not isinstance(text_only.value, FileNotFoundError)
    with pytest.raises(rootbatch.FileNotFoundError) as by_fields:
        rootbatch._core._raise_status("not_found", "gone", [], path="a.root", errno=errno.ENOENT)
    assert by_fields.value.errno == errno.ENOENT and by_fields.value.filename == "a.root"
    assert by_fields.value.path == "a.root" and by_fields.value.object is None and by_fields.value.offset is None
    with pytest.raises(rootbatch.CorruptFileError) as corrupt:
        rootbatch._core._raise_status("corrupt", "bad", ["branch 'x'"], path="b.root", object="x", offset=12)
    assert (corrupt.value.path, corrupt.value.object, corrupt.value.offset) == ("b.root", "x", 12)
    assert corrupt.value.filename == "b.root" and corrupt.value.errno == errno.EIO
    assert str(corrupt.value) == "corrupt data: bad (in branch 'x')"


@pytest.mark.parametrize(
    "code, classes",
    [
        ("invalid_argument", (ValueError, rootbatch.InvalidArgumentError)),
        ("not_found", (KeyError, rootbatch.NotFoundError)),
        ("io_error", (OSError, rootbatch.errors.ReadError)),
        ("corrupt", (OSError, rootbatch.CorruptFileError)),
        ("unsupported", (ValueError, NotImplementedError, rootbatch.UnsupportedError)),
        ("cancelled", (RuntimeError, rootbatch.errors.CancelledError)),
        ("internal", (RuntimeError, rootbatch.errors.InternalError)),
    ],
)
def test_status_code_mapping(code, classes):
    with pytest.raises(rootbatch.RootbatchError) as info:
        rootbatch._core._raise_status(code, "what went wrong", ["basket 3", "branch 'x'", "file 'a.root'"])
    exc = info.value
    for cls in classes:
        assert isinstance(exc, cls)
    assert exc.code == code and exc.message == "what went wrong"
    assert exc.context == ["basket 3", "branch 'x'", "file 'a.root'"]
    assert "what went wrong (in basket 3, branch 'x', file 'a.root')" in str(exc)
