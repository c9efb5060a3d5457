"""Reads trees with ROOT itself (PyPI's `root` package) and saves every branch.

Run as a separate process by test_writer_root.py, so that ROOT's interpreter never
shares a process with the other frameworks the tests import, and once for several
files, since ROOT's start-up dominates the time. Reads through TTree::GetEntry with
buffers bound by SetBranchAddress (TTree's own path, no just-in-time compilation).

usage: root_reader.py TREE OUT_DIR FILE...   (writes OUT_DIR/<file stem>.npz)
Per branch: the flat values and the number of values in each entry.
"""
import ctypes
import pathlib
import sys

import numpy as np
import ROOT

LEAF_DTYPES = {
    "Bool_t": np.bool_, "Char_t": np.int8, "UChar_t": np.uint8, "Short_t": np.int16, "UShort_t": np.uint16,
    "Int_t": np.int32, "UInt_t": np.uint32, "Long64_t": np.int64, "ULong64_t": np.uint64,
    "Long_t": np.int64, "ULong_t": np.uint64, "Float_t": np.float32, "Double_t": np.float64,
}
VECTOR_TYPES = {
    "bool": np.bool_, "char": np.int8, "signed char": np.int8, "unsigned char": np.uint8, "short": np.int16,
    "unsigned short": np.uint16, "int": np.int32, "unsigned int": np.uint32, "Long64_t": np.int64,
    "ULong64_t": np.uint64, "long": np.int64, "unsigned long": np.uint64, "long long": np.int64,
    "unsigned long long": np.uint64, "float": np.float32, "double": np.float64,
}


class Binding:
    """A buffer bound to one branch, and how to take one entry's values out of it."""

    def __init__(self, tree, branch):
        self.name = branch.GetName()
        class_name = branch.GetClassName()
        if class_name.startswith("vector<"):
            inner = class_name[len("vector<"):-1].strip()
            self.dtype = VECTOR_TYPES[inner]
            self.vector = ROOT.std.vector(inner)()
            tree.SetBranchAddress(self.name, self.vector)
            self.take = self.take_vector
            return
        leaf = branch.GetLeaf(self.name)
        self.dtype = LEAF_DTYPES[leaf.GetTypeName()]
        counter = leaf.GetLeafCount()
        per_item = leaf.GetLenStatic()
        capacity = per_item * (max(int(counter.GetMaximum()), 1) if counter else 1)
        self.buffer = np.zeros(capacity, dtype=self.dtype)
        # Bound as a plain address: cppyy converts no numpy int8/bool array to T*.
        tree.SetBranchAddress(self.name, ctypes.c_void_p(self.buffer.ctypes.data))
        self.take = lambda: self.buffer[: leaf.GetLen()].copy()


    def take_vector(self):
        n = int(self.vector.size())
        if n == 0:
            return np.array([], dtype=self.dtype)
        if self.dtype == np.bool_:  # std::vector<bool> packs bits: no data()
            return np.array([bool(self.vector[i]) for i in range(n)], dtype=np.bool_)
        # The vector's first member is its begin pointer (libstdc++); data() is
        # broken for vectors of chars in this ROOT build's Python bindings.
        begin = ctypes.c_void_p.from_address(ROOT.addressof(self.vector)).value
        raw = ctypes.string_at(begin, n * np.dtype(self.dtype).itemsize)
        return np.frombuffer(raw, dtype=self.dtype).copy()


def save(path, tree_name, out):
    root_file = ROOT.TFile.Open(str(path))
    tree = root_file.Get(tree_name)
    if not tree:
        raise SystemExit(f"ROOT found no tree {tree_name!r} in {path}")
    bindings = [Binding(tree, branch) for branch in tree.GetListOfBranches()]
    parts = {b.name: [] for b in bindings}
    for entry in range(tree.GetEntries()):
        if tree.GetEntry(entry) <= 0:
            raise SystemExit(f"ROOT could not read entry {entry} of {path}")
        for binding in bindings:
            parts[binding.name].append(binding.take())
    saved = {"entries": np.array([tree.GetEntries()], dtype=np.int64)}
    for binding in bindings:
        values = parts[binding.name]
        saved[f"{binding.name}.sizes"] = np.array([v.size for v in values], dtype=np.int64)
        saved[binding.name] = np.concatenate(values) if values else np.array([], dtype=binding.dtype)
    tree.ResetBranchAddresses()
    np.savez(out, **saved)


def main(tree_name, out_dir, *paths):
    for path in paths:
        save(path, tree_name, pathlib.Path(out_dir) / (pathlib.Path(path).stem + ".npz"))


if __name__ == "__main__":
    main(*sys.argv[1:])
