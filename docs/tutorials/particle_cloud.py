"""Tutorial: a particle-cloud jet tagger (DeepSets) in PyTorch, fed straight from ROOT.

Each jet is a cloud of up to 128 particles stored as many `std::vector<float>`
branches of one collection (`part_pt`, `part_deta`, ...). rootbatch groups
them into one padded tensor with a mask, sorts the particles by pt, and
standardises and clips every variable in C++ on its workers:

    df = rootbatch.RDataFrame("events", path).Define("label", "label_Hbb + 2 * label_Hcc + 3 * label_Tbqq")
    loader = rootbatch.DataLoader(
        df, columns=["jet_pt", ...], target="label",
        collections={"part": {"columns": ["part_deta", "part_dphi", "part_pt", ...], "max_length": 64,
                              "layout": "BPF", "sort_by": "part_pt", "mask": True}},
        preprocessing={"part_pt": {"log": True, "standardize": "auto", "clip": (-5, 5)}, ...})
    train, val = loader.train_test_split(test_size=0.2)
    for x, y in train.as_torch():
        x["part"]        # [B, 64, F] float32, particles by decreasing pt, padded with 0
        x["part_mask"]   # [B, 64] bool, True for real particles
        x["features"]    # [B, J] the jet-level columns
    train.save_preprocessing("preprocessing.json")   # the "auto" numbers, for inference

The labels of the sample are one-hot bools (`label_QCD`, `label_Hbb`, ...);
the `Define` turns them into a class index. The model is DeepSets: a small
MLP on every particle, a masked mean over the real particles (padding never
counts), then an MLP on the pooled vector and the jet features.

On the default sample (`rootbatch make-sample --kind particles`: four classes
QCD, Hbb, Hcc, Tbqq, so chance is 0.25), 30 000 jets (24 000 for training)
and 6 epochs reach a validation accuracy of 0.955 in 19 s on the project's
shared 2-core VM (under load; 2026-12-07); the jet features alone (with the
particle count) reach 0.74 in the same model, the particles alone 0.93. The
CI test (20 000 jets, 3 epochs: 0.92 in 8 s) asserts more than twice chance.
The confusion matrix is printed at the end.

Run it (without an existing --file it writes the sample with the CLI first):

    python docs/tutorials/particle_cloud.py --events 30000 --epochs 6
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

import rootbatch

sys.path.insert(0, os.path.dirname(__file__))
from _sample import find_cli  # noqa: E402

# 16 of the sample's 24 per-particle features (docs/particles.md), with how to
# preprocess each: log for the positive-definite momenta, then a standard
# score from a sample of the training split ("auto"), clipped to [-5, 5].
AUTO = {"standardize": "auto", "clip": (-5, 5)}
LOG_AUTO = {"log": True, "standardize": "auto", "clip": (-5, 5)}
PARTICLE_FEATURES = {
    "part_pt": LOG_AUTO, "part_energy": LOG_AUTO, "part_ptrel": LOG_AUTO, "part_erel": LOG_AUTO,
    "part_deta": AUTO, "part_dphi": AUTO, "part_deltaR": AUTO,
    "part_d0val": AUTO, "part_dzval": AUTO, "part_d0sig": AUTO,
    "part_charge": {},  # -1, 0, 1: as it is
    "part_isChargedHadron": {}, "part_isNeutralHadron": {}, "part_isPhoton": {}, "part_isElectron": {},
    "part_isMuon": {},
}
# Jet-level features beside the cloud; the N-subjettiness ratios are defined.
JET_FEATURES = {"jet_pt": LOG_AUTO, "jet_eta": AUTO, "jet_sdmass": AUTO, "jet_nparticles": AUTO,
                "tau21": AUTO, "tau32": AUTO}


def ensure_particle_sample(path, events, seed=42):
    """Writes `rootbatch make-sample --kind particles` at `path` unless a file is there."""
    path = pathlib.Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([find_cli(), "make-sample", str(path), "--kind", "particles", "--events", str(events),
                        "--seed", str(seed), "--quiet"], check=True)
    return str(path)


def class_names(path):
    """The one-hot label branches in file order: label_QCD, label_Hbb, ..."""
    return [c.name for c in rootbatch.open(path)["events"].columns if c.name.startswith("label_")]


def frame(path, labels):
    """The jets with a class index (0 for the first label, 1 for the second, ...) and the tau ratios."""
    index = " + ".join(f"{i} * {name}" for i, name in enumerate(labels) if i > 0)
    return (rootbatch.RDataFrame("events", path)
            .Define("label", index)
            .Define("tau21", "jet_tau1 > 0 ? jet_tau2 / jet_tau1 : 0.f")
            .Define("tau32", "jet_tau2 > 0 ? jet_tau3 / jet_tau2 : 0.f"))


def make_loader(df, args, preprocessing):
    return rootbatch.DataLoader(
        df, columns=list(JET_FEATURES), target="label", target_type="int64",
        batch_size=args.batch_size, memory=args.memory, num_threads=args.threads, seed=1,
        collections={"part": {"columns": list(PARTICLE_FEATURES), "max_length": args.max_length,
                              "layout": "BPF", "sort_by": "part_pt", "mask": True}},
        preprocessing=preprocessing, preprocessing_sample=10_000)


class DeepSets(torch.nn.Module):
    """phi on every particle, a masked mean over the real ones, rho on [pooled, jet features]."""

    def __init__(self, particle_features, jet_features, classes, hidden=64):
        super().__init__()
        self.phi = torch.nn.Sequential(
            torch.nn.Linear(particle_features, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.ReLU())
        self.rho = torch.nn.Sequential(
            torch.nn.Linear(hidden + jet_features + 1, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, classes))

    def forward(self, particles, mask, jets):
        # particles [B, P, F], mask [B, P] (True for a real particle), jets [B, J]
        weight = mask.unsqueeze(-1).to(particles.dtype)                # [B, P, 1]
        count = weight.sum(dim=1).clamp(min=1.0)                     # [B, 1] real particles
        pooled = (self.phi(particles) * weight).sum(dim=1) / count   # masked mean: padding never counts
        multiplicity = count / mask.shape[1]
        return self.rho(torch.cat([pooled, jets, multiplicity], dim=1))


def evaluate(model, loader, classes):
    """Accuracy and confusion matrix (rows: true class, columns: predicted) over one pass."""
    confusion = np.zeros((classes, classes), dtype=np.int64)
    model.eval()
    with torch.no_grad():
        for x, y in loader.as_torch():
            predicted = model(x["part"], x["part_mask"], x["features"]).argmax(dim=1)
            np.add.at(confusion, (y[:, 0].numpy(), predicted.numpy()), 1)
    return np.trace(confusion) / confusion.sum(), confusion


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="samples/particles.root",
                        help="a `make-sample --kind particles` file; written with --events jets if missing")
    parser.add_argument("--events", type=int, default=30_000, help="jets of the sample written when --file is missing")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--max-length", type=int, default=64, help="particles per jet (the hardest ones)")
    parser.add_argument("--memory", default="128MB", help="the loader's memory budget")
    parser.add_argument("--threads", type=int, default=1, help="the loader's decompression threads")
    parser.add_argument("--preprocessing-json", help="where to save the preprocessing numbers "
                                                     "(default: a temporary file)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # leave a core to the loader's threads
    started = time.perf_counter()

    path = ensure_particle_sample(args.file, args.events)
    labels = class_names(path)
    classes = len(labels)
    df = frame(path, labels)
    preprocessing = {**PARTICLE_FEATURES, **JET_FEATURES}
    preprocessing = {column: spec for column, spec in preprocessing.items() if spec}
    train, val = make_loader(df, args, preprocessing).train_test_split(test_size=0.2)
    print(f"{path}: {rootbatch.open(path)['events'].num_entries} jets, classes {labels} "
          f"(chance {1 / classes:.2f}); {len(PARTICLE_FEATURES)} particle features x {args.max_length}, "
          f"{len(JET_FEATURES)} jet features")

    model = DeepSets(len(PARTICLE_FEATURES), len(JET_FEATURES), classes)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(args.epochs, 1))
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        model.train()
        total, jets = 0.0, 0
        for x, y in train.as_torch():
            loss = loss_fn(model(x["part"], x["part_mask"], x["features"]), y[:, 0])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(y)
            jets += len(y)
        scheduler.step()
        accuracy, _ = evaluate(model, val, classes)
        print(f"epoch {epoch}: {jets} jets, loss {total / jets:.4f}, validation accuracy {accuracy:.4f}")

    # The "auto" numbers were computed once, from the training split; the
    # validation loader of the split applies the same ones. Saved as JSON,
    # they are what inference (or another job) gives back as preprocessing=.
    numbers = train.preprocessing
    print("preprocessing (centre, scale):",
          ", ".join(f"{c} ({s['standardize'][0]:.3g}, {s['standardize'][1]:.3g})"
                    for c, s in numbers.items() if "standardize" in s))
    json_path = args.preprocessing_json or os.path.join(tempfile.mkdtemp(), "preprocessing.json")
    train.save_preprocessing(json_path)
    # A validation loader made afresh from the saved file: the same split (same
    # seed), the same numbers, so the same accuracy as the split's own loader.
    _, val_again = make_loader(df, args, json_path).train_test_split(test_size=0.2)
    same = all(val_again.preprocessing[c].get("standardize") == s.get("standardize") for c, s in numbers.items())
    accuracy, confusion = evaluate(model, val, classes)
    accuracy_again, _ = evaluate(model, val_again, classes)
    print(f"saved {len(json.load(open(json_path))['columns'])} columns' numbers to {json_path}; a validation "
          f"loader given that file applies the same numbers: {same}, accuracy {accuracy_again:.4f}")
    print("confusion (rows: true, columns: predicted):")
    for name, row in zip(labels, confusion):
        print(f"  {name:>12} " + " ".join(f"{v:6d}" for v in row))
    print(f"validation accuracy {accuracy:.4f} (chance {1 / classes:.2f}) in {time.perf_counter() - started:.1f} s")
    if not same or accuracy_again != accuracy:
        raise SystemExit("the loader from the saved preprocessing did not reproduce the validation accuracy")
    return accuracy


if __name__ == "__main__":
    main()
