"""Tutorial: from ``uproot.iterate`` (with a hand-written shuffle) to rootbatch.

Before: read chunks with uproot, stack the columns, shuffle inside each chunk,
cut batches. Every event of a chunk is converted in Python/NumPy, and the
shuffle only mixes events of the same chunk (neighbours in the file).

After: one DataLoader; reading, conversion, a shuffle across the whole file
within the same memory, and batching run in C++ threads.

    python docs/tutorials/migrate_from_uproot.py --file my.root
"""
import argparse
import os
import sys
import time

import numpy as np
import uproot

import rootbatch

sys.path.insert(0, os.path.dirname(__file__))
from _sample import ensure_sample  # noqa: E402


def uproot_batches(path, features, batch_size, step_size="64 MB", seed=0):
    """The usual hand-written pipeline: chunks from uproot.iterate, shuffled within the chunk."""
    rng = np.random.default_rng(seed)
    for chunk in uproot.iterate(f"{path}:events", features + ["label"], step_size=step_size, library="np"):
        x = np.stack([chunk[name] for name in features], axis=1).astype(np.float32)
        y = chunk["label"].astype(np.float32)[:, None]
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start:start + batch_size]
            yield x[rows], y[rows]


def rootbatch_batches(path, features, batch_size, memory="64MB", seed=0):
    """The same batches from rootbatch: shuffled across the whole file within `memory`."""
    loader = rootbatch.DataLoader(path, columns=features, target="label", target_type="float32",
                                  batch_size=batch_size, memory=memory, seed=seed)
    return loader.as_numpy()


def timed(batches):
    start = time.perf_counter()
    events = sum(len(x) for x, _ in batches)
    return events, events / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args(argv)
    path = args.file or ensure_sample("samples/tutorial.root", args.events)
    features = [c.name for c in rootbatch.open(path)["events"].columns
                if c.kind == "scalar" and c.dtype == "float32" and c.name != "weight"]

    n_uproot, rate_uproot = timed(uproot_batches(path, features, args.batch_size))
    n_rootbatch, rate_rootbatch = timed(rootbatch_batches(path, features, args.batch_size))
    assert n_uproot == n_rootbatch
    print(f"uproot.iterate + chunk shuffle: {n_uproot} events, {rate_uproot:,.0f} events/s")
    print(f"rootbatch.DataLoader:           {n_rootbatch} events, {rate_rootbatch:,.0f} events/s")
    return rate_uproot, rate_rootbatch


if __name__ == "__main__":
    main()
