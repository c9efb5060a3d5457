"""The shuffle_training experiment (shared/docs/SHUFFLE.md, last section) through
rootbatch's loader: one epoch of the same small MLP on 1 M events stored as a
signal file then a background file, batches from rootbatch's streaming shuffle
with a 5 % buffer (the memory budget is chosen so the shuffle buffer holds
n / 20 rows), against a full in-memory shuffle. Target: every seed within
0.002 AUC of the full shuffle.

    PYTHONPATH=build/release/python python python/benchmarks/shuffle_training.py --seeds 3 5 6 7

The network, the optimiser and the AUC are those of shared/tools/shuffle_training.py
(its functions are loaded from there). The data (--data):
  make-sample  (default) `rootbatch make-sample --signal-fraction 1`, then
               `--signal-fraction 0`: its 28 float features, standardised with
               the training set's mean and spread; held out: 200 000 events of
               a third make-sample file (half signal, another seed).
  tool         the tool's own generator, written with uproot in baskets of
               --basket entries; held out: the tool's 200 000 events.
  layout       the tool's generator laid out as a layout of the suite
               (--layout NAME or all; `bench/shuffle_layouts --list` gives
               them: files of given sizes and baskets, each all signal, all
               background, sorted by class and feature, or mixed), written
               with uproot (a cluster per basket); held out as for tool.
"""
import argparse
import json
import os
import pathlib
import subprocess
import tempfile

import numpy as np
import torch
import uproot

import rootbatch

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOL = REPO.parent / "shared" / "tools" / "shuffle_training.py"


def load_tool():
    source = TOOL.read_text()
    body = source[: source.rindex("main()")]  # everything but the closing call
    namespace = {"__name__": "shuffle_training_tool"}
    exec(compile(body, str(TOOL), "exec"), namespace)
    return namespace


def write_chained(folder, x, y, basket):
    """Signal events to sig.root, background to bkg.root, `basket` entries per basket."""
    paths = []
    for name, rows in (("sig", y == 1), ("bkg", y == 0)):
        path = folder / f"{name}.root"
        xs, ys = x[rows], y[rows]
        with uproot.recreate(path) as f:
            tree = f.mktree("events", {**{f"f{i}": np.float32 for i in range(x.shape[1])}, "label": np.float32})
            for start in range(0, len(xs), basket):
                chunk = {f"f{i}": xs[start:start + basket, i] for i in range(x.shape[1])}
                chunk["label"] = ys[start:start + basket]
                tree.extend(chunk)
        paths.append(str(path))
    return paths


# Signal share of a file by its label rule (layout_suite.hpp's LabelRule).
SIGNAL_SHARE = {"signal": 1.0, "background": 0.0, "sorted": 0.4, "mixed": 1 / 3}


def list_layouts(program):
    out = subprocess.run([program, "--list"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def write_layout(folder, layout, tool, rng):
    """The layout's files from the tool's generator; returns (paths, x, y) in file order."""
    want = [round(f["entries"] * SIGNAL_SHARE[f["label"]]) for f in layout["files"]]
    signal, background = sum(want), sum(f["entries"] for f in layout["files"]) - sum(want)
    x, y = tool["make"](2 * max(signal, background) + 2, rng)
    pool_s, pool_b = x[y == 1], x[y == 0]
    used_s = used_b = 0
    paths, xs, ys = [], [], []
    for i, (f, sig) in enumerate(zip(layout["files"], want)):
        rows_s = pool_s[used_s:used_s + sig]
        rows_b = pool_b[used_b:used_b + f["entries"] - sig]
        used_s, used_b = used_s + sig, used_b + f["entries"] - sig
        if f["label"] == "sorted":  # by class, then by the first (class-dependent) feature: a pt-ordered skim
            rows_s, rows_b = rows_s[np.argsort(-rows_s[:, 0])], rows_b[np.argsort(-rows_b[:, 0])]
        fx = np.concatenate([rows_s, rows_b])
        fy = np.concatenate([np.ones(sig), np.zeros(f["entries"] - sig)]).astype(np.float32)
        if f["label"] == "mixed":
            order = rng.permutation(len(fy))
            fx, fy = fx[order], fy[order]
        path = folder / f"{layout['name']}_{i}.root"
        with uproot.recreate(path) as out:
            tree = out.mktree("events", {**{f"f{k}": np.float32 for k in range(x.shape[1])}, "label": np.float32})
            for start in range(0, len(fy), f["basket"]):
                chunk = {f"f{k}": fx[start:start + f["basket"], k] for k in range(x.shape[1])}
                chunk["label"] = fy[start:start + f["basket"]]
                tree.extend(chunk)
        paths.append(str(path))
        xs.append(fx)
        ys.append(fy)
    return paths, np.concatenate(xs), np.concatenate(ys)


def make_sample(rootbatch_cli, path, events, signal_fraction, seed):
    subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", str(events), "--no-jagged", "--quiet",
                    "--signal-fraction", str(signal_fraction), "--seed", str(seed)], check=True,
                   stdout=subprocess.DEVNULL)
    return str(path)


