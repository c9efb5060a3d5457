"""ROOT 6.40's RDataLoader and rootbatch's DataLoader over the same file and
the same RDataFrame chain, one epoch each, each in its own process:
events/s, input events/s, time to the first batch and peak RSS, as JSON lines.

    python python/benchmarks/bench_vs_root_loader.py FILE --tree events \\
        --columns a,b,c --target label [--filter EXPR]... [--define NAME=EXPR]... \\
        [--batches-in-memory 100] [--reps 3]

Equal memory: ROOT holds `batches_in_memory` batches of rows; rootbatch gets
a budget of the same rows' bytes (4 bytes per column), at least 4 MB. The
time to the first batch counts from after `import` (ROOT's import alone
takes seconds) to the first batch in hand, the RDataFrame and loader
construction included. Runs alternate between the two, `--reps` times.
"""
import argparse
import json
import resource
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
cfg = json.loads(sys.argv[1])
if cfg["who"] == "root":
    import ROOT
    mod, make = ROOT, lambda df, cols: ROOT.Experimental.ML.RDataLoader(
        df, batch_size=cfg["batch_size"], batches_in_memory=cfg["batches_in_memory"], columns=cols + [cfg["target"]],
        target=cfg["target"], shuffle=True, drop_remainder=False, set_seed=1)
else:
    import rootbatch
    mod, make = rootbatch, lambda df, cols: rootbatch.DataLoader(
        df, columns=cols, target=cfg["target"], batch_size=cfg["batch_size"], memory=cfg["memory"], seed=1,
        num_threads=2)
start = time.perf_counter()
df = mod.RDataFrame(cfg["tree"], cfg["file"])
for kind, a, b in cfg["ops"]:
    df = df.Filter(a) if kind == "filter" else df.Define(a, b)
loader = make(df, cfg["columns"])
it = iter(loader.as_numpy())
x = next(it)[0]
first = time.perf_counter() - start
events = len(x)
for batch in it:
    events += len(batch[0])
seconds = time.perf_counter() - start
print(json.dumps({"who": cfg["who"], "events": events, "seconds": seconds, "first_batch_s": first,
                  "events_per_s": events / seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("--tree", default="events")
    p.add_argument("--columns", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--define", action="append", default=[])
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--batches-in-memory", type=int, default=100)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--input-events", type=int, default=0, help="entries of the file, for input events/s")
    args = p.parse_args()
    ops = [("define", *d.split("=", 1)) for d in args.define] + [("filter", f, "") for f in args.filter]
    # Defines first, then filters, unless a filter names no define: keep the command-line meaning simple.
    columns = args.columns.split(",")
    memory_bytes = max(4 << 20, args.batches_in_memory * args.batch_size * 4 * (len(columns) + 1))
    base = dict(file=args.file, tree=args.tree, columns=columns, target=args.target, ops=ops,
                batch_size=args.batch_size, batches_in_memory=args.batches_in_memory, memory=memory_bytes)
    for rep in range(args.reps):
        for who in ("rootbatch", "root"):
            proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(dict(base, who=who))],
                                  capture_output=True, text=True, timeout=3600)
            if proc.returncode != 0:
                sys.exit(f"{who} failed:\n{proc.stderr[-3000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result.update(rep=rep, memory_mb=memory_bytes / 2**20, batches_in_memory=args.batches_in_memory,
                          filters=args.filter, defines=args.define, file=args.file)
            if args.input_events:
                result["input_events_per_s"] = args.input_events / result["seconds"]
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
