"""Particle clouds: rootbatch's collections + preprocessing against the path
weaver-core takes (python/benchmarks/particles_peer.py: uproot + awkward +
NumPy), one shuffled epoch each, on a `make-sample --kind particles` file
(issue 16; docs/benchmarks.md, "Particle clouds").

    PYTHONPATH=build/dev/python python python/benchmarks/particles_bench.py \\
        --file /tmp/pub/particles500k.root --rounds 2 [--threads 1 2] [--json results.json]

What each side produces per batch (batch 1024): all 24 `part_*` columns as
[B, 24, 128] float32 (BFP, ParT's layout), particles sorted by part_pt
(largest first), padded with 0, a [B, 128] mask, every member standardised
("auto": centre and scale from a sample of the data) and clipped to
[-5, 5], and the class index of the one-hot `label_*` branches.

  rootbatch  DataLoader over RDataFrame(...).Define("label", "label_Hbb +
             2 * label_Hcc + ...") with collections={"part": {24 columns,
             max_length 128, layout BFP, sort_by part_pt, mask}},
             preprocessing={each: standardize "auto", clip (-5, 5)},
             one feature column (jet_pt, standardised too), batches as torch
             tensors (as_torch), memory=--memory, num_threads=T.
  peer       particles_peer.py FILE --memory --layout BFP --batch-size 1024
             --workers W: W = 0 for one thread (everything in the main
             process), W = T worker processes of a torch DataLoader for T > 0
             threads (plus --peer-workers to run other counts).

Each run is a fresh process (`python -c` or the peer script), timed from
before the loader is made (imports excluded) to the last batch: the "auto"
pass, opening the files and the epoch. The standardisation pass is also
timed alone (rootbatch: `loader.preprocessing`, which makes the loader and
samples --preprocessing-sample jets of the training split; the peer: its
stats_s, mean and spread over its first chunk), and jets/s without it. Pairs are interleaved: for each round,
for each thread count, rootbatch then the peer. Peak RSS: the process's own
ru_maxrss (for the peer with workers, its main process and its largest
worker); CPU: user + system seconds of the process and its workers,
imports included (resource.getrusage(RUSAGE_CHILDREN) around each run).
The machine's load average is printed before and after each run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
PEER = REPO / "python" / "benchmarks" / "particles_peer.py"

FEATURES = [
    "part_px", "part_py", "part_pz", "part_energy", "part_deta", "part_dphi", "part_pt", "part_eta",
    "part_phi", "part_d0val", "part_d0err", "part_dzval", "part_dzerr", "part_charge",
    "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton", "part_isElectron", "part_isMuon",
    "part_ptrel", "part_erel", "part_deltaR", "part_mass", "part_d0sig",
]

# One rootbatch epoch in a fresh interpreter; prints one JSON line.
CHILD = r"""
import json, resource, sys, time
config = json.loads(sys.argv[1])
import rootbatch, torch
start = time.perf_counter()
names = [c.name for c in rootbatch.open(config["file"])["events"].columns if c.name.startswith("label_")]
index = " + ".join(f"{i} * {name}" for i, name in enumerate(names) if i > 0)
df = rootbatch.RDataFrame("events", config["file"]).Define("label", index)
features = config["features"]
loader = rootbatch.DataLoader(
    df, columns=["jet_pt"], target="label", target_type="int64", batch_size=config["batch_size"],
    memory=config["memory"], num_threads=config["threads"], seed=1,
    collections={"part": {"columns": features, "max_length": config["max_length"], "layout": "BFP",
                          "sort_by": "part_pt", "mask": True}},
    preprocessing={name: {"standardize": "auto", "clip": (-5, 5)} for name in features + ["jet_pt"]},
    preprocessing_sample=config["preprocessing_sample"])
auto_start = time.perf_counter()
loader.preprocessing  # makes the loader: the "auto" pass (it would run before the first batch anyway)
auto_s = time.perf_counter() - auto_start
jets, first, shape = 0, None, None
for x, y in loader.as_torch():
    if first is None:
        first = time.perf_counter() - start
        shape = list(x["part"].shape)
    jets += len(y)
