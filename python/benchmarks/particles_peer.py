"""The path weaver-core takes to particle-level batches, as a peer for
rootbatch's collections (issue 16): uproot reads chunks of a
`rootbatch make-sample --kind particles` file, awkward builds the particle
arrays, NumPy pads, standardises and batches them. Weaver itself is not
installable here; this does what its reading and preprocessing do, with
vectorised awkward operations throughout.

    python python/benchmarks/particles_peer.py FILE [FILE ...] [--memory 256MB]
        [--workers N] [--layout BFP|BPF] [--batch-size 1024] [--seed 1] [--json]
    python python/benchmarks/particles_peer.py FILE --check OUT.npz [--check-jets N]

One epoch: the files' entries are cut into chunks of as many jets as
`--memory` holds once padded (128 x 24 float32 plus the mask, about 12.4 kB a
jet; with workers each gets memory / workers); the chunks are read in a
random order, each one in one `tree.arrays` call (as weaver reads), then for
each chunk:
  - every particle feature is standardised with fixed (centre, scale)
    numbers, mean and standard deviation over the real particles of the
    first chunk of the first file (computed once before the epoch, as
    weaver's `auto` does in its own pass), and clipped to [-5, 5];
  - particles are sorted by part_pt, descending, within each jet
    (ak.argsort), padded or clipped to 128 (ak.pad_none, ak.fill_none with
    0, ak.to_numpy) and stacked into [B, 24, 128] (--layout BFP, ParT's) or
    [B, 128, 24] (BPF) float32, with a mask [B, 128] (1 for real particles);
  - the label is the index of the true one-hot label_* branch;
  - the chunk's jets are served in a random permutation, in batches of
    --batch-size (a batch may span two chunks; the last one may be short).
With --workers N, a torch DataLoader runs N worker processes over an
IterableDataset; each worker takes its contiguous share of every file's
entries (as weaver splits them) and yields whole batches (batch_size=None),
so the batches arrive as torch tensors. Reported: jets, seconds from after
the imports to the last batch (opening the files and the standardisation
pass included), time to the first batch, the standardisation pass's time,
and peak RSS of this process and of its largest worker
(resource.getrusage); one JSON line with --json.

--check writes the first N jets (file order, not shuffled, not
standardised) as they would be padded: x in --layout, mask, label,
event_id (when the file has it) and the feature names, to an .npz.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import dataclass

import awkward as ak
import numpy as np
import uproot

FEATURES = [
    "part_px", "part_py", "part_pz", "part_energy", "part_deta", "part_dphi", "part_pt", "part_eta",
    "part_phi", "part_d0val", "part_d0err", "part_dzval", "part_dzerr", "part_charge",
    "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton", "part_isElectron", "part_isMuon",
    "part_ptrel", "part_erel", "part_deltaR", "part_mass", "part_d0sig",
]
SORT_BY = "part_pt"
CLIP = np.float32(5.0)


def parse_bytes(text: str) -> int:
    units = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 2**10, "mib": 2**20, "gib": 2**30, "b": 1}
    lowered = text.strip().lower()
    for unit in sorted(units, key=len, reverse=True):
        if lowered.endswith(unit):
            return int(float(lowered[: -len(unit)]) * units[unit])
    return int(float(lowered))


@dataclass
class Config:
    files: list[str]
    tree: str = "events"
    max_particles: int = 128
    layout: str = "BFP"
    batch_size: int = 1024
    memory: int = 256 * 10**6
    seed: int = 1
    workers: int = 0

    def padded_bytes_per_jet(self) -> int:
        return self.max_particles * (4 * len(FEATURES) + 1) + 8  # x, mask, label

    def chunk_jets(self) -> int:
        share = self.memory // max(1, self.workers)
        return max(self.batch_size, share // self.padded_bytes_per_jet())


def label_branches(tree) -> list[str]:
    return [name for name in tree.keys() if name.startswith("label_")]


def pad_features(arrays, config: Config, centre=None, scale=None) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, padded (and, with centre/scale, standardised and clipped) features
    [B, F, P] or [B, P, F] and the mask [B, P] of one chunk of jets."""
    order = ak.argsort(arrays[SORT_BY], axis=1, ascending=False)
    columns = []
    for k, name in enumerate(FEATURES):
        values = arrays[name]
        if centre is not None:
            values = np.minimum(np.maximum((values - np.float32(centre[k])) / np.float32(scale[k]), -CLIP), CLIP)
        padded = ak.fill_none(ak.pad_none(values[order], config.max_particles, axis=1, clip=True), 0.0)
        columns.append(ak.to_numpy(padded).astype(np.float32, copy=False))
    x = np.stack(columns, axis=1 if config.layout == "BFP" else 2)
    counts = ak.to_numpy(ak.num(arrays[SORT_BY], axis=1))
    mask = np.arange(config.max_particles)[None, :] < counts[:, None]
    return x, mask


def class_index(arrays, labels: list[str]) -> np.ndarray:
    onehot = np.stack([ak.to_numpy(arrays[name]) for name in labels], axis=1)
    return np.argmax(onehot, axis=1).astype(np.int64)


