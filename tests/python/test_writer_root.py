"""ROOT itself reads and updates what rootbatch's TTree writer writes.

Optional: ROOT comes from PyPI's `root` package (`scripts/setup --with root`, about
680 MB), so these tests skip when `import ROOT` fails. When it is there they check:
- every branch of the test pattern (test_pattern.hpp) read through TTreeReader in
  compiled C++, for every codec, compared exactly with the formula;
- RDataFrame over a make-sample file (counter arrays as RVec, std::vector<float>
  and std::vector<int>) agrees with uproot;
- ROOT's UPDATE mode can add objects to a written file (free segments, keys lists
  and directory records are right), and the tree still reads back.
The pattern formula and the file helpers come from test_writer_uproot.py.
"""
import os
import warnings

import numpy as np
import pytest

from test_writer_uproot import (CODECS, DTYPES, SUFFIXES, awkward, expected_jagged, make_sample, run,  # noqa: F401
                                uproot, write_pattern)

CTYPES = {"b": "bool", "i1": "char", "u1": "unsigned char", "i2": "short", "u2": "unsigned short", "i4": "int",
          "u4": "unsigned int", "i8": "Long64_t", "u8": "ULong64_t", "f4": "float", "f8": "double"}

READERS = r"""
#include <TFile.h>
#include <TTree.h>
#include <TTreeReader.h>
#include <TTreeReaderArray.h>
#include <TTreeReaderValue.h>
#include <ROOT/RDataFrame.hxx>
template <typename T> using RbOut = std::conditional_t<std::is_same_v<T, bool>, int, T>;
template <typename T> std::vector<RbOut<T>> RbScalar(TTree* t, const char* name, std::vector<int>& lens) {
  TTreeReader r(t); TTreeReaderValue<T> v(r, name); std::vector<RbOut<T>> out;
  while (r.Next()) { out.push_back(*v); lens.push_back(1); }
  return out; }
template <typename T> std::vector<RbOut<T>> RbArray(TTree* t, const char* name, std::vector<int>& lens) {
  TTreeReader r(t); TTreeReaderArray<T> v(r, name); std::vector<RbOut<T>> out;
  while (r.Next()) { lens.push_back(v.GetSize()); for (size_t j = 0; j < v.GetSize(); ++j) out.push_back(v[j]); }
  return out; }
template <typename T> std::vector<RbOut<T>> RbVector(TTree* t, const char* name, std::vector<int>& lens) {
  TTreeReader r(t); TTreeReaderValue<std::vector<T>> v(r, name); std::vector<RbOut<T>> out;
  while (r.Next()) { lens.push_back(v->size()); for (size_t j = 0; j < v->size(); ++j) out.push_back((*v)[j]); }
  return out; }
// x[n][2] through TLeaf: ROOT's TTreeReaderArray and RDataFrame see only n values
// per entry for such leaves, in files ROOT writes itself too.
std::vector<float> RbLeaf(TTree* t, const char* name, std::vector<int>& lens) {
  TLeaf* leaf = t->GetLeaf(name); std::vector<float> out;
  for (Long64_t e = 0; e < t->GetEntries(); ++e) {
    t->GetEntry(e); lens.push_back(leaf->GetLen());
    for (int k = 0; k < leaf->GetLen(); ++k) out.push_back(leaf->GetValue(k)); }
  return out; }
std::vector<Long64_t> RbClusters(TTree* t) {
  std::vector<Long64_t> out; auto it = t->GetClusterIterator(0);
  for (Long64_t b = it(); b < t->GetEntries(); b = it()) out.push_back(b);
  return out; }
std::vector<double> RbSampleSums(const char* path) {
  ROOT::RDataFrame df("events", path);
  auto d = df.Define("jet_ok", "int(Jet_pt.size()) == nJet ? 1. : 0.")
      .Define("lead_ok", "(Jet_pt.size() ? Jet_pt[0] : 0.f) == jet1_pt ? 1. : 0.")
      .Define("nmu", "double(Muon_pt.size())").Define("ht", "double(Sum(Jet_pt))")
      .Define("qsum", "double(Sum(Muon_charge))").Define("mupt", "double(Sum(Muon_pt))")
      .Define("id", "double(event_id)").Define("lab", "double(label)").Define("w", "double(weight)");
  std::vector<ROOT::RDF::RResultPtr<double>> sums;
  for (const char* c : {"jet_ok", "lead_ok", "nmu", "ht", "qsum", "mupt", "id", "lab", "w"}) sums.push_back(d.Sum<double>(c));
  std::vector<double> out;
  for (auto& s : sums) out.push_back(*s);
  return out; }
"""


@pytest.fixture(scope="module")
def root():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the PyPI build warns that it is an alpha
        module = pytest.importorskip("ROOT")
    module.gROOT.SetBatch(True)
    module.gInterpreter.Declare(READERS)
    return module


def as_list(vector):
    # Element by element: the alpha PyPI build's array-interface pythonization of
    # std::vector raises on some element types.
    return [vector[j] for j in range(vector.size())]