seconds = time.perf_counter() - start
stats = loader.stats
print(json.dumps({"who": "rootbatch", "jets": jets, "seconds": seconds, "jets_per_s": jets / seconds,
                  "first_batch_s": first, "stats_s": auto_s, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "threads": config["threads"], "first_batch_shape": shape,
                  "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float))}}))
"""


def load_average() -> str:
    try:
        return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(who: str, cmd: list[str], env: dict, timeout: int) -> dict:
    cpu = children_cpu_s()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"the {who} run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # User + system CPU of the process and its workers (waited for), imports included.
    result["cpu_s"] = children_cpu_s() - cpu
    return result


def run_rootbatch(args, threads: int, env: dict) -> dict:
    config = {"file": args.file, "threads": threads, "batch_size": args.batch_size, "memory": args.memory,
              "max_length": args.max_length, "features": FEATURES,
              "preprocessing_sample": args.preprocessing_sample}
    return run("rootbatch", [sys.executable, "-c", CHILD, json.dumps(config)], env, args.timeout)


def run_peer(args, workers: int, env: dict) -> dict:
    result = run("peer", [sys.executable, str(PEER), args.file, "--memory", args.memory, "--layout", "BFP",
                  "--batch-size", str(args.batch_size), "--max-particles", str(args.max_length),
                  "--workers", str(workers), "--json"], env, args.timeout)
    result["who"] = "peer"
    return result


def summary(label: str, runs: list[dict]) -> str:
    rates = [r["jets_per_s"] for r in runs]
    firsts = [r["first_batch_s"] for r in runs]
    rss = [r["peak_rss_mb"] for r in runs]
    worker_rss = [r.get("peak_rss_children_mb", 0.0) for r in runs]
    extra = f", largest worker {max(worker_rss):.0f} MB" if max(worker_rss) > 0 else ""
    cpu = [r["jets"] / r["cpu_s"] for r in runs]
    epoch = [r["jets"] / (r["seconds"] - r["stats_s"]) for r in runs if "stats_s" in r]
    return (f"{label:<22} jets/s median {statistics.median(rates):>8,.0f} (runs: "
            f"{', '.join(f'{r:,.0f}' for r in rates)}), jets per CPU-second {statistics.median(cpu):,.0f}, "
            f"without the standardisation pass {statistics.median(epoch):,.0f}, "
            f"first batch {statistics.median(firsts):.2f} s, peak RSS {max(rss):.0f} MB{extra}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", default="/tmp/pub/particles500k.root")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                   help="rootbatch num_threads; the peer runs --workers 0 for 1 and --workers T for T > 1")
    p.add_argument("--peer-workers", type=int, nargs="*", default=None,
                   help="peer --workers values to run in each round instead of those from --threads")
    p.add_argument("--memory", default="256MB", help="both loaders' memory (rootbatch memory=, peer --memory)")
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--preprocessing-sample", type=int, default=100_000, help="rootbatch's 'auto' sample (jets)")
    p.add_argument("--only", choices=["rootbatch", "peer"], help="run one side only")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    p.add_argument("--json", help="write every run here")
    args = p.parse_args(argv)
    if not os.path.exists(args.file):
        raise SystemExit(f"{args.file} not found: rootbatch make-sample {args.file} --kind particles --events 500000")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    peer_workers = (args.peer_workers if args.peer_workers is not None
                    else [0 if t == 1 else t for t in args.threads])
    plan = []  # (who, count), interleaved per round
    for i in range(max(len(args.threads), len(peer_workers))):
        if i < len(args.threads) and args.only != "peer":
            plan.append(("rootbatch", args.threads[i]))
        if i < len(peer_workers) and args.only != "rootbatch":
            plan.append(("peer", peer_workers[i]))
    print(f"{args.file}: {os.path.getsize(args.file) / 1e6:.0f} MB; {os.cpu_count()} CPUs; plan per round: "
          f"{', '.join(f'{w} {n}' for w, n in plan)}", flush=True)
    results = []
    for r in range(args.rounds):
        for who, count in plan:
            load = load_average()
            started = time.time()
            result = (run_rootbatch(args, count, env) if who == "rootbatch" else run_peer(args, count, env))
            result.update(round=r, load_before=load, load_after=load_average(),
                          label=f"rootbatch threads={count}" if who == "rootbatch" else f"peer workers={count}",
                          wall_s=time.time() - started)
            results.append(result)
            print(f"round {r} {result['label']:<22} {result['jets']} jets {result['seconds']:7.2f} s "
                  f"{result['jets_per_s']:>9,.0f} jets/s, standardisation pass {result['stats_s']:.2f} s, "
                  f"first batch {result['first_batch_s']:.2f} s, peak RSS "
                  f"{result['peak_rss_mb']:.0f} MB, CPU {result['cpu_s']:.1f} s"
                  + (f" (worker {result['peak_rss_children_mb']:.0f} MB)" if result.get("peak_rss_children_mb") else "")
                  + f"; load {load} -> {result['load_after']}", flush=True)
            if args.json:
                pathlib.Path(args.json).write_text(json.dumps(results, indent=1))
    print()
    labels = list(dict.fromkeys(r["label"] for r in results))
    for label in labels:
        print(summary(label, [r for r in results if r["label"] == label]))
    medians = {label: statistics.median(r["jets_per_s"] for r in results if r["label"] == label) for label in labels}
    for ours in (label for label in labels if label.startswith("rootbatch")):
        print(f"{ours}: " + ", ".join(f"{medians[ours] / medians[theirs]:.1f}x {theirs}"
                                      for theirs in labels if theirs.startswith("peer")) + " (medians of jets/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