def standardisation(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """(centre, scale) per feature: mean and standard deviation over the real
    particles of the first chunk of the first file."""
    tree = uproot.open(config.files[0])[config.tree]
    arrays = tree.arrays(FEATURES, entry_start=0, entry_stop=min(tree.num_entries, config.chunk_jets()))
    centre = np.empty(len(FEATURES))
    scale = np.empty(len(FEATURES))
    for k, name in enumerate(FEATURES):
        flat = ak.to_numpy(ak.flatten(arrays[name])).astype(np.float64)
        centre[k] = flat.mean()
        spread = flat.std()
        scale[k] = spread if spread > 0 else 1.0
    return centre, scale


def chunk_ranges(config: Config, entries: list[int], worker: int, workers: int) -> list[tuple[int, int, int]]:
    """(file index, start, stop) of the chunks of this worker's share of every file."""
    step = config.chunk_jets()
    chunks = []
    for f, n in enumerate(entries):
        lo, hi = n * worker // workers, n * (worker + 1) // workers
        chunks.extend((f, start, min(hi, start + step)) for start in range(lo, hi, step))
    return chunks


def iterate_batches(config: Config, centre, scale, worker: int = 0, workers: int = 1):
    """One epoch of this worker's share: (x, mask, label) NumPy batches."""
    rng = np.random.default_rng([config.seed, worker])
    trees = [uproot.open(path)[config.tree] for path in config.files]
    labels = label_branches(trees[0])
    chunks = chunk_ranges(config, [t.num_entries for t in trees], worker, workers)
    carry = None  # jets left over from the previous chunk, fewer than a batch
    for c in rng.permutation(len(chunks)):
        f, start, stop = chunks[c]
        arrays = trees[f].arrays(FEATURES + labels, entry_start=start, entry_stop=stop)
        x, mask = pad_features(arrays, config, centre, scale)
        y = class_index(arrays, labels)
        perm = rng.permutation(len(y))
        begin = 0
        if carry is not None:
            need = config.batch_size - len(carry[2])
            take = perm[:need]
            carry = tuple(np.concatenate([a, b[take]]) for a, b in zip(carry, (x, mask, y)))
            begin = len(take)
            if len(carry[2]) < config.batch_size:
                continue
            yield carry
            carry = None
        for i in range(begin, len(perm), config.batch_size):
            take = perm[i : i + config.batch_size]
            if len(take) < config.batch_size:
                carry = (x[take], mask[take], y[take])
                break
            yield x[take], mask[take], y[take]
    if carry is not None:
        yield carry


def make_torch_loader(config: Config, centre, scale):
    import torch  # noqa: PLC0415  (only for --workers)

    class PeerDataset(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
            return iterate_batches(config, centre, scale, worker, workers)

    return torch.utils.data.DataLoader(PeerDataset(), batch_size=None, num_workers=config.workers)


def run_epoch(config: Config) -> dict:
    start = time.perf_counter()
    centre, scale = standardisation(config)
    stats_s = time.perf_counter() - start
    if config.workers > 0:
        batches = iter(make_torch_loader(config, centre, scale))
    else:
        batches = iterate_batches(config, centre, scale)
    jets = 0
    first = None
    shape = None
    for x, mask, y in batches:
        if first is None:
            first = time.perf_counter() - start
            shape = list(x.shape)
        jets += len(y)
    seconds = time.perf_counter() - start
    return {
        "who": "peer (uproot + awkward + numpy)", "jets": jets, "seconds": seconds,
        "jets_per_s": jets / seconds if seconds > 0 else 0.0, "first_batch_s": first, "stats_s": stats_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "workers": config.workers, "batch_size": config.batch_size, "memory": config.memory,
        "chunk_jets": config.chunk_jets(), "layout": config.layout, "first_batch_shape": shape,
    }


def write_check(config: Config, out: str, jets: int) -> int:
    """The first `jets` jets in file order, padded and sorted, not standardised."""
    parts = {"x": [], "mask": [], "label": [], "event_id": []}
    done = 0
    for path in config.files:
        tree = uproot.open(path)[config.tree]
        labels = label_branches(tree)
        extra = ["event_id"] if "event_id" in tree.keys() else []
        for arrays in tree.iterate(FEATURES + labels + extra, step_size=min(jets, 20000),
                                   entry_stop=min(tree.num_entries, jets - done)):
            x, mask = pad_features(arrays, config)
            parts["x"].append(x)
            parts["mask"].append(mask)
            parts["label"].append(class_index(arrays, labels))
            if extra:
                parts["event_id"].append(ak.to_numpy(arrays["event_id"]))
            done += len(mask)
        if done >= jets:
            break
    result = {key: np.concatenate(value) for key, value in parts.items() if value}
    np.savez(out, **result, features=np.array(FEATURES), layout=np.array(config.layout))
    return done


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--tree", default="events")
    p.add_argument("--layout", choices=["BFP", "BPF"], default="BFP")
    p.add_argument("--max-particles", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--memory", default="256MB", help="bytes of padded jets held at once (e.g. 256MB, 1GiB)")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.add_argument("--check", metavar="OUT.npz", help="write the first --check-jets padded jets and exit")
    p.add_argument("--check-jets", type=int, default=1000)
    args = p.parse_args(argv)
    config = Config(files=args.files, tree=args.tree, max_particles=args.max_particles, layout=args.layout,
                    batch_size=args.batch_size, memory=parse_bytes(args.memory), seed=args.seed,
                    workers=args.workers)
    if args.check:
        written = write_check(config, args.check, args.check_jets)
        print(f"wrote {written} jets to {args.check}")
        return 0
    result = run_epoch(config)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['jets']} jets in {result['seconds']:.2f} s: {result['jets_per_s']:.0f} jets/s, first batch "
              f"after {result['first_batch_s']:.2f} s, peak RSS {result['peak_rss_mb']:.0f} MB "
              f"(workers {result['peak_rss_children_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
