"""Tutorial: train a PyTorch classifier on a ROOT file with rootbatch.

The five lines that matter:

    loader = rootbatch.DataLoader(path, tree="events", columns=features, target="label",
                                  weights="weight", batch_size=1024, memory="256MB")
    train, val = loader.train_test_split(test_size=0.2)
    for epoch in range(epochs):
        for x, y, w in train.as_torch(progress=True):
            ...  # an ordinary training step

Run it (scripts/demo does, on a sample it writes first):

    python docs/tutorials/pytorch_classifier.py --file my.root --epochs 3
"""
import argparse
import resource
import sys
import time

import numpy as np
import torch

import rootbatch

sys.path.insert(0, __import__("os").path.dirname(__file__))
from _sample import auc, ensure_sample  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="ROOT file (default: write samples/demo.root)")
    parser.add_argument("--events", type=int, default=500_000, help="events of the sample written without --file")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--memory", default="256MB", help="the loader's memory budget")
    parser.add_argument("--threads", type=int, default=2, help="decompression threads")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch's intra-op threads: leave cores to the loader (OpenMP threads "
                             "that spin while the loader's threads want the core slow both down)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(args.torch_threads)

    path = args.file or ensure_sample("samples/demo.root", args.events)
    tree = rootbatch.open(path)["events"]
    # Every flat float feature; label, weight and event_id are not features.
    features = [c.name for c in tree.columns
                if c.kind == "scalar" and c.dtype == "float32" and c.name not in ("weight",)]
    print(f"{path}: {tree.num_entries} events, {len(features)} features")

    loader = rootbatch.DataLoader(path, tree="events", columns=features, target="label", weights="weight",
                                  target_type="float32", batch_size=args.batch_size, memory=args.memory,
                                  num_threads=args.threads, seed=1)
    train, val = loader.train_test_split(test_size=0.2)
    progress = not args.no_progress

    # Standardise the inputs with statistics from one pass over a few batches.
    first = [x for x, _, _ in (b.numpy() for b, _ in zip(train, range(20)))]
    mean = torch.from_numpy(np.concatenate(first).mean(axis=0))
    std = torch.from_numpy(np.concatenate(first).std(axis=0) + 1e-6)

    model = torch.nn.Sequential(
        torch.nn.Linear(len(features), 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 1),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")

    events, seconds = 0, 0.0
    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        model.train()
        start = time.perf_counter()
        for x, y, w in train.as_torch(progress=f"epoch {epoch}" if progress else False):
            loss = (loss_fn(model((x - mean) / std), y)[:, 0] * w).sum() / w.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            events += len(x)
        seconds += time.perf_counter() - start

        model.eval()
        scores, labels, weights = [], [], []
        with torch.no_grad():
            for x, y, w in val.as_torch():
                scores.append(model((x - mean) / std)[:, 0].numpy())
                labels.append(y[:, 0].numpy().copy())
                weights.append(w.numpy().copy())
        val_auc = auc(np.concatenate(scores), np.concatenate(labels), np.concatenate(weights))
        print(f"epoch {epoch}: loss {loss.item():.4f}, validation AUC {val_auc:.4f}")

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"validation AUC {val_auc:.4f}")
    print(f"training throughput {events / seconds:,.0f} events/s (loader + model, {events} events in {seconds:.1f} s)")
    print(f"peak memory (RSS) {peak_mib:.0f} MiB; loader stats: {train.stats}")
    return val_auc


if __name__ == "__main__":
    main()