def read_in_memory(paths, columns):
    """Features and labels of `paths`, chained, read by uproot (an independent reader)."""
    xs, ys = [], []
    for path in paths:
        with uproot.open(path) as f:
            arrays = f["events"].arrays(columns + ["label"], library="np")
        xs.append(np.stack([arrays[c] for c in columns], 1).astype(np.float32))
        ys.append(arrays["label"].astype(np.float32))
    return np.concatenate(xs), np.concatenate(ys)


def budget_for_slots(make_loader, slots):
    """The smallest memory budget (bytes) whose shuffle buffer holds >= `slots` rows."""
    lo, hi = 1 << 20, 1 << 30
    while hi - lo > 1 << 14:
        mid = (lo + hi) // 2
        if make_loader(mid).memory_plan["num_slots"] >= slots:
            hi = mid
        else:
            lo = mid
    return hi


def train_epoch(batches, xt, yt, auc, scale=None):
    """`scale` (mean, std): standardises the inputs inside the network, for both shuffles alike."""
    torch.manual_seed(0)
    layers = [torch.nn.Linear(28, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)]
    net = torch.nn.Sequential(*layers)
    if scale is not None:
        mean, std = (torch.from_numpy(v) for v in scale)
        net = torch.nn.Sequential(Standardise(mean, std), *layers)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    lossf = torch.nn.BCEWithLogitsLoss()
    for xb, yb in batches:
        opt.zero_grad()
        lossf(net(xb).squeeze(1), yb).backward()
        opt.step()
    with torch.no_grad():
        scores = net(torch.from_numpy(xt)).squeeze(1).numpy()
    return auc(scores, yt)


