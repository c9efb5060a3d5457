"""Reads RNTuples with ROOT's RDataFrame (PyPI's `root` package) and saves every column.

Run as a separate process by test_rntuple.py, so that ROOT's interpreter never shares
a process with the other frameworks the tests import, and once for all files, since
ROOT's start-up dominates the time.

usage: rntuple_rdf_reader.py OUT_DIR FILE:NTUPLE...
Writes OUT_DIR/<file stem>.<ntuple>.npz: per column "<name>|values" (flat values,
strings as unicode), "<name>|counts0" (items per entry) and "<name>|counts1" (items
per inner list), and OUT_DIR/errors.json: {"file:ntuple": error} for an RNTuple
RDataFrame cannot open, {"file:ntuple:column": error} for a column it cannot read.
"""
import json
import pathlib
import sys

import numpy as np
import ROOT


def flatten(value, depth, counts):
    """The flat scalars of one entry; appends each level's item count to counts[level]."""
    if depth == len(counts):
        return [value]
    items = list(value)
    counts[depth].append(len(items))
    out = []
    for item in items:
        out.extend(flatten(item, depth + 1, counts))
    return out


def depth_of(type_name):
    # RVec, std::vector and std::array are lists in RDataFrame's values.
    depth = 0
    name = type_name
    while True:
        for prefix in ("ROOT::VecOps::RVec<", "std::vector<", "std::array<"):
            if name.startswith(prefix):
                name = name[len(prefix):]
                depth += 1
                break
        else:
            return depth


def main():
    out_dir = pathlib.Path(sys.argv[1])
    errors = {}
    for spec in sys.argv[2:]:
        path, ntuple = spec.rsplit(":", 1)
        stem = pathlib.Path(path).name[: -len(".root")]
        try:
            rdf = ROOT.RDataFrame(ntuple, path)
            names = [str(c) for c in rdf.GetColumnNames()]
        except Exception as e:  # noqa: BLE001 - recorded for the test to report
            errors[f"{stem}:{ntuple}"] = str(e).splitlines()[0]
            continue
        saved = {}
        for name in names:
            type_name = str(rdf.GetColumnType(name))
            if type_name.startswith(("std::variant", "std::tuple", "std::pair")) or "std::variant" in type_name:
                errors[f"{stem}:{ntuple}:{name}"] = f"not a leaf column ({type_name})"
                continue
            try:
                column = rdf.AsNumpy([name])[name]
            except Exception as e:  # noqa: BLE001
                errors[f"{stem}:{ntuple}:{name}"] = str(e).splitlines()[0]
                continue
            depth = depth_of(type_name)
            counts = [[] for _ in range(depth)]
            flat = []
            for value in column:
                flat.extend(flatten(value, 0, counts))
            if "std::string" in type_name:
                values = np.array([str(v) for v in flat], dtype=str)
            else:
                values = np.array(flat)
            saved[f"{name}|values"] = values
            saved[f"{name}|type"] = np.array(type_name)
            for level, c in enumerate(counts):
                saved[f"{name}|counts{level}"] = np.array(c, dtype=np.int64)
        np.savez(out_dir / f"{stem}.{ntuple}.npz", **saved)
    (out_dir / "errors.json").write_text(json.dumps(errors, indent=1))


if __name__ == "__main__":
    main()
