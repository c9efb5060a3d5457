"""Elastic resume from Python: shard states saved part-way through an epoch by
one world shape (ranks x DataLoader workers), gathered with
DataLoader.world_state and loaded into the shards of another shape: the union
of what was yielded before and after is every event of the epoch exactly once,
with equally many batches per new shard; afterwards the next epoch runs as usual."""
import collections

import numpy as np
import pytest
import torch

import rootbatch
import rootbatch.torch


@pytest.fixture(scope="module")
def files(make_sample):
    return [str(make_sample(30000, seed=3, extra=("--cluster-size", "3000"))),
            str(make_sample(12000, seed=4, extra=("--cluster-size", "1500")))]


def base_loader(files):
    return rootbatch.DataLoader(files, columns=["lepton_pT", "event_id"], target="label", batch_size=256,
                                memory="1MB", seed=9)


def rows_of(batch):
    """A row's identity: (event_id, lepton_pT). Event ids restart in each file (and a resumed loader
    numbers its entries afresh), the pair does not repeat."""
    x = np.asarray(batch.features)
    return list(zip(x[:, 1].astype(np.int64).tolist(), x[:, 0].tolist()))


def epoch_rows(loader, epoch):
    shard = loader.shard(0, 1)
    shard.set_epoch(epoch)
    return collections.Counter(r for b in shard.batches() for r in rows_of(b))


@pytest.mark.parametrize("before,after,stop", [((4, 1), (2, 1), 3), ((2, 1), (3, 1), 10), ((1, 2), (1, 1), 20),
                                               ((2, 2), (3, 1), 0)])
def test_the_rest_of_the_epoch_comes_once_in_another_shape(files, before, after, stop):
    loader = base_loader(files)
    epoch = 2
    seen = collections.Counter()
    states = []
    for s in range(before[0] * before[1]):
        shard = loader.shard(s // before[1], before[0], s % before[1], before[1])
        shard.set_epoch(epoch)
        it = shard.batches()
        for _, batch in zip(range(stop + s % 2), it):
            seen.update(rows_of(batch))
        states.append(shard.state_dict())
    world = loader.world_state(states, *before)
    assert world["epoch"] == epoch and world["world"].startswith("rootbatch-world-state/1")
    counts = []
    for s in range(after[0] * after[1]):
        shard = loader.shard(s // after[1], after[0], s % after[1], after[1])
        shard.load_state_dict(world)
        expected = len(shard)  # the batches of the rest of the epoch, before it runs
        n = 0
        for batch in shard.batches():
            seen.update(rows_of(batch))
            n += 1
        assert n == expected
        counts.append(n)
        assert shard.epoch == epoch + 1  # the next epoch is an ordinary one
    assert len(set(counts)) == 1, counts
    # Every event of the epoch the saved world would have yielded, exactly once.
    whole = collections.Counter()
    for s in range(before[0] * before[1]):
        shard = loader.shard(s // before[1], before[0], s % before[1], before[1])
        shard.set_epoch(epoch)
        whole.update(r for b in shard.batches() for r in rows_of(b))
    assert seen == whole


def test_a_resumed_shard_saves_and_restores_within_its_shape(files):
    loader = base_loader(files)
    states, running = [], []  # the epochs stay open while their states are taken
    for s in range(2):
        shard = loader.shard(s, 2)
        shard.set_epoch(0)
        running.append(shard.batches())
        next(running[-1])
        states.append(shard.state_dict())
    world = loader.world_state(states, 2)
    first = loader.shard(0, 1)
    first.load_state_dict(world)
    it = first.batches()
    head = [rows_of(next(it)) for _ in range(5)]
    saved = first.state_dict()
    assert saved["world"] == world["world"] and saved["state"]
    rest = [rows_of(b) for b in it]
    again = loader.shard(0, 1)
    again.load_state_dict(saved)
    assert [rows_of(b) for b in again.batches()] == rest
    assert head  # the first part was yielded before the save


def test_torch_workers_resume_a_world_state(files):
    """Two torch DataLoader workers of the main process continue a state saved by two DDP ranks."""
    loader = base_loader(files)
    seen = collections.Counter()
    states, running = [], []
    for s in range(2):
        shard = loader.shard(s, 2)
        shard.set_epoch(1)
        running.append(shard.batches())
        for _, batch in zip(range(4), running[-1]):
            seen.update(rows_of(batch))
        states.append(shard.state_dict())
    loader.load_state_dict(loader.world_state(states, 2))
    dl = rootbatch.torch.data_loader(loader, num_workers=2)
    for x, _ in dl:
        seen.update(zip(x[:, 1].to(torch.int64).tolist(), x[:, 0].tolist()))
    whole = collections.Counter()
    for s in range(2):
        shard = loader.shard(s, 2)
        shard.set_epoch(1)
        whole.update(r for b in shard.batches() for r in rows_of(b))
    assert seen == whole


def test_shards_done_with_the_epoch_count_at_its_end(files):
    """Workers progress unevenly: one shard may have finished the epoch when the state is taken."""
    loader = base_loader(files)
    seen = collections.Counter()
    states, running = [], []
    for s in range(2):
        shard = loader.shard(0, 1, s, 2)
        shard.set_epoch(3)
        if s == 0:
            seen.update(r for b in shard.batches() for r in rows_of(b))  # all of it
        else:
            running.append(shard.batches())
            for _, batch in zip(range(7), running[-1]):
                seen.update(rows_of(batch))
        states.append(shard.state_dict())
    assert states[0]["state"] is None and states[0]["next_epoch"] == 4
    world = loader.world_state(states, 1, 2)
    rest = loader.shard(0, 1)
    rest.load_state_dict(world)
    seen.update(r for b in rest.batches() for r in rows_of(b))
    whole = collections.Counter()
    for s in range(2):
        shard = loader.shard(0, 1, s, 2)
        shard.set_epoch(3)
        whole.update(r for b in shard.batches() for r in rows_of(b))
    assert seen == whole


def test_states_of_different_epochs_are_refused(files):
    loader = base_loader(files)
    states, running = [], []
    for s in range(2):
        shard = loader.shard(s, 2)
        shard.set_epoch(s)
        running.append(shard.batches())
        next(running[-1])
        states.append(shard.state_dict())
    with pytest.raises(ValueError, match="not of one moment of one epoch"):
        loader.world_state(states, 2)
    with pytest.raises(ValueError, match="not a shard's state"):
        loader.world_state([{"version": 2, "state": None}], 1)
