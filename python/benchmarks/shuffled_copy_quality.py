"""Shuffle figures (SHUFFLE.md: bins/batch, var_ratio) of the loader over a
file and over its pre-shuffled copy (`rootbatch shuffle`), against the
original entry index, which make-sample stores as event_id:

    rootbatch shuffle FILE --tree events -o COPY --columns event_id,label,lepton_pT
    python python/benchmarks/shuffled_copy_quality.py FILE COPY [--memory 4MB,12MB,64MB]
"""
import argparse

import numpy as np

import rootbatch


def figures(path, memory, entries, shuffle=True, batch_size=1024):
    loader = rootbatch.DataLoader(path, columns=["lepton_pT"], target="event_id", target_type="int64",
                                  batch_size=batch_size, memory=memory, shuffle=shuffle, seed=1, drop_remainder=True)
    ids = [np.asarray(y).reshape(-1).copy() for _, y in loader.as_numpy()]
    bins = float(np.mean([len(np.unique(b * 100 // entries)) for b in ids]))
    means = np.array([np.mean(b / entries) for b in ids])
    var_ratio = float(np.var(means) / (np.var(np.concatenate(ids) / entries) / batch_size))
    return bins, var_ratio


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("copy")
    p.add_argument("--memory", default="4MB,12MB,64MB")
    args = p.parse_args()
    entries = rootbatch.RDataFrame("events", args.file).Count().GetValue()
    for path in (args.file, args.copy):
        for memory in args.memory.split(","):
            bins, var_ratio = figures(path, memory, entries)
            print(f"{path}  {memory:>6}  bins/batch {bins:5.1f}  var_ratio {var_ratio:5.2f}", flush=True)
    bins, var_ratio = figures(args.copy, args.memory.split(",")[0], entries, shuffle=False)
    print(f"{args.copy} read in file order: bins/batch {bins:5.1f}  var_ratio {var_ratio:5.2f}")


if __name__ == "__main__":
    main()
