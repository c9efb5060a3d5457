"""RNTuple reading checked against ROOT itself and against uproot.

For every RNTuple of every shared test file (names with "rntuple"), every leaf
column rootbatch reads is compared with ROOT 6.40's RDataFrame (AsNumpy, run in a
separate process by rntuple_rdf_reader.py): integers and strings exactly, floats
bit for bit (Real16, Real32Trunc and Real32Quant included), item counts of every
list level. RDataFrame's column names and rootbatch's must be the same set, apart
from the fields rootbatch lists as skipped (each with its reason, checked below).
uproot 5 is the second reader, wherever it reads the field.
"""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import rootbatch

HERE = pathlib.Path(__file__).resolve().parent

# (file, RNTuple); test_int_multicluster (100 M entries) is checked in C++
# (rntuple_test) against its documented values; the PHYSLITE EventData (700
# fields of ATLAS classes) only opens (golden structure test).
NTUPLES = [
    ("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events"),
    ("ntpl001_staff_rntuple_v1-0-0-0.root", "Staff"),
    ("ntpl001_staff_rntuple_v1-0-1-0.root", "Staff"),
    ("rntviewer-testfile-multiple-rntuples-v1-0-0-0.root", "A"),
    ("rntviewer-testfile-multiple-rntuples-v1-0-0-0.root", "B"),
    ("rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root", "Contributors"),
    ("test_1jag_int_float_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_atomic_bitset_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_bit_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_class_inheritance_rntuple_v1-0-0-1.root", "rntpl"),
    ("test_emptystruct_invalidvar_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_extension_columns_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_float_types_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_index_multicluster_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_int_float_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_int_vfloat_tlv_vtlv_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_multiple_representations_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_nested_structs_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_split_3e4_rntuple_v1-0-0-0.root", "ntuple"),
    ("test_splitint_rntuple_v1-0-1-0.root", "ntuple"),
    ("test_stl_containers_rntuple_v1-0-0-0.root", "ntuple"),
    ("uproot-physlite-rntuple_v1-0-0-0.root", "DataHeader"),
    ("uproot-physlite-rntuple_v1-0-0-0.root", "DataHeaderForm"),
    ("uproot-physlite-rntuple_v1-0-0-0.root", "EventTag"),
]

# Fields rootbatch lists as skipped, by file: the reason must contain the text.
SKIPPED = {
    "test_emptystruct_invalidvar_rntuple_v1-0-0-0.root": {
        "empty_struct": "empty record",
        "variant": "std::variant",
    },
    "test_stl_containers_rntuple_v1-0-0-0.root": {
        "vector_string": "no lists of strings",
        "vector_vector_string": "no lists of strings",
        "vector_tuple_int32_string._1": "no lists of strings",
        "variant_int32_string": "std::variant",
        "vector_variant_int64_string": "std::variant",
    },
    "uproot-physlite-rntuple_v1-0-0-0.root": {
        "DataHeaderForm.m_objAlias": "no lists of strings",
        "DataHeaderForm.m_objRecords.cont": "no lists of strings",
        "DataHeaderForm.m_objRecords.key": "no lists of strings",
    },
}