class Standardise(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, x):
        return (x - self.mean) / self.std


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 5, 6, 7])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--basket", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--block-split", type=int, default=1,
                        help="the loader's block_split (pieces per block placed independently)")
    parser.add_argument("--data", choices=["make-sample", "tool", "layout"], default="make-sample")
    parser.add_argument("--layout", default="all", help="--data layout: a layout's name, or all")
    parser.add_argument("--layouts-program", default=str(REPO / "build" / "release" / "bench" / "shuffle_layouts"),
                        help="the program that lists the layouts (bench/shuffle_layouts)")
    parser.add_argument("--pieces-per-buffer", type=int, default=None, help="the loader's pieces_per_buffer")
    parser.add_argument("--shuffle", default="stream", help="the loader's strategy: stream (default), pieces or scatter")
    parser.add_argument("--noise", action="store_true",
                        help="also train on a second full shuffle: how far two full shuffles differ")
    parser.add_argument("--rootbatch", default=str(REPO / "build" / "release" / "cli" / "rootbatch"),
                        help="the rootbatch program (for make-sample)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    tool = load_tool()
    n, b = args.events, 1024
    held_out = tempfile.TemporaryDirectory()
    if args.data == "make-sample":
        test = make_sample(args.rootbatch, pathlib.Path(held_out.name) / "test.root", 200_000, 0.5, 4)
        listing = subprocess.run([args.rootbatch, "ls", test], check=True, capture_output=True, text=True).stdout
        # The float branches but the weight: the 28 features.
        columns = [f[0] for f in map(str.split, listing.splitlines()) if len(f) > 2 and f[1] == "float"
                   and f[0] != "weight"]
        assert len(columns) == 28, columns
        xt, yt = read_in_memory([test], columns)
    else:
        columns = [f"f{i}" for i in range(28)]
        xt, yt = tool["make"](200_000, np.random.default_rng(4))
    layouts = [None]
    if args.data == "layout":
        layouts = [l for l in list_layouts(args.layouts_program) if args.layout in ("all", l["name"])]
        assert layouts, f"no layout {args.layout}"
    for layout in layouts:
        run_seeds(args, tool, layout, columns, xt, yt, n, b)


def run_seeds(args, tool, layout, columns, xt, yt, n, b):
    results = []
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        with tempfile.TemporaryDirectory() as tmp:
            scale = None
            if layout is not None:
                files, x, y = write_layout(pathlib.Path(tmp), layout, tool, rng)
                n = len(y)
            elif args.data == "make-sample":
                files = [make_sample(args.rootbatch, pathlib.Path(tmp) / "sig.root", n // 2, 1.0, 1000 + seed),
                         make_sample(args.rootbatch, pathlib.Path(tmp) / "bkg.root", n - n // 2, 0.0, 2000 + seed)]
                x, y = read_in_memory(files, columns)
                scale = (x.mean(0), x.std(0))
            else:
                x, y = tool["make"](n, rng)
                files = write_chained(pathlib.Path(tmp), x, y, args.basket)

            extra = {} if args.pieces_per_buffer is None else {"pieces_per_buffer": args.pieces_per_buffer}

            def make_loader(memory):
                return rootbatch.DataLoader(files, columns=columns, target="label", target_type="float32",
                                            batch_size=b, memory=memory, seed=seed, drop_remainder=True,
                                            block_split=args.block_split, shuffle=args.shuffle, **extra)

            memory = budget_for_slots(make_loader, n // 20)
            loader = make_loader(memory)
            slots = loader.memory_plan["num_slots"]
            X, Y = torch.from_numpy(x), torch.from_numpy(y)
            order = rng.permutation(n)
            full = train_epoch(((X[torch.from_numpy(order[s:s + b])], Y[torch.from_numpy(order[s:s + b])])
                                for s in range(0, n - b + 1, b)), xt, yt, tool["auc"], scale)
            ours = train_epoch(((xb, yb[:, 0]) for xb, yb in loader.as_torch()), xt, yt, tool["auc"], scale)
            other = None
            if args.noise:
                order = np.random.default_rng([seed, 1]).permutation(n)
                other = train_epoch(((X[torch.from_numpy(order[s:s + b])], Y[torch.from_numpy(order[s:s + b])])
                                     for s in range(0, n - b + 1, b)), xt, yt, tool["auc"], scale)
        results.append((seed, full, ours, memory, slots))
        print(f"seed {seed}: full shuffle {full:.4f}, rootbatch {args.shuffle} ({slots} slots = {slots / n:.1%} of n, "
              f"memory {memory / 2**20:.1f} MiB) {ours:.4f}, gap {ours - full:+.4f}"
              + (f"; another full shuffle {other:.4f}, gap {other - full:+.4f}" if other is not None else ""),
              flush=True)
    worst = min(ours - full for _, full, ours, _, _ in results)
    print(f"\ndata {args.data}" + (f" layout {layout['name']}" if layout else "") +
          f", block_split {args.block_split}, pieces_per_buffer {args.pieces_per_buffer or 'default'}")
    print(f"\n| seed | full shuffle | rootbatch {args.shuffle}, 5 % buffer | gap |")
    print("|---|---|---|---|")
    for seed, full, ours, _, _ in results:
        print(f"| {seed} | {full:.4f} | {ours:.4f} | {ours - full:+.4f} |")
    print(f"\nworst gap {worst:+.4f} (target: within 0.002)", flush=True)


if __name__ == "__main__":
    main()
