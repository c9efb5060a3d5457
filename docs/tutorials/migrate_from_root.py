"""Tutorial: a ROOT RDataFrame + RDataLoader script, migrated by changing its prefix.

`selection_loader` below is the usage of ROOT 6.40's documentation
(`ROOT.Experimental.ML.RDataLoader(df, batch_size=..., ...)`, then
`train_test_split(test_size=0.2)` and `as_torch()`), with a NanoAOD
selection, written for ROOT and then carried over by changing `ROOT.` to
`rootbatch.` on its lines and nothing else. rootbatch evaluates the same
Filter/Define strings in C++ without a JIT and streams only the passing
events. With ROOT installed, `--compare` runs the original too and checks
that both give the same batches.

    python docs/tutorials/migrate_from_root.py --file nanoAOD.root [--compare]
"""
import argparse
import inspect
import time

import numpy as np
import torch

import rootbatch


def selection_loader(path, batch_size=16, shuffle=True):
    # Written for ROOT 6.40; every "ROOT." became "rootbatch.".
    df = rootbatch.RDataFrame("Events", path)
    df = df.Filter("nJet >= 2 && nMuon >= 1", "jets and a muon")
    df = df.Define("ht", "Sum(Jet_pt[Jet_pt > 30])")
    df = df.Define("lead_mu_pt", "Muon_pt[0]")
    df = df.Define("lead_mu_iso", "Muon_pfRelIso04_all[0] < 0.15")
    return rootbatch.Experimental.ML.RDataLoader(df, batch_size=batch_size, shuffle=shuffle, drop_remainder=False,
                                                 columns=["ht", "lead_mu_pt", "MET_pt", "nJet", "lead_mu_iso"],
                                                 target="lead_mu_iso")


def original_loader(path, batch_size=16, shuffle=True):
    """The same function as ROOT runs it: the migration undone."""
    import ROOT

    source = inspect.getsource(selection_loader).replace("rootbatch.", "ROOT.")
    scope = {"ROOT": ROOT}
    exec(source, scope)  # noqa: S102 - our own function's text
    return scope["selection_loader"](path, batch_size, shuffle)


def all_batches(loader):
    xs, ys = zip(*[(np.array(x, copy=True), np.array(y, copy=True)) for x, y in loader.as_numpy()])
    return np.concatenate(xs), np.concatenate(ys).reshape(-1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", required=True, help="a NanoAOD file (tree Events)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also run the script with ROOT and compare")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(1)

    start = time.perf_counter()
    dl = selection_loader(args.file)
    train, val = dl.train_test_split(test_size=0.2)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        total, batches = 0.0, 0
        for x, y in train.as_torch():
            x = torch.log1p(torch.clamp(x, min=0))  # pt-like features: compress their range
            loss = loss_fn(model(x), y.float())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total, batches = total + loss.item(), batches + 1
        print(f"epoch {epoch}: {batches} batches, mean loss {total / max(batches, 1):.4f}")
    with torch.no_grad():
        correct = seen = 0
        for x, y in val.as_torch():
            predicted = (model(torch.log1p(torch.clamp(x, min=0))) > 0).float()
            correct += int((predicted == y.float()).sum())
            seen += len(y)
    print(f"validation accuracy {correct / max(seen, 1):.3f} on {seen} events "
          f"({time.perf_counter() - start:.2f} s in all)")

    if args.compare:
        ours = all_batches(selection_loader(args.file, shuffle=False))
        theirs = all_batches(original_loader(args.file, shuffle=False))
        same = ours[0].shape == theirs[0].shape and np.array_equal(ours[0], theirs[0]) and \
            np.array_equal(ours[1].astype(np.float64), theirs[1].astype(np.float64))
        print(f"ROOT and rootbatch give the same {len(ours[0])} events in the same batches: {same}")
        return same
    return True


if __name__ == "__main__":
    main()
