#!/usr/bin/env python3
"""Plots for the loader section of docs/benchmarks.md, from what
scripts/plots/loader_bench.sh wrote:

  loader_speed.png   events/s of the loader and the decompression ceiling vs threads, per codec
  loader_rss.png     RSS over time for budgets of 64 and 256 MiB, 1 M and 10 M events
  loader_order.png   global entry index vs output position, stream vs ROOT-6.40-style shuffle

usage: plot_loader.py [RUN_DIR] [OUT_DIR]   (defaults: out/loader-bench docs/images)
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load_runs(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def codec_of(args):
    for codec in ("zstd", "lz4", "zlib"):
        if f"_{codec}.root" in args:
            return codec
    return "?"


def threads_of(args):
    parts = args.split()
    return int(parts[parts.index("--threads") + 1])


def plot_speed(runs, out):
    # Median over repetitions of each (mode, codec, threads).
    table = {}
    for run in runs:
        if run["tag"] not in ("speed", "ceiling"):
            continue
        key = (run["tag"], codec_of(run["args"]), threads_of(run["args"]))
        table.setdefault(key, []).append(run["result"]["events_per_s"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = {"zstd": "tab:blue", "lz4": "tab:orange", "zlib": "tab:green"}
    for codec, color in colors.items():
        for tag, style in (("ceiling", "--"), ("speed", "-")):
            points = sorted((t, statistics.median(v) / 1e6) for (g, c, t), v in table.items() if g == tag and c == codec)
            if not points:
                continue
            xs, ys = zip(*points)
            label = f"{codec} {'ceiling (decompression only)' if tag == 'ceiling' else 'loader'}"
            ax.plot(xs, ys, style, marker="o", color=color, label=label)
    ax.set_xlabel("decompression threads")
    ax.set_ylabel("M events / s (median of repetitions)")
    ax.set_title("Loader vs decompression ceiling, 10 M events, 28 floats + label, batch 1024, 256 MiB")
    ax.title.set_fontsize(9)
    ax.set_xticks(sorted({k[2] for k in table}))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "loader_speed.png"), dpi=120)


def plot_rss(run_dir, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for budget, color in ((64, "tab:blue"), (256, "tab:red")):
        for events, style in (("1M", ":"), ("10M", "-")):
            path = os.path.join(run_dir, f"rss_{events}_{budget}.txt")
            if not os.path.exists(path):
                continue
            data = np.loadtxt(path, ndmin=2)
            ax.plot(data[:, 0], data[:, 1], style, color=color, label=f"{events} events, budget {budget} MiB")
        ax.axhline(budget, color=color, lw=0.8, alpha=0.6)
        ax.axhline(budget + 64, color=color, lw=0.8, ls="--", alpha=0.6)
    ax.set_xlabel("seconds")
    ax.set_ylabel("RSS (MiB)")
    ax.set_title("RSS over one epoch; solid lines: budget, dashed: budget + 64 MiB")
    ax.title.set_fontsize(9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "loader_rss.png"), dpi=120)


def plot_order(run_dir, out):
    panels = [("order_stream.bin", "stream (default), stratified blocks"),
              ("order_cluster_chunks.bin", "ROOT 6.40 style (cluster chunks)")]
    panels = [(os.path.join(run_dir, f), t) for f, t in panels if os.path.exists(os.path.join(run_dir, f))]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.5), squeeze=False)
    for ax, (path, title) in zip(axes[0], panels):
        order = np.fromfile(path, dtype="<i8")
        step = max(1, len(order) // 200_000)
        positions = np.arange(0, len(order), step)
        ax.scatter(positions / 1e6, order[::step] / 1e6, s=0.2, alpha=0.3, rasterized=True)
        ax.set_xlabel("output position (M events)")
        ax.set_ylabel("global entry index (M)")
        ax.set_title(f"{title}\nbudget 58 MB = 5 % of the data", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "loader_order.png"), dpi=120)


def main():
    run_dir = sys.argv[1] if len(sys.argv) > 1 else "out/loader-bench"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/images"
    os.makedirs(out, exist_ok=True)
    runs = load_runs(os.path.join(run_dir, "loader_runs.jsonl"))
    plot_speed(runs, out)
    plot_rss(run_dir, out)
    plot_order(run_dir, out)


if __name__ == "__main__":
    main()
