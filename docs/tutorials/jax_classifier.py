"""Tutorial: a jitted JAX training step fed by rootbatch.

    for x, y, w in train.as_jax():          # jax.Array, imported through DLPack
        params, opt_state, loss = step(params, opt_state, x, y, w)

On the CPU the arrays view rootbatch's batch buffers (no copy).
"""
import argparse
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

import rootbatch

sys.path.insert(0, os.path.dirname(__file__))
from _sample import auc, ensure_sample  # noqa: E402


def init(key, sizes):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (n_in, n_out)) * jnp.sqrt(2.0 / n_in), jnp.zeros(n_out)))
    return params


def forward(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return (x @ w + b)[:, 0]


def loss_fn(params, x, y, w):
    logits = forward(params, x)
    per_event = jnp.logaddexp(0.0, logits) - y * logits  # binary cross-entropy with logits
    return jnp.sum(per_event * w) / jnp.sum(w)


@jax.jit
def step(params, moments, x, y, w, lr=2e-3):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y, w)
    # A plain momentum SGD (no optimiser library needed).
    moments = jax.tree_util.tree_map(lambda m, g: 0.9 * m + g, moments, grads)
    params = jax.tree_util.tree_map(lambda p, m: p - lr * 10 * m, params, moments)
    return params, moments, loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args(argv)

    path = args.file or ensure_sample("samples/tutorial.root", args.events)
    features = [c.name for c in rootbatch.open(path)["events"].columns
                if c.kind == "scalar" and c.dtype == "float32" and c.name != "weight"]
    loader = rootbatch.DataLoader(path, columns=features, target="label", weights="weight",
                                  target_type="float32", batch_size=args.batch_size)
    train, val = loader.train_test_split(test_size=0.2)

    # Standardisation from a few batches, folded into the first layer's input.
    sample_x = np.concatenate([x for (x, _, _), _ in zip(train.as_numpy(), range(20))])
    mean, std = jnp.asarray(sample_x.mean(0)), jnp.asarray(sample_x.std(0) + 1e-6)
    params = init(jax.random.PRNGKey(0), [len(features), 64, 64, 1])
    moments = jax.tree_util.tree_map(jnp.zeros_like, params)

    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        for x, y, w in train.as_jax():
            params, moments, loss = step(params, moments, (x - mean) / std, y[:, 0], w)
        scores, labels, weights = [], [], []
        for x, y, w in val.as_jax():
            scores.append(np.asarray(forward(params, (x - mean) / std)))
            labels.append(np.asarray(y[:, 0]))
            weights.append(np.asarray(w))
        val_auc = auc(np.concatenate(scores), np.concatenate(labels), np.concatenate(weights))
        print(f"epoch {epoch}: loss {float(loss):.4f}, validation AUC {val_auc:.4f}")
    return val_auc


if __name__ == "__main__":
    main()
