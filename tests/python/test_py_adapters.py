"""The adapters use only DataLoader's public API: each runs over a stand-in
that refuses every private attribute and yields what it yields over the loader."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest
import torch
import torch.utils.data

import rootbatch

FEATURES = ["lepton_pT", "lepton_eta", "jet1_pt"]


class PublicOnly:
    """A DataLoader seen through its public names only."""

    def __init__(self, loader):
        object.__setattr__(self, "_wrapped", loader)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(f"an adapter used the private DataLoader attribute {name!r}")
        return getattr(object.__getattribute__(self, "_wrapped"), name)

    def __len__(self):
        return len(object.__getattribute__(self, "_wrapped"))

    def __iter__(self):
        return iter(object.__getattribute__(self, "_wrapped"))

    def __reduce__(self):  # pickles as its loader (spawn-started workers)
        return (PublicOnly, (object.__getattribute__(self, "_wrapped"),))


def make(sample, **kwargs):
    return rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", weights="weight", batch_size=2500,
                                memory="16MB", seed=5, **kwargs)


def first_columns(batches):
    return [np.asarray(x)[:, 0].copy() for x, _, _ in batches]


def test_numpy_jax_and_progress_use_the_public_api(sample, capsys):
    from rootbatch.jax import JaxIterable
    from rootbatch.numpy import NumpyIterable

    expected = first_columns(make(sample).as_numpy())
    for adapter in (NumpyIterable(PublicOnly(make(sample)), progress="numpy"),
                    JaxIterable(PublicOnly(make(sample)), progress=True)):
        got = first_columns(adapter)
        assert len(got) == len(expected) == 8 and all(np.array_equal(a, b) for a, b in zip(got, expected))
        assert "8/8" in capsys.readouterr().err  # the bar knew the epoch's length


@pytest.mark.parametrize("workers", [0, 2])
def test_torch_uses_the_public_api(sample, workers):
    from rootbatch.torch import TorchDataset

    loader = make(sample)
    expected = np.sort(np.concatenate(first_columns(make(sample).as_numpy())))
    ds = TorchDataset(PublicOnly(loader), progress=True)
    dl = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers)
    got = np.sort(np.concatenate([x[:, 0].numpy() for x, _, _ in dl]))
    assert np.array_equal(got, expected)
    # The next epoch, set through the public API, reaches the workers' shards.
    ds.set_epoch(1)
    assert len(dl) == sum(1 for _ in dl)


def test_tensorflow_and_keras_use_the_public_api(sample):
    from rootbatch.tf import KerasDataset, as_tensorflow

    expected = first_columns(make(sample).as_numpy())
    got = [x.numpy()[:, 0] for x, _, _ in as_tensorflow(PublicOnly(make(sample)), progress=True)]
    assert len(got) == len(expected) and all(np.array_equal(a, b) for a, b in zip(got, expected))
    keras_data = KerasDataset(PublicOnly(make(sample)), progress=True)
    got = [keras_data[i][0][:, 0].copy() for i in range(len(keras_data))]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected)) and len(got) == len(expected)
