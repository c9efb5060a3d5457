"""ROOT itself and uproot 5 read what rootbatch's RNTuple writer writes.

Two writers built from the C++ code:
- `rootbatch make-sample --format rntuple`: the sample's events as an RNTuple,
  checked in every codec, over several clusters and pages, against the TTree
  sample of the same seed (read by uproot) and so against each other;
- rootbatch_write_pattern --format rntuple: the RNTuple test pattern
  (src/rootbatch/write/test_pattern.hpp): every number type and bool as a
  scalar and as std::vector, and a std::string field, with values that this
  file recomputes with numpy, over several cluster groups.
ROOT reads in a separate process (its interpreter stays out of the pytest
process): RNTupleReader.Open (the descriptor: entries, clusters, cluster
groups, column types) and RDataFrame.AsNumpy for the values; it must print no
error or warning. Without ROOT or uproot these tests skip locally and FAIL
when $CI is set.
"""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from test_writer_uproot import CODECS, DTYPES, SUFFIXES, pattern_values, run, write_pattern  # noqa: F401

# Run by ROOT in its own process: per file, the descriptor's counts and every
# requested column as flat values + entry sizes (vectors and strings).
ROOT_READER = r"""
import json, sys
import numpy as np
import ROOT
name, out = sys.argv[1], sys.argv[2]
report = {}
for k, path in enumerate(sys.argv[3:]):
    reader = ROOT.RNTupleReader.Open(name, path)
    reader.PrintInfo(ROOT.ENTupleInfo.kStorageDetails)  # walks every cluster and page record
    desc = reader.GetDescriptor()
    columns, pages = {}, {}
    for c in desc.GetColumnIterable():
        qualified = str(desc.GetQualifiedFieldName(c.GetFieldId()))
        columns.setdefault(qualified, []).append(str(ROOT.ROOT.Internal.RColumnElementBase.GetColumnTypeName(c.GetType())))
        n = 0
        for cluster in desc.GetClusterIterable():
            if cluster.ContainsColumn(c.GetPhysicalId()):
                n += cluster.GetPageRange(c.GetPhysicalId()).GetPageInfos().size()
        pages[qualified] = pages.get(qualified, 0) + n
    fields = [f.GetFieldName() for f in desc.GetTopLevelFields()]
    report[path] = {"entries": int(reader.GetNEntries()), "clusters": int(desc.GetNClusters()),
                    "groups": int(desc.GetNClusterGroups()), "columns": columns, "pages": pages,
                    "fields": [str(f) for f in fields]}
    del reader
    df = ROOT.RDataFrame(name, path)
    # AsNumpy does not know RVec<std::int8_t> / RVec<std::uint8_t>: read those
    # through an exact widening copy and narrow them back here.
    read, narrow = {}, {}
    for f in fields:
        kind = str(df.GetColumnType(f))
        small = {"ROOT::VecOps::RVec<std::int8_t>": ("short", np.int8),
                 "ROOT::VecOps::RVec<std::uint8_t>": ("unsigned short", np.uint8)}.get(kind)
        if small:
            df = df.Define(f"rb_wide_{f}", f"ROOT::RVec<{small[0]}>({f}.begin(), {f}.end())")
            read[f], narrow[f] = f"rb_wide_{f}", small[1]
        else:
            read[f] = f
        if kind == "std::string":
            narrow[f] = "string"
    data = df.AsNumpy(list(read.values()))
    arrays = {}
    for f in fields:
        col = data[read[f]]
        if narrow.get(f) == "string":
            arrays[f] = np.array([str(s) for s in col], dtype=object)
        elif col.dtype != object:
            arrays[f] = col
        else:  # one array per entry
            arrays[f + ".sizes"] = np.array([len(v) for v in col], dtype=np.int64)
            flat = np.concatenate(list(col))
            if f in narrow:
                assert np.array_equal(flat.astype(narrow[f]).astype(flat.dtype), flat)
                flat = flat.astype(narrow[f])
            arrays[f] = flat
    np.savez(f"{out}/{k}.npz", **arrays)
json.dump(report, open(f"{out}/report.json", "w"))
"""


@pytest.fixture(scope="module")
def root_python():
    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    return sys.executable


@pytest.fixture(scope="module")
def uproot():
    try:
        import uproot as module  # noqa: PLC0415
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("uproot is required for the writer checks in CI (pip install uproot)")
        pytest.skip("uproot is not installed")
    return module


