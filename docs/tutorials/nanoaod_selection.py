"""Tutorial: a NanoAOD-style selection with defines, straight into a PyTorch training.

The selection is written as in ROOT's RDataFrame and evaluated in C++ by
rootbatch while it streams (no ROOT, no JIT); the loader yields only the
events that pass, with the defined columns as features:

    df = (rootbatch.RDataFrame("events", path)
          .Filter("nJet >= 2", "two jets")
          .Define("good_jet", "Jet_pt > 30 && abs(Jet_eta) < 2.4")
          .Define("ht", "Sum(Jet_pt[good_jet])")
          .Filter("ht > 100", "HT > 100"))
    df.Report().Print()                              # the cut-flow, as ROOT prints it
    loader = rootbatch.DataLoader(df, columns=[..., "ht"], target="label", weights="weight")

Run it (without --file it writes a sample with jets and muons first):

    python docs/tutorials/nanoaod_selection.py --epochs 2
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

import rootbatch

sys.path.insert(0, os.path.dirname(__file__))
from _sample import auc, ensure_sample  # noqa: E402

FEATURES = ["lepton_pT", "lepton_eta", "missing_energy_magnitude", "ht", "n_good_jets", "lead_jet_pt", "mjj",
            "lead_muon_pt"]


def selection(path):
    """The event selection and the derived variables, RDataFrame style."""
    return (rootbatch.RDataFrame("events", path)
            .Filter("nJet >= 2", "two jets")
            .Define("good_jet", "Jet_pt > 30 && abs(Jet_eta) < 2.4")
            .Define("ht", "Sum(Jet_pt[good_jet])")
            .Define("n_good_jets", "Sum(good_jet)")
            .Define("lead_jet_pt", "Max(Jet_pt)")
            # The invariant mass of the two leading jets (Take keeps the first two).
            .Define("mjj", "InvariantMass(Take(Jet_pt, 2), Take(Jet_eta, 2), Take(Jet_phi, 2), Take(Jet_mass, 2))")
            .Define("lead_muon_pt", "Muon_pt.size() > 0 ? Muon_pt[0] : 0.f")
            .Filter("ht > 100", "HT > 100"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="ROOT file with jets and muons (default: write samples/selection.root)")
    parser.add_argument("--events", type=int, default=200_000, help="events of the sample written without --file")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--memory", default="128MB")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # leave the second core to the loader's threads

    path = args.file or ensure_sample("samples/selection.root", args.events, features=6)
    df = selection(path)
    print(f"{path}: {df.Count().GetValue()} events pass the selection")
    df.Report().Print()

    loader = rootbatch.DataLoader(df, columns=FEATURES, target="label", weights="weight", target_type="float32",
                                  batch_size=args.batch_size, memory=args.memory, seed=1)
    train, val = loader.train_test_split(test_size=0.2)

    first = np.concatenate([b.numpy()[0] for b, _ in zip(train, range(10))])
    mean, std = torch.from_numpy(first.mean(axis=0)), torch.from_numpy(first.std(axis=0) + 1e-6)
    model = torch.nn.Sequential(torch.nn.Linear(len(FEATURES), 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")

    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        start, events = time.perf_counter(), 0
        for x, y, w in train.as_torch():
            loss = (loss_fn(model((x - mean) / std), y)[:, 0] * w).sum() / w.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            events += len(x)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            parts = [(model((x - mean) / std)[:, 0].numpy(), y[:, 0].numpy().copy(), w.numpy().copy())
                     for x, y, w in val.as_torch()]
        scores, labels, weights = (np.concatenate(p) for p in zip(*parts))
        val_auc = auc(scores, labels, weights)
        print(f"epoch {epoch}: {events} selected events in {seconds:.2f} s, validation AUC {val_auc:.4f}")
    print(f"validation AUC {val_auc:.4f}")
    return val_auc


if __name__ == "__main__":
    main()
