"""Python-side loader speed per adapter vs the C++ `rootbatch bench` figure on
the same file and options, and vs uproot.iterate with a hand-written shuffle
at the same memory. Prints a Markdown table (docs/benchmarks.md, "Python").

    PYTHONPATH=build/release/python python python/benchmarks/bench_adapters.py \
        --file samples/demo-500000.root --cli build/release/cli/rootbatch

One epoch per measurement, epoch 0 every time (the same batches as the C++
run); the median of --repeat runs. The consumer does nothing with a batch but
touch it, so these are loader ceilings, not training speeds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import rootbatch  # noqa: E402


def features_of(path):
    return [c.name for c in rootbatch.open(path)["events"].columns
            if c.kind == "scalar" and c.dtype == "float32" and c.name != "weight"]


def cpp_bench(cli, path, features, args):
    cmd = [cli, "bench", path, "--tree", "events", "--target", "label", "--columns", ",".join(features),
           "--batch-size", str(args.batch_size), "--memory", args.memory, "--threads", str(args.threads),
           "--seed", "1", "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["events_per_s"]


def python_rate(make_iterable, touch):
    """events/s of one epoch, timed from after the loader's construction (as `rootbatch bench` does)."""
    iterable = make_iterable()
    start = time.perf_counter()
    events = 0
    for item in iterable:
        events += touch(item)
    return events / (time.perf_counter() - start)


def uproot_rate(path, features, batch_size, memory_bytes):
    import uproot

    def run():
        rng = np.random.default_rng(0)
        events = 0
        start = time.perf_counter()
        for chunk in uproot.iterate(f"{path}:events", features + ["label"], step_size=memory_bytes // 2,
                                    library="np"):
            x = np.stack([chunk[name] for name in features], axis=1).astype(np.float32)
            y = chunk["label"].astype(np.float32)[:, None]
            order = rng.permutation(len(x))
            for s in range(0, len(x), batch_size):
                rows = order[s:s + batch_size]
                events += len(x[rows]) + 0 * len(y[rows])
        return events / (time.perf_counter() - start)

    return run()


def conversion_costs(dl, wanted, batches=200):
    """Seconds per batch each adapter adds on top of the C++ loader: the batches
    are made first, then converted in a tight loop (best of 5)."""
    made = [b for b, _ in zip(dl, range(batches))]

    def best(convert):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for b in made:
                convert(b)
            times.append((time.perf_counter() - start) / len(made))
        return min(times)

    out = [("Batch.numpy() (NumPy views)", best(lambda b: b.numpy()))]
    if "torch" in wanted:
        import torch

        out.append(("torch.from_dlpack per tensor", best(lambda b: b.outputs(torch.from_dlpack))))
    if "jax" in wanted:
        import jax.dlpack

        out.append(("jax.dlpack.from_dlpack per tensor", best(lambda b: b.outputs(jax.dlpack.from_dlpack))))
    if "tensorflow" in wanted:
        import tensorflow as tf

        out.append(("tf.convert_to_tensor of the NumPy views (a copy)",
                    best(lambda b: [tf.convert_to_tensor(a) for a in b.numpy()])))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", required=True)
    parser.add_argument("--cli", default=os.environ.get("ROOTBATCH_CLI", "build/release/cli/rootbatch"))
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--memory", default="256MB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--adapters", default="numpy,torch,tensorflow,keras,jax,uproot")
    args = parser.parse_args(argv)
    features = features_of(args.file)
    wanted = args.adapters.split(",")

    def loader():
        dl = rootbatch.DataLoader(args.file, columns=features, target="label", batch_size=args.batch_size,
                                  memory=args.memory, num_threads=args.threads, seed=1)
        return dl

    def epoch0(view):
        def make():
            dl = loader()
            dl.set_epoch(0)
            len(dl)  # opens the files and plans (the C++ figure excludes this too)
            return view(dl)
        return make

    # name -> a function running one epoch and returning events/s. The runs are
    # interleaved (round r of every consumer, then round r + 1) so that a busy
    # machine slows every consumer alike; the median of the rounds is reported.
    consumers = {"C++ `rootbatch bench`": lambda: cpp_bench(args.cli, args.file, features, args)}
    if "numpy" in wanted:
        consumers["NumPy `as_numpy()`"] = lambda: python_rate(epoch0(lambda d: d.as_numpy()), lambda b: len(b[0]))
    if "torch" in wanted:
        import torch

        torch.set_num_threads(1)
        consumers["PyTorch `as_torch()`"] = lambda: python_rate(epoch0(lambda d: d.as_torch()), lambda b: len(b[0]))
        consumers["PyTorch DataLoader(batch_size=None)"] = lambda: python_rate(
            epoch0(lambda d: torch.utils.data.DataLoader(d.as_torch(), batch_size=None)), lambda b: len(b[0]))
    if "tensorflow" in wanted:
        consumers["TensorFlow `as_tensorflow()`"] = lambda: python_rate(
            epoch0(lambda d: d.as_tensorflow()), lambda b: int(b[0].shape[0]))
    if "keras" in wanted:
        def keras_epoch(d):
            ds = d.as_keras()
            return (ds[i] for i in range(len(ds)))
        consumers["Keras `as_keras()` (PyDataset)"] = lambda: python_rate(epoch0(keras_epoch), lambda b: len(b[0]))
    if "jax" in wanted:
        consumers["JAX `as_jax()`"] = lambda: python_rate(epoch0(lambda d: d.as_jax()), lambda b: int(b[0].shape[0]))
    if "uproot" in wanted:
        memory_bytes = rootbatch.parse_memory(args.memory)
        consumers["uproot.iterate + chunk shuffle (same memory)"] = lambda: uproot_rate(
            args.file, features, args.batch_size, memory_bytes)
    for consumer in consumers.values():  # warm-up: imports, page cache, JIT
        consumer()
    rounds = {name: [] for name in consumers}
    for _ in range(args.repeat):
        for name, consumer in consumers.items():
            rounds[name].append(consumer())
    rows = [(name, statistics.median(rates)) for name, rates in rounds.items()]
    reference = rows[0][1]
    conversion = conversion_costs(loader(), wanted)
    print(f"\n{args.file}: {len(features)} float features + label, batch {args.batch_size}, memory {args.memory}, "
          f"{args.threads} threads, median of {args.repeat}\n")
    print("| consumer | events/s | vs C++ |")
    print("|---|---|---|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} | {rate / reference:.2f} |")
    batch_seconds = args.batch_size / reference
    print(f"\nPython-side cost per batch, measured on batches already made (so independent of the "
          f"reading threads), and the share of a batch's time at the C++ rate ({batch_seconds * 1e6:,.0f} µs/batch):\n")
    print("| conversion | µs per batch | share |")
    print("|---|---|---|")
    for name, seconds in conversion:
        print(f"| {name} | {seconds * 1e6:,.1f} | {seconds / batch_seconds:.1%} |")


if __name__ == "__main__":
    sys.exit(main())