def values_of(root, fn, suffix, tree, name):
    lens = root.std.vector["int"]()
    values = as_list(getattr(root, fn)[CTYPES[suffix]](tree, name, lens))
    if suffix.startswith("f"):
        flat = np.array(values, dtype=DTYPES[suffix])
    else:  # through Python ints: exact for every width
        raw = [ord(x) if isinstance(x, str) else int(x) for x in values]
        flat = np.array(raw, dtype=np.uint64 if suffix == "u8" else np.int64).astype(DTYPES[suffix])
    return flat, np.array(as_list(lens), dtype=np.int64)


def check_pattern_with_root(root, path, tree_path):
    f = root.TFile.Open(str(path))
    assert f and not f.IsZombie() and not f.TestBit(root.TFile.kRecovered)
    tree = f.Get(tree_path)
    entries = tree.GetEntries()
    i = np.arange(entries, dtype=np.int64)
    ones = np.ones(entries, dtype=np.int64)
    for s in SUFFIXES:
        for fn, name, counts, per_item in (("RbScalar", f"x_{s}", ones, 1), ("RbArray", f"a_{s}", ones, 3),
                                           ("RbArray", f"A_{s}", i % 5, 1), ("RbVector", f"v_{s}", (i * 7) % 4, 1)):
            flat, lens = values_of(root, fn, s, tree, name)
            want, _ = expected_jagged(s, counts, per_item)
            np.testing.assert_array_equal(lens, counts * per_item, err_msg=name)
            np.testing.assert_array_equal(flat, want, err_msg=name)
    flat, lens = values_of(root, "RbArray", "f4", tree, "m_f4")
    np.testing.assert_array_equal(flat, expected_jagged("f4", ones, 6)[0])
    lens = root.std.vector["int"]()
    flat = np.array(as_list(root.RbLeaf(tree, "P_f4", lens)), dtype=np.float32)
    np.testing.assert_array_equal(np.array(as_list(lens)), (i % 5) * 2)
    np.testing.assert_array_equal(flat, expected_jagged("f4", i % 5, 2)[0])
    clusters = [int(b) for b in as_list(root.RbClusters(tree))]
    f.Close()
    return entries, clusters


@pytest.mark.parametrize("codec", CODECS)
def test_root_reads_pattern(root, write_pattern, tmp_path, codec):
    path = tmp_path / f"pattern-{codec}.root"
    run(write_pattern, path, "--entries", 1501, "--codec", codec, "--basket-size", 1500, "--cluster-size", 400,
        "--dir", "sub/deeper")
    entries, clusters = check_pattern_with_root(root, path, "sub/deeper/pattern")
    assert entries == 1501
    assert clusters == [0, 400, 800, 1200]


@pytest.mark.parametrize("entries", [0, 1])
def test_root_reads_tiny_trees(root, write_pattern, tmp_path, entries):
    path = tmp_path / "tiny.root"
    run(write_pattern, path, "--entries", entries, "--codec", "zlib")
    assert check_pattern_with_root(root, path, "pattern")[0] == entries


def test_root_dataframe_over_make_sample(root, uproot, awkward, rootbatch_cli, tmp_path):
    path = tmp_path / "sample.root"
    make_sample(rootbatch_cli, path, "--events", 20000, "--cluster-size", 5000)
    got = dict(zip(["jet_ok", "lead_ok", "nmu", "ht", "qsum", "mupt", "id", "lab", "w"],
                   as_list(root.RbSampleSums(str(path)))))
    with uproot.open(path) as f:
        t = f["events"]
        flat = lambda name: awkward.to_numpy(awkward.flatten(t[name].array())).astype(np.float64)  # noqa: E731
        want = {"jet_ok": 20000, "lead_ok": 20000, "nmu": len(flat("Muon_pt")), "ht": flat("Jet_pt").sum(),
                "qsum": flat("Muon_charge").sum(), "mupt": flat("Muon_pt").sum(),
                "id": float(np.arange(20000).sum()), "lab": float(t["label"].array(library="np").sum()),
                "w": t["weight"].array(library="np").astype(np.float64).sum()}
    for key, value in want.items():
        assert np.isclose(got[key], value, rtol=1e-6), (key, got[key], value)


def test_root_update_mode_adds_objects(root, uproot, write_pattern, tmp_path):
    path = tmp_path / "update.root"
    run(write_pattern, path, "--entries", 500, "--codec", "zstd", "--dir", "sub")
    f = root.TFile.Open(str(path), "UPDATE")
    assert f and not f.IsZombie() and not f.TestBit(root.TFile.kRecovered)
    h = root.TH1F("h", "added by ROOT", 10, 0, 1)
    h.Fill(0.5)
    h.Write()
    f.Get("sub").cd()
    root.TNamed("note", "in sub").Write()
    f.Close()
    assert check_pattern_with_root(root, path, "sub/pattern")[0] == 500
    with uproot.open(path) as g:
        assert set(g.keys(cycle=False)) == {"sub", "sub/pattern", "sub/note", "h"}
        assert g["sub/pattern"].num_entries == 500
