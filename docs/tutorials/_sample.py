"""Shared by the tutorials: find or write a sample ROOT file with `rootbatch make-sample`.

Your own files need none of this: pass --file. The sample is the project's own
(tree `events`: event_id, label, weight, K float features, jets and muons).
"""
import os
import pathlib
import shutil
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]


def find_cli():
    for candidate in (os.environ.get("ROOTBATCH_CLI"), REPO / "build/release/cli/rootbatch",
                      REPO / "build/dev/cli/rootbatch", shutil.which("rootbatch")):
        if candidate and pathlib.Path(candidate).exists():
            return str(candidate)
    raise SystemExit("no `rootbatch` CLI found to write a sample: build it (cmake --preset release && "
                     "cmake --build --preset release --target rootbatch_cli), set ROOTBATCH_CLI, or pass --file")


def ensure_sample(path, events, features=28, seed=42, codec="zstd"):
    """Writes the sample unless a file is already at `path`; returns the path."""
    path = pathlib.Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([find_cli(), "make-sample", str(path), "--events", str(events), "--features",
                        str(features), "--seed", str(seed), "--codec", codec], check=True)
    return str(path)


def auc(scores, labels, weights=None):
    """Area under the ROC curve (weighted Mann-Whitney statistic, ties counted half)."""
    import numpy as np

    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    weights = np.ones_like(scores) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(scores, kind="mergesort")
    scores, labels, weights = scores[order], labels[order], weights[order]
    # Group equal scores: a tie counts half.
    _, start = np.unique(scores, return_index=True)
    bounds = np.append(start, len(scores))
    neg_below = 0.0
    total = 0.0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        pos = weights[lo:hi][labels[lo:hi]].sum()
        neg = weights[lo:hi][~labels[lo:hi]].sum()
        total += pos * (neg_below + 0.5 * neg)
        neg_below += neg
    pos_total = weights[labels].sum()
    neg_total = weights[~labels].sum()
    return total / (pos_total * neg_total)
