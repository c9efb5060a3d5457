"""Seeded splits and exact sampling on small files (one cluster, one basket:
most small files), as a new user met them: the split used to ignore the seed
and sampling ratios were rounded to whole blocks (0.1 gave no events)."""
import numpy as np
import pytest
import uproot

import rootbatch

NANOAOD = "nanoAOD_2015_CMS_Open_Data_ttbar.root"


def epoch_entries(loader):
    return np.concatenate([b.entries.numpy().copy() for b in loader])


def test_split_follows_the_seed_on_a_one_block_tree(testdata):
    path = str(testdata / NANOAOD)
    n = rootbatch.open(path)["Events"].num_entries
    validations = []
    for seed in (0, 1, 2, 12345):
        loader = rootbatch.DataLoader(path, tree="Events", columns=["MET_pt", "MET_phi"], batch_size=16, seed=seed)
        train, val = loader.train_test_split(test_size=0.2)
        a, b = np.sort(epoch_entries(train)), np.sort(epoch_entries(val))
        assert len(b) == round(0.2 * n)
        assert len(np.intersect1d(a, b)) == 0
        assert np.array_equal(np.union1d(a, b), np.arange(n))
        # The same entries in every epoch.
        val.set_epoch(3)
        assert np.array_equal(np.sort(epoch_entries(val)), b)
        validations.append(tuple(b))
    assert len(set(validations)) == 4, "the validation entries do not depend on the seed"
    assert tuple(range(round(0.2 * n))) not in validations


@pytest.fixture(scope="module")
def one_block_files(make_sample):
    """A signal file and three background files, each one cluster and one basket per branch."""
    one_block = ("--no-jagged", "--cluster-size", "100000", "--basket-size", "10000000")
    signal = str(make_sample(600, seed=1, extra=one_block))
    background = [str(make_sample(400, seed=s, extra=one_block)) for s in (2, 3, 4)]
    for path in [signal] + background:
        assert uproot.open(path)["events"]["weight"].num_baskets == 1
    return signal, background


@pytest.mark.parametrize("ratio", [0.1, 0.25, 0.5, 1.5])
def test_sampling_ratio_counts_events_on_one_block_files(one_block_files, ratio):
    signal, background = one_block_files
    sources = [rootbatch.Source(signal, label=1), rootbatch.Source(background, label=0, sampling_ratio=ratio)]
    batch_size = 64
    loader = rootbatch.DataLoader(sources, columns=["weight"], batch_size=batch_size, seed=1)
    expected = round(ratio * 1200)
    drawn = []
    for epoch in range(3):
        counts = 0
        seen = []
        for batch in loader:
            background_rows = np.asarray(batch.targets)[:, 0] == 0
            counts += int(background_rows.sum())
            seen.append(np.asarray(batch.entries)[background_rows].copy())
        # Exact here (one shard, no drop_remainder); the documented bound is one batch.
        assert abs(counts - expected) < batch_size
        assert counts == expected
        drawn.append(np.sort(np.concatenate(seen)))
    assert not np.array_equal(drawn[0], drawn[1]), "the same background events in two epochs"


def test_a_sampling_ratio_that_selects_nothing_is_an_error(one_block_files):
    signal, background = one_block_files
    sources = [rootbatch.Source(signal, label=1), rootbatch.Source(background, label=0, sampling_ratio=0.0001)]
    with pytest.raises(ValueError, match="rounds to none"):
        len(rootbatch.DataLoader(sources, columns=["weight"], batch_size=64))