def read_with_root(python, name, paths, tmp_path):
    """(report per path, arrays per path) as ROOT reads them."""
    out = tmp_path / "root-read"
    out.mkdir(exist_ok=True)
    proc = subprocess.run([python, "-c", ROOT_READER, name, str(out), *map(str, paths)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"ROOT failed to read {paths}:\n{proc.stdout}\n{proc.stderr}"
    complaints = [line for line in proc.stderr.splitlines() if line.startswith(("Error in <", "Warning in <"))]
    assert not complaints, "ROOT complained:\n" + "\n".join(complaints)
    report = json.loads((out / "report.json").read_text())
    return [report[str(p)] for p in paths], [dict(np.load(out / f"{k}.npz", allow_pickle=True))
                                             for k in range(len(paths))]


def flat_and_sizes(array):
    """An awkward array of one field: (flat numpy values, sizes or None)."""
    import awkward as ak  # noqa: PLC0415
    if array.ndim == 1:
        return ak.to_numpy(array), None
    return ak.to_numpy(ak.flatten(array)), ak.to_numpy(ak.num(array))


def assert_same(got, want, what):
    """Exact equality, dtype included (floats bit for bit)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, expected {want.dtype}"
    if got.dtype.kind == "f":
        got, want = got.view(f"u{got.itemsize}"), want.view(f"u{want.itemsize}")
    np.testing.assert_array_equal(got, want, err_msg=what)


# --- make-sample --format rntuple -------------------------------------------

EVENTS, CLUSTER, PAGE, SEED, FEATURES = 5000, 1200, 4096, 11, 4


def make_sample(cli, path, *extra):
    run(cli, "make-sample", path, "--events", EVENTS, "--seed", SEED, "--features", FEATURES,
        "--cluster-size", CLUSTER, "--quiet", *extra)


@pytest.fixture(scope="module")
def samples(rootbatch_cli, tmp_path_factory):
    """{codec: RNTuple sample path} plus the TTree sample of the same seed under 'ttree'."""
    folder = tmp_path_factory.mktemp("rntuple-samples")
    paths = {}
    for codec in CODECS:
        paths[codec] = folder / f"sample-{codec}.root"
        make_sample(rootbatch_cli, paths[codec], "--format", "rntuple", "--codec", codec, "--page-size", PAGE)
    paths["ttree"] = folder / "sample-ttree.root"
    make_sample(rootbatch_cli, paths["ttree"])
    return paths


def test_uproot_reads_the_rntuple_sample_as_the_ttree_sample_in_every_codec(samples, uproot):
    tree = uproot.open(samples["ttree"])["events"]
    assert type(tree).__name__.startswith("Model_TTree")
    want = tree.arrays()
    assert "Jet_pt" in want.fields and "Muon_charge" in want.fields and "nJet" in want.fields
    for codec in CODECS:
        ntuple = uproot.open(samples[codec])["events"]
        assert "RNTuple" in type(ntuple).__name__, f"{codec}: {type(ntuple).__name__}"
        got = ntuple.arrays()
        assert got.fields == want.fields, codec
        assert len(got) == EVENTS
        for field in want.fields:
            got_flat, got_sizes = flat_and_sizes(got[field])
            want_flat, want_sizes = flat_and_sizes(want[field])
            assert_same(got_flat, want_flat, f"{codec} {field}")
            if want_sizes is not None:
                np.testing.assert_array_equal(got_sizes, want_sizes, err_msg=f"{codec} {field} sizes")
        assert got["Muon_pt"].layout.content.length > 0  # the jagged fields are not all empty


def test_root_reads_the_rntuple_sample_as_uproot_reads_the_ttree_sample(samples, root_python, uproot, tmp_path):
    want = uproot.open(samples["ttree"])["events"].arrays()
    reports, arrays = read_with_root(root_python, "events", [samples[c] for c in CODECS], tmp_path)
    expected_clusters = -(-EVENTS // CLUSTER)
    for codec, report, data in zip(CODECS, reports, arrays):
        assert report["entries"] == EVENTS, codec
        assert report["clusters"] == expected_clusters, codec
        assert report["groups"] == 1, codec
        assert report["fields"] == want.fields, codec
        # ROOT's default encodings: split columns when compressed, plain ones when not.
        split = codec != "none"
        assert report["columns"]["event_id"] == ["SplitInt64" if split else "Int64"], codec
        assert report["columns"]["weight"] == ["SplitReal32" if split else "Real32"], codec
        assert report["columns"]["Jet_pt"] == ["SplitIndex64" if split else "Index64"], codec
        assert report["columns"]["Jet_pt._0"] == ["SplitReal32" if split else "Real32"], codec
        assert report["columns"]["Muon_charge._0"] == ["SplitInt32" if split else "Int32"], codec
        # Pages of 4096 bytes, none across a cluster boundary: event_id (8 bytes) has
        # ceil(9600 / 4096) = 3 pages in each full cluster of 1200 and 1 in the last
        # of 200; weight (4 bytes) 2 and 1; Jet_pt._0 (~3.8 floats an event) more.
        full, last = EVENTS // CLUSTER, EVENTS % CLUSTER
        assert report["pages"]["event_id"] == full * -(-CLUSTER * 8 // PAGE) + -(-last * 8 // PAGE), codec
        assert report["pages"]["weight"] == full * -(-CLUSTER * 4 // PAGE) + -(-last * 4 // PAGE), codec
        assert report["pages"]["Jet_pt._0"] > report["pages"]["event_id"], (codec, report["pages"])
        for field in want.fields:
            want_flat, want_sizes = flat_and_sizes(want[field])
            assert_same(data[field], want_flat, f"ROOT, {codec} {field}")
            if want_sizes is not None:
                np.testing.assert_array_equal(data[field + ".sizes"], want_sizes, err_msg=f"ROOT, {codec} {field}")


def test_make_sample_refuses_the_other_formats_size_option(rootbatch_cli, tmp_path):
    for args in (["--format", "rntuple", "--basket-size", "1000"], ["--page-size", "1000"], ["--format", "rntple"]):
        proc = subprocess.run([rootbatch_cli, "make-sample", str(tmp_path / "x.root"), *args],
                              capture_output=True, text=True)
        assert proc.returncode == 2, args
        assert "--" in proc.stderr and "usage" in proc.stderr, proc.stderr


# --- the RNTuple test pattern ------------------------------------------------

PATTERN_ENTRIES = 1801


def pattern_files(write_pattern, folder):
    paths = []
    for codec in CODECS:
        path = folder / f"pattern-{codec}.root"
        run(write_pattern, path, "--format", "rntuple", "--entries", PATTERN_ENTRIES, "--codec", codec,
            "--cluster-size", 400, "--page-size", 512, "--clusters-per-group", 2)
        paths.append(path)
    return paths


def expected_pattern(entries=PATTERN_ENTRIES):
    """{field: (flat values, sizes or None)} of the RNTuple pattern."""
    i = np.arange(entries, dtype=np.int64)
    out = {}
    for s in SUFFIXES:
        out[f"x_{s}"] = (pattern_values(s, i, np.zeros_like(i)), None)
    for prefix, counts in (("A", i % 5), ("v", (i * 7) % 4)):
        rows = np.repeat(i, counts)
        k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        for s in SUFFIXES:
            out[f"{prefix}_{s}"] = (pattern_values(s, rows, k), counts)
    out["s"] = (np.array([f"s{n}" * (n % 4) for n in range(entries)], dtype=object), None)
    return out


def check_pattern_with_uproot(uproot, path, expected):
    got = uproot.open(path)["pattern"].arrays()
    assert sorted(got.fields) == sorted(expected), path.name
    for field, (values, sizes) in expected.items():
        if field == "s":
            assert got[field].tolist() == list(values), f"{path.name} s"
            continue
        flat, got_sizes = flat_and_sizes(got[field])
        assert_same(flat, values, f"{path.name} {field}")
        if sizes is not None:
            np.testing.assert_array_equal(got_sizes, sizes, err_msg=f"{path.name} {field} sizes")


def check_pattern_with_root(path, data, expected):
    for field, (values, sizes) in expected.items():
        if field == "s":
            assert list(data["s"]) == list(values), f"ROOT, {path.name} s"
            continue
        got = data[field]
        if values.dtype == np.bool_:
            got = got.astype(np.bool_)  # RVec<bool> comes back as numbers
        assert_same(got, values, f"ROOT, {path.name} {field}")
        if sizes is not None:
            np.testing.assert_array_equal(data[field + ".sizes"], sizes, err_msg=f"ROOT, {path.name} {field}")


def test_uproot_reads_the_rntuple_pattern(write_pattern, uproot, tmp_path):
    expected = expected_pattern()
    for path in pattern_files(write_pattern, tmp_path):
        check_pattern_with_uproot(uproot, path, expected)


def test_root_reads_the_rntuple_pattern(write_pattern, root_python, tmp_path):
    expected = expected_pattern()
    paths = pattern_files(write_pattern, tmp_path)
    reports, arrays = read_with_root(root_python, "pattern", paths, tmp_path)
    for path, report, data in zip(paths, reports, arrays):
        assert report["entries"] == PATTERN_ENTRIES
        assert report["clusters"] == 5  # 4 x 400 + 201
        assert report["groups"] == 3    # 2 + 2 + 1 clusters
        assert report["columns"]["s"] == ["SplitIndex64" if "none" not in path.name else "Index64", "Char"]
        assert report["columns"]["x_b"] == ["Bit"]
        assert report["columns"]["v_b._0"] == ["Bit"]
        check_pattern_with_root(path, data, expected)


def test_one_entry_clusters_and_one_element_pages(write_pattern, uproot, root_python, tmp_path):
    # Clusters in which a vector or string column has no element at all (entry 0
    # of every field is empty), pages of one element (8 for bits), 3 clusters a group.
    path = tmp_path / "tiny.root"
    run(write_pattern, path, "--format", "rntuple", "--entries", 23, "--codec", "zstd", "--cluster-size", 1,
        "--page-size", 1, "--clusters-per-group", 3)
    expected = expected_pattern(23)
    check_pattern_with_uproot(uproot, path, expected)
    (report,), (data,) = read_with_root(root_python, "pattern", [path], tmp_path)
    assert (report["entries"], report["clusters"], report["groups"]) == (23, 23, 8)
    assert report["pages"]["x_i8"] == 23 and report["pages"]["x_b"] == 23
    check_pattern_with_root(path, data, expected)


# --- checksums and edge cases --------------------------------------------------

ROOT_CORRUPT_CHECK = r"""
import shutil, sys
import ROOT
good, bad = sys.argv[1], sys.argv[2]
reader = ROOT.RNTupleReader.Open("pattern", good)
desc = reader.GetDescriptor()
column = desc.FindPhysicalColumnId(desc.FindFieldId("x_i4"), 0, 0)
cluster = next(iter(desc.GetClusterIterable()))
page = cluster.GetPageRange(column).GetPageInfos()[0]
assert page.HasChecksum()
offset = page.GetLocator().GetPosition["std::uint64_t"]()
del reader
data = bytearray(open(good, "rb").read())
data[offset + 3] ^= 0x10
open(bad, "wb").write(data)
try:
    ROOT.RDataFrame("pattern", bad).AsNumpy(["x_i4"])
    print("READ WITHOUT ERROR")
except Exception as error:
    print("ERROR:", error)
"""


def test_root_verifies_the_page_checksums(write_pattern, root_python, tmp_path):
    # A flipped bit inside one stored page (uncompressed, so the page still
    # decodes): ROOT must report the checksum the writer put after it.
    good, bad = tmp_path / "good.root", tmp_path / "bad.root"
    run(write_pattern, good, "--format", "rntuple", "--entries", 500, "--codec", "none")
    proc = subprocess.run([root_python, "-c", ROOT_CORRUPT_CHECK, str(good), str(bad)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ERROR:" in proc.stdout and "checksum" in proc.stdout, proc.stdout + proc.stderr


ROOT_EMPTY_CHECK = r"""
import sys
import ROOT
reader = ROOT.RNTupleReader.Open("pattern", sys.argv[1])
desc = reader.GetDescriptor()
print(reader.GetNEntries(), desc.GetNClusters(), desc.GetNFields())
"""


def test_an_rntuple_without_entries(write_pattern, root_python, uproot, tmp_path):
    # ROOT writes no cluster and no cluster group then, and neither does this writer.
    # (RDataFrame itself crashes on ROOT's own empty RNTuples in 6.40, so it is not asked.)
    path = tmp_path / "empty.root"
    run(write_pattern, path, "--format", "rntuple", "--entries", 0)
    ntuple = uproot.open(path)["pattern"]
    assert ntuple.num_entries == 0
    assert "s" in ntuple.arrays().fields and len(ntuple.arrays()) == 0
    proc = subprocess.run([root_python, "-c", ROOT_EMPTY_CHECK, str(path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    entries, clusters, fields = map(int, proc.stdout.split()[-3:])
    assert (entries, clusters) == (0, 0)
    assert fields == 1 + 34 + 22  # the zero field, 34 top-level fields, 22 vector items
