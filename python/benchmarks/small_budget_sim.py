"""How many percentile bins a batch can draw from when the shuffle buffer is small
and each basket is decompressed only about once (SHUFFLE.md's figures, on entry
indices alone; no file is read).

The stream is pieces of P consecutive entries in a low-discrepancy order over
the data (consecutive pieces far apart, as the loader's stratified order), so
cutting B-entry baskets into pieces of P costs about B / P decompressions per
basket. The buffer holds M rows. Each batch draws its rows from random slots
and the slots are refilled from the stream, either uniformly (the loader's
slot exchange) or from two tiers (a share `--tier` of the slots gives
`--tier-take` rows of each batch, so rows that land in the other tier stay
longer: a heavier tail of old pieces, more bins, at a price in var_ratio).

    python python/benchmarks/small_budget_sim.py --entries 2000000 --buffer 66901 --pieces 5000,3333,2500

docs/benchmarks.md ("Small budgets") quotes its output: with 5000-entry baskets
and a 66 901-row buffer (12 MB on the 2 M-event sample), 1.5 decompressions per
basket give about 77 bins per batch; 85 need about two.
"""
import argparse

import numpy as np


def stream_order(entries, piece, rng):
    starts = np.arange(0, entries, piece)
    golden = (np.sqrt(5.0) - 1.0) / 2.0
    keys = (rng.random() + golden * np.arange(len(starts))) % 1.0
    return np.concatenate([np.arange(s, min(s + piece, entries)) for s in starts[np.argsort(keys)]])


def batches(entries, piece, buffer, batch, tier=0.0, tier_take=0, seed=1):
    """The entry indices of each full batch of one epoch, in order (the last partial one is dropped)."""
    rng = np.random.default_rng(seed)
    stream = stream_order(entries, piece, rng)
    slots = stream[:buffer].copy()
    position = buffer
    tier_slots = int(tier * buffer)
    while position + batch <= len(stream):
        if tier_slots:
            take = np.concatenate([rng.choice(tier_slots, tier_take, replace=False),
                                   tier_slots + rng.choice(buffer - tier_slots, batch - tier_take, replace=False)])
        else:
            take = rng.choice(buffer, batch, replace=False)
        yield slots[take]
        slots[take] = stream[position:position + batch]
        position += batch
    # The stream's end: the rest of the stream joins the buffer, which drains in random order.
    rest = rng.permutation(np.concatenate([slots, stream[position:]]))
    for begin in range(0, len(rest) - batch + 1, batch):
        yield rest[begin:begin + batch]


def figures(entries, piece, buffer, batch, tier=0.0, tier_take=0, seed=1):
    """bins/batch and var_ratio of one epoch."""
    bins, means = [], []
    for rows in batches(entries, piece, buffer, batch, tier, tier_take, seed):
        bins.append(len(np.unique(rows * 100 // entries)))
        means.append(rows.mean() / entries)
    # The mean of index / N over a batch of i.i.d. rows has variance (1/12) / batch.
    return float(np.mean(bins)), float(np.var(means) / (1.0 / 12.0 / batch))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--buffer", type=int, default=66_901)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--basket", type=int, default=5000, help="entries per basket (for decompressions per basket)")
    parser.add_argument("--pieces", default="5000,3333,2500")
    parser.add_argument("--tier", type=float, default=0.0)
    parser.add_argument("--tier-take", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for piece in (int(p) for p in args.pieces.split(",")):
        bins, var_ratio = figures(args.entries, piece, args.buffer, args.batch, args.tier, args.tier_take, args.seed)
        print(f"pieces of {piece} ({args.basket / piece:.2f} decompressions per basket): "
              f"{bins:.1f} bins/batch, var_ratio {var_ratio:.2f}")


if __name__ == "__main__":
    main()
