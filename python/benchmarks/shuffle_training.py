"""The shuffle_training experiment (shared/docs/SHUFFLE.md, last section) through
rootbatch's loader: one epoch of the same small MLP on 1 M events stored as a
signal file then a background file, batches from rootbatch's streaming shuffle
with a 5 % buffer (the memory budget is chosen so the shuffle buffer holds
n / 20 rows), against a full in-memory shuffle. Target: every seed within
0.002 AUC of the full shuffle.

    PYTHONPATH=build/release/python python python/benchmarks/shuffle_training.py --seeds 3 5 6 7

The data, the network, the optimiser and the held-out set are those of
shared/tools/shuffle_training.py (its functions are loaded from there); the
files are written with uproot in baskets of --basket entries.
"""
import argparse
import os
import pathlib
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


def train_epoch(batches, xt, yt, auc):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(28, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    lossf = torch.nn.BCEWithLogitsLoss()
    for xb, yb in batches:
        opt.zero_grad()
        lossf(net(xb).squeeze(1), yb).backward()
        opt.step()
    with torch.no_grad():
        scores = net(torch.from_numpy(xt)).squeeze(1).numpy()
    return auc(scores, yt)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 5, 6, 7])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--basket", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--block-split", type=int, default=1,
                        help="the loader's block_split (pieces per block placed independently)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    tool = load_tool()
    n, b = args.events, 1024
    xt, yt = tool["make"](200_000, np.random.default_rng(4))
    results = []
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        x, y = tool["make"](n, rng)
        with tempfile.TemporaryDirectory() as tmp:
            files = write_chained(pathlib.Path(tmp), x, y, args.basket)
            columns = [f"f{i}" for i in range(28)]

            def make_loader(memory):
                return rootbatch.DataLoader(files, columns=columns, target="label", target_type="float32",
                                            batch_size=b, memory=memory, seed=seed, drop_remainder=True,
                                            block_split=args.block_split)

            memory = budget_for_slots(make_loader, n // 20)
            loader = make_loader(memory)
            slots = loader.memory_plan["num_slots"]
            X, Y = torch.from_numpy(x), torch.from_numpy(y)
            order = rng.permutation(n)
            full = train_epoch(((X[torch.from_numpy(order[s:s + b])], Y[torch.from_numpy(order[s:s + b])])
                                for s in range(0, n - b + 1, b)), xt, yt, tool["auc"])
            ours = train_epoch(((xb, yb[:, 0]) for xb, yb in loader.as_torch()), xt, yt, tool["auc"])
        results.append((seed, full, ours, memory, slots))
        print(f"seed {seed}: full shuffle {full:.4f}, rootbatch stream ({slots} slots = {slots / n:.1%} of n, "
              f"memory {memory / 2**20:.1f} MiB) {ours:.4f}, gap {ours - full:+.4f}", flush=True)
    worst = min(ours - full for _, full, ours, _, _ in results)
    print(f"\nblock_split {args.block_split}")
    print("\n| seed | full shuffle | rootbatch stream, 5 % buffer | gap |")
    print("|---|---|---|---|")
    for seed, full, ours, _, _ in results:
        print(f"| {seed} | {full:.4f} | {ours:.4f} | {ours - full:+.4f} |")
    print(f"\nworst gap {worst:+.4f} (target: within 0.002)")


if __name__ == "__main__":
    main()
