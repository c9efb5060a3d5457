"""Writes test files with ROOT itself and records ROOT's own reading of them.

Run as a separate process (as root_reader.py), so that ROOT's interpreter never
shares a process with the frameworks the tests import.

usage: root_nested_writer.py OUT_DIR
  OUT_DIR/vv.root           tree "t", 1000 entries in 10 clusters (fAutoFlush 100):
                            std::vector<std::vector<T>> for T in float, int, double,
                            bool, short (empty outer and empty inner vectors), x (int)
  OUT_DIR/vv_root.json      {column: ROOT's values read back from vv.root through
                            RDataFrame::Take, as nested lists}
  OUT_DIR/two_objects.root  tree "t" with two split objects of one class (a, b),
                            whose leaves share the short names px and py
"""
import json
import os
import sys

import ROOT

COLUMNS = {
    "vvf": "float",
    "vvi": "int",
    "vvd": "double",
    "vvb": "bool",
    "vvs": "short",
}

# Sizes vary with the entry so that outer and inner vectors are empty at times.
DEFINITIONS = r"""
template <typename T> std::vector<std::vector<T>> RbNested(ULong64_t e, int salt) {
  std::vector<std::vector<T>> out;
  if ((e + salt) % 7 == 3) return out;                       // empty outer vector
  for (ULong64_t i = 0; i < (e + salt) % 4 + 1; ++i) {
    std::vector<T> inner;
    for (ULong64_t j = 0; j < (e + i + salt) % 3; ++j) {      // 0: an empty inner vector
      inner.push_back(static_cast<T>(0.5 * e + i - 0.25 * j - 40.0 * salt));
    }
    out.push_back(inner);
  }
  return out;
}
struct RbTestPt2 { float px; float py; };
"""


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    os.chdir(out_dir)  # ACLiC writes the dictionaries here
    for t in ("int", "bool", "short"):  # ROOT ships dictionaries for float and double only
        ROOT.gInterpreter.GenerateDictionary(f"vector<vector<{t}> >", "vector")
    ROOT.gInterpreter.Declare(DEFINITIONS)
    path = os.path.join(out_dir, "vv.root")
    options = ROOT.RDF.RSnapshotOptions()
    options.fAutoFlush = 100
    df = ROOT.RDataFrame(1000)
    for salt, (name, cpp) in enumerate(COLUMNS.items()):
        if cpp == "bool":
            expr = f"auto v = RbNested<int>(rdfentry_, {salt}); std::vector<std::vector<bool>> b; " \
                   "for (auto& in : v) { b.emplace_back(); for (int x : in) b.back().push_back(x % 2 != 0); } return b;"
        else:
            expr = f"return RbNested<{cpp}>(rdfentry_, {salt});"
        df = df.Define(name, expr)
    df = df.Define("x", "int(rdfentry_)")
    df.Snapshot("t", path, list(COLUMNS) + ["x"], options)

    back = ROOT.RDataFrame("t", path)
    takes = {name: back.Take[f"std::vector<std::vector<{cpp}>>"](name) for name, cpp in COLUMNS.items()}
    values = {name: [[list(inner) for inner in outer] for outer in take.GetValue()] for name, take in takes.items()}
    with open(os.path.join(out_dir, "vv_root.json"), "w") as f:
        json.dump(values, f)

    objects = ROOT.TFile(os.path.join(out_dir, "two_objects.root"), "RECREATE")
    tree = ROOT.TTree("t", "t")
    a, b = ROOT.RbTestPt2(), ROOT.RbTestPt2()
    tree.Branch("a", a, 32000, 99)
    tree.Branch("b", b, 32000, 99)
    for i in range(5):
        a.px, a.py, b.px, b.py = i, 2 * i, -i, -2 * i
        tree.Fill()
    tree.Write()
    objects.Close()


if __name__ == "__main__":
    main(sys.argv[1])