@pytest.fixture(scope="module")
def rdf(testdata, tmp_path_factory):
    """RDataFrame's values of every column of every RNTuple in NTUPLES."""
    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    out = tmp_path_factory.mktemp("rdf")
    specs = [f"{testdata / f}:{n}" for f, n in NTUPLES]
    proc = subprocess.run([sys.executable, str(HERE / "rntuple_rdf_reader.py"), str(out), *specs],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"RDataFrame failed:\n{proc.stdout}\n{proc.stderr}"
    errors = json.loads((out / "errors.json").read_text())
    data = {}
    for f, n in NTUPLES:
        npz = out / f"{f[:-len('.root')]}.{n}.npz"
        data[(f, n)] = dict(np.load(npz)) if npz.exists() else None
    return data, errors


def bits(a):
    """The bit patterns of floats (exact comparison, NaN and -0.0 included)."""
    a = np.asarray(a)
    if a.dtype == np.float32:
        return a.view(np.uint32)
    if a.dtype == np.float64:
        return a.view(np.uint64)
    return a


def flatten(array):
    """rootbatch's array as (flat values, [counts per list level])."""
    counts = []
    while isinstance(array, rootbatch.Jagged):
        counts.append(np.diff(array.offsets))
        array = array.values
    return np.asarray(array), counts


def rdf_columns(saved):
    return {k.split("|")[0] for k in saved}


@pytest.mark.parametrize("file,ntuple", NTUPLES, ids=[f"{f[:-5]}:{n}" for f, n in NTUPLES])
def test_values_equal_rdataframe(testdata, rdf, file, ntuple):
    data, errors = rdf
    saved = data[(file, ntuple)]
    tree = rootbatch.open(testdata / file)[ntuple]
    skipped = {name: reason for name, _, reason in tree.skipped}
    expected_skips = {n: t for n, t in SKIPPED.get(file, {}).items() if ntuple != "Staff"}
    if file.startswith("uproot-physlite"):
        expected_skips = {n: t for n, t in expected_skips.items() if n.split(".")[0] == ntuple}
    assert set(skipped) == set(expected_skips), skipped
    for name, text in expected_skips.items():
        assert text in skipped[name], (name, skipped[name])
    if saved is None:
        # RDataFrame cannot open it at all (std::atomic / std::bitset): recorded.
        assert f"{file[:-5]}:{ntuple}" in errors
        return
    ours = set(tree.keys())
    theirs = rdf_columns(saved)
    prefix = f"{file[:-5]}:{ntuple}:"
    unread = {k[len(prefix):] for k in errors if k.startswith(prefix)}  # listed, values not readable
    # Columns RDataFrame reads that rootbatch does not are exactly the skipped ones.
    assert theirs - ours <= set(skipped), f"RDataFrame reads, rootbatch does not: {theirs - ours - set(skipped)}"
    assert ours - theirs - unread == set(), f"rootbatch reads, RDataFrame lists no such column: {ours - theirs}"
    # What RDataFrame lists but cannot read, rootbatch reads as uproot does.
    for name in sorted(ours & unread):
        uproot = pytest.importorskip("uproot")
        expected = uproot_values(uproot.open(testdata / file)[ntuple], name)
        assert ours_as_list(tree.array(name)) == expected, name
    for name in sorted(ours - unread):
        array = tree.array(name)
        info = tree.column(name)
        values, counts = flatten(array)
        if info.kind == "fixed":
            counts = [np.full(tree.num_entries, int(np.prod(info.inner_shape)), dtype=np.int64)]
            values = values.reshape(-1)
        expected = saved[f"{name}|values"]
        for level, c in enumerate(counts):
            np.testing.assert_array_equal(c, saved[f"{name}|counts{level}"], err_msg=f"{name}: counts at level {level}")
        if info.kind == "string":
            assert list(values) == list(expected), name
            continue
        assert len(values) == len(expected), name
        if values.dtype == np.bool_:
            np.testing.assert_array_equal(values, expected.astype(np.bool_), err_msg=name)
        else:
            np.testing.assert_array_equal(bits(values), bits(expected.astype(values.dtype)), err_msg=name)
            # The conversion to rootbatch's dtype lost nothing.
            np.testing.assert_array_equal(values.astype(expected.dtype), expected, err_msg=name)


def uproot_values(tree, name, cache=None):
    import awkward as ak

    # uproot's awkward arrays name things differently: base classes (":_0")
    # are flattened into the derived record, tuple members are fields "0", "1".
    top, *rest = name.split(".")
    if cache is not None and top in cache:
        array = cache[top]
    else:
        array = tree[top].array(library="ak")
        if cache is not None:
            cache[top] = array
    for part in rest:
        if part.startswith(":_"):
            continue
        if part.startswith("_") and part[1:].isdigit() and part not in ak.fields(array):
            part = part[1:]
        array = array[part]
    return ak.to_list(array)


def ours_as_list(array):
    if isinstance(array, rootbatch.Jagged):
        return array.to_list()
    return array.tolist()


@pytest.mark.parametrize("file,ntuple", NTUPLES, ids=[f"{f[:-5]}:{n}" for f, n in NTUPLES])
def test_values_equal_uproot_where_it_reads(testdata, file, ntuple):
    uproot = pytest.importorskip("uproot")
    tree = rootbatch.open(testdata / file)[ntuple]
    theirs = uproot.open(testdata / file)[ntuple]
    compared = 0
    cache = {}
    for name in tree.keys():
        try:
            expected = uproot_values(theirs, name, cache)
        except Exception:  # noqa: BLE001 - uproot does not read every field; RDataFrame covers those
            continue
        got = ours_as_list(tree.array(name))
        assert got == expected, name
        compared += 1
    if tree.keys() and "physlite" not in file and "inheritance" not in file:
        assert compared > 0, "uproot read none of the columns"


def test_neither_reader_list(testdata, rdf):
    """Fields rootbatch skips and RDataFrame does not read either, and RNTuples
    RDataFrame cannot open, with their errors (written for the report)."""
    _, errors = rdf
    neither = {}
    for file, ntuple in NTUPLES:
        tree = rootbatch.open(testdata / file)[ntuple]
        for name, type_name, reason in tree.skipped:
            key = f"{file[:-5]}:{ntuple}:{name}"
            if key in errors or f"{file[:-5]}:{ntuple}" in errors:
                neither[key] = {"type": type_name, "rootbatch": reason, "RDataFrame": errors.get(key, "")}
    # std::variant: rootbatch skips it, RDataFrame lists it but is not asked
    # for values here (not a leaf column); empty structs have no values.
    assert all("variant" in v["type"] or "Struct" in v["type"] for v in neither.values()), neither
    assert f"test_atomic_bitset_rntuple_v1-0-0-0:ntuple" in errors


def test_atomic_and_bitset_read_where_rdataframe_cannot(testdata):
    # RDataFrame 6.40 fails to open this RNTuple; uproot reads it.
    import uproot

    tree = rootbatch.open(testdata / "test_atomic_bitset_rntuple_v1-0-0-0.root")["ntuple"]
    assert tree.column("bitset").kind == "fixed" and tree.column("bitset").inner_shape == (42,)
    theirs = uproot.open(testdata / "test_atomic_bitset_rntuple_v1-0-0-0.root")["ntuple"]
    assert tree.array("atomic_int").tolist() == theirs["atomic_int"].array(library="np").tolist()


def test_file_and_tree_faces_are_the_ttree_ones(testdata):
    f = rootbatch.open(testdata / "rntviewer-testfile-multiple-rntuples-v1-0-0-0.root")
    assert f.trees() == ["A", "B"] and f.rntuples() == ["A", "B"]
    assert "A" in f and list(f) == ["A", "B"] and len(f) == 2
    a = f["A"]
    assert a.num_entries == 100 and a.keys() == ["f"] and a.typenames() == {"f": "float"}
    assert a.cluster_boundaries() == [0, 100]
    assert isinstance(a.arrays()["f"], np.ndarray)
    with pytest.raises(rootbatch.NotFoundError, match="did you mean 'f'"):
        a["F"]
    t = rootbatch.open(testdata / "test_stl_containers_rntuple_v1-0-0-0.root")["ntuple"]
    with pytest.raises(rootbatch.UnsupportedError, match="std::variant"):
        t["variant_int32_string"]


def test_hostile_copies_raise_named_errors(testdata, tmp_path):
    src = (testdata / "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root").read_bytes()
    import uproot

    seek_footer = uproot.open(testdata / "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root")[
        "Contributors"].member("fSeekFooter")
    broken = bytearray(src)
    broken[seek_footer + 20] ^= 0x01
    path = tmp_path / "flipped.root"
    path.write_bytes(bytes(broken))
    with pytest.raises(rootbatch.CorruptFileError, match="checksum mismatch in the RNTuple footer envelope") as e:
        rootbatch.open(path)["Contributors"]
    assert e.value.offset == seek_footer
    cut = tmp_path / "cut.root"
    cut.write_bytes(src[: seek_footer + 10])
    with pytest.raises((rootbatch.CorruptFileError, OSError)):
        rootbatch.open(cut)["Contributors"]


def test_cli_dump_lists_rntuples_as_trees(rootbatch_cli, testdata):
    """`rootbatch dump --json`: each RNTuple in "trees" with classname ROOT::RNTuple,
    each readable leaf column a "branches" entry with a TTree branch's keys."""
    file = "test_int_vfloat_tlv_vtlv_rntuple_v1-0-0-0.root"
    proc = subprocess.run([rootbatch_cli, "dump", file, "--json"], cwd=testdata, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)["trees"]
    assert entry["classname"] == "ROOT::RNTuple" and entry["entries"] == 5 and entry["path"] == "ntuple"
    tree = rootbatch.open(testdata / file)["ntuple"]
    assert [b["name"] for b in entry["branches"]] == tree.keys()
    for branch in entry["branches"]:
        array = tree.array(branch["name"])
        values, counts = flatten(array)
        assert branch["kind"] in ("flat", "fixed", "jagged", "string")
        assert branch["n"] == tree.num_entries and branch["typename"] and branch["dtype"]
        assert branch["sum"] == pytest.approx(float(values.astype(np.float64).sum()))
        if branch["kind"] == "jagged":
            assert branch["counts_sum"] == int(counts[0].sum())
        if np.issubdtype(values.dtype, np.integer):
            assert branch["isum"] == int(values.sum())
        first = array[:5].to_list() if isinstance(array, rootbatch.Jagged) else array[:5].tolist()
        assert branch["first"] == first


# --- the loader over RNTuple, and TTree and RNTuple mixed --------------------

@pytest.fixture(scope="module")
def twin_files(tmp_path_factory):
    """Events written by ROOT (rntuple_root_writer.py): a TTree with event_id
    0..2999, an RNTuple with 3000..5999, and an RNTuple of the TTree's events."""
    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    out = tmp_path_factory.mktemp("twins")
    ttree, rntuple = out / "events_ttree.root", out / "events_rntuple.root"
    proc = subprocess.run([sys.executable, str(HERE / "rntuple_root_writer.py"), str(ttree), str(out / "x.root"),
                           "3000", "0"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, str(HERE / "rntuple_root_writer.py"), str(out / "y.root"), str(rntuple),
                           "3000", "3000"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return ttree, rntuple, out / "x.root"


def loader_ids(loader):
    ids = []
    for batch in loader.batches():
        ids.append(batch.features.numpy()[:, 0].astype(np.int64).copy())
    return np.concatenate(ids) if ids else np.array([], dtype=np.int64)


def make(paths, **kw):
    return rootbatch.DataLoader([str(p) for p in paths], tree="events", columns=["event_id", "x"],
                                feature_type="float64", batch_size=128, **kw)


def test_ttree_and_rntuple_of_the_same_events_read_the_same(twin_files):
    ttree, _, rntuple_same = twin_files
    a = rootbatch.open(ttree)["events"].arrays()
    b = rootbatch.open(rntuple_same)["events"].arrays()
    for name in ("event_id", "x", "n"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert a["v"].to_list() == b["v"].to_list()


def test_loader_over_rntuple_exactly_once_across_ranks_and_workers(twin_files):
    _, rntuple, _ = twin_files
    seen = []
    for rank in range(2):
        for worker in range(3):
            seen.append(loader_ids(make([rntuple], seed=5).shard(rank=rank, world_size=2, worker_id=worker,
                                                                   num_workers=3)))
    ids = np.sort(np.concatenate(seen))
    np.testing.assert_array_equal(ids, np.arange(3000, 6000))
    # Deterministic: the same seed gives the same order, another seed another.
    first = loader_ids(make([rntuple], seed=5))
    np.testing.assert_array_equal(first, loader_ids(make([rntuple], seed=5)))
    assert not np.array_equal(first, loader_ids(make([rntuple], seed=6)))


def test_loader_resumes_over_rntuple(twin_files):
    _, rntuple, _ = twin_files
    loader = make([rntuple], seed=3)
    batches = loader.batches()
    head = [next(batches).features.numpy().copy() for _ in range(7)]
    state = loader.state_dict()
    rest = [b.features.numpy().copy() for b in batches]
    resumed = make([rntuple], seed=3)
    resumed.load_state_dict(state)
    again = [b.features.numpy().copy() for b in resumed]
    assert len(again) == len(rest) and all(np.array_equal(x, y) for x, y in zip(again, rest))
    assert len(head) == 7


def test_dataset_mixing_a_ttree_and_an_rntuple(twin_files):
    ttree, rntuple, _ = twin_files
    ids = np.sort(loader_ids(make([ttree, rntuple], seed=1)))
    np.testing.assert_array_equal(ids, np.arange(6000))
    # x == event_id * 0.5 in both formats, row by row.
    for batch in make([rntuple, ttree], seed=2, shuffle=False).batches():
        f = batch.features.numpy()
        np.testing.assert_array_equal(f[:, 1], f[:, 0] * 0.5)


def test_physlite_eventdata_equals_uproot(testdata):
    """ATLAS PHYSLITE EventData (700 top-level fields, ATLAS classes RDataFrame
    has no dictionaries for): every column rootbatch reads equals uproot's."""
    uproot = pytest.importorskip("uproot")
    path = testdata / "uproot-physlite-rntuple_v1-0-0-0.root"
    tree = rootbatch.open(path)["EventData"]
    theirs = uproot.open(path)["EventData"]
    assert len(tree.keys()) > 800
    reasons = {reason for _, _, reason in tree.skipped}
    assert all(("empty record" in r) or ("no lists of strings" in r) or ("more than two deep" in r) for r in reasons)
    cache = {}
    for name in tree.keys():
        assert ours_as_list(tree.array(name)) == uproot_values(theirs, name, cache), name
