"""The PyTorch adapter: zero copy, workers, DDP (gloo on loopback),
StatefulDataLoader resume, pickling."""
import multiprocessing
import pickle
import socket

import numpy as np
import pytest
import torch
import torch.utils.data

import rootbatch
import rootbatch.torch as rbt

FEATURES = ["lepton_pT", "lepton_eta", "lepton_phi", "missing_energy_magnitude", "missing_energy_phi", "jet1_pt"]


def id_loader(path, **kwargs):
    """y = event_id (== entry number in make-sample files), so batches name their events."""
    kwargs.setdefault("batch_size", 500)
    kwargs.setdefault("memory", "16MB")
    return rootbatch.DataLoader(str(path), columns=FEATURES, target="event_id", target_type="int64", **kwargs)


def ids_of(batches):
    return [y[:, 0].numpy().copy() for _, y in batches]


def test_torch_tensors_share_the_batch_buffer(sample):
    loader = id_loader(sample, weights="weight")
    batch = next(iter(loader))
    t = torch.from_dlpack(batch.features)
    assert t.data_ptr() == batch.features.data_ptr == batch.features.numpy().ctypes.data
    assert t.dtype == torch.float32 and tuple(t.shape) == batch.features.shape
    # Versioned and legacy DLPack capsules both import without a copy.
    legacy = torch.utils.dlpack.from_dlpack(batch.features.__dlpack__())
    assert legacy.data_ptr() == batch.features.data_ptr
    assert batch.features.__dlpack_device__() == (1, 0)
    # The tensor keeps the buffer alive after the batch and the loader are gone.
    expected = t.clone()
    del batch, loader
    assert torch.equal(t, expected)

    x, y, w = next(iter(id_loader(sample, weights="weight").as_torch()))
    assert x.dtype == torch.float32 and y.dtype == torch.int64 and w.shape == (500,)


def test_dlpack_dtypes_round_trip(sample):
    loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", target_type="int32",
                                  jagged={"Jet_pt": {"max_length": 2, "mask": True}}, batch_size=100)
    x, y = next(iter(loader.as_torch()))
    assert y.dtype == torch.int32 and x["Jet_pt_mask"].dtype == torch.bool
    ref_x, ref_y = next(iter(loader.as_numpy()))
    assert np.array_equal(x["Jet_pt_mask"].numpy(), ref_x["Jet_pt_mask"])


def test_values_equal_the_numpy_adapter(sample):
    a = [x.numpy().copy() for x, _ in id_loader(sample, seed=4).as_torch()]
    b = [x.copy() for x, _ in id_loader(sample, seed=4).as_numpy()]
    assert len(a) == len(b) == 40 and all(np.array_equal(p, q) for p, q in zip(a, b))


def test_dataloader_two_workers_every_event_once(sample):
    base = id_loader(sample, seed=9)
    ds = base.as_torch()
    dl = rbt.data_loader(ds, num_workers=2)
    for epoch in range(2):
        # The shard each worker reads this epoch, computed here for comparison.
        per_worker = []
        for w in range(2):
            shard = base.shard(0, 1, w, 2)
            shard.set_epoch(epoch)
            per_worker.append(set(np.concatenate([b.entries.numpy() for b in shard]).tolist()))
        assert not per_worker[0] & per_worker[1]
        ds.set_epoch(epoch)
        counts = [0, 0]
        seen = []
        for ids in ids_of(dl):
            owner = [w for w in range(2) if set(ids.tolist()) <= per_worker[w]]
            assert len(owner) == 1
            counts[owner[0]] += 1
            seen.append(ids)
        seen = np.concatenate(seen)
        assert np.array_equal(np.sort(seen), np.arange(20000)), f"epoch {epoch}"
        assert counts[0] == counts[1] == 20
        assert len(dl) == 40


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_rank(rank, world, port, path, out_dir):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        ds = id_loader(path, seed=13, batch_size=700).as_torch()
        for epoch in range(2):
            ds.set_epoch(epoch)
            ids = ids_of(ds)
            np.save(f"{out_dir}/rank{rank}_epoch{epoch}.npy", np.concatenate(ids))
            counts = [None] * world
            dist.all_gather_object(counts, len(ids))
            assert len(set(counts)) == 1, counts
            np.save(f"{out_dir}/rank{rank}_epoch{epoch}_batches.npy", np.array([len(ids), len(ds)]))
    finally:
        dist.destroy_process_group()


def test_ddp_two_ranks_every_event_once(sample, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    port = _free_port()
    procs = [ctx.Process(target=_ddp_rank, args=(r, 2, port, str(sample), str(tmp_path))) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0, 0]
    for epoch in range(2):
        parts = [np.load(tmp_path / f"rank{r}_epoch{epoch}.npy") for r in range(2)]
        assert not set(parts[0].tolist()) & set(parts[1].tolist())
        assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(20000))
        batches = [np.load(tmp_path / f"rank{r}_epoch{epoch}_batches.npy") for r in range(2)]
        assert batches[0][0] == batches[1][0] == batches[0][1] == 15  # ceil(10000 / 700), len() agrees
    assert not np.array_equal(np.load(tmp_path / "rank0_epoch0.npy"), np.load(tmp_path / "rank0_epoch1.npy"))


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_dataloader_resume(sample, workers):
    from torchdata.stateful_dataloader import StatefulDataLoader

    def make():
        return StatefulDataLoader(id_loader(sample, seed=17).as_torch(), batch_size=None, num_workers=workers)

    dl = make()
    it = iter(dl)
    head = [next(it)[1][:, 0].numpy().copy() for _ in range(11)]
    state = dl.state_dict()
    rest = [y[:, 0].numpy().copy() for _, y in it]
    assert len(head) + len(rest) == 40

    resumed = make()
    resumed.load_state_dict(state)
    again = [y[:, 0].numpy().copy() for _, y in resumed]
    assert len(again) == len(rest)
    assert all(np.array_equal(a, b) for a, b in zip(again, rest))
    everything = np.concatenate(head + again)
    assert np.array_equal(np.sort(everything), np.arange(20000))


def test_dataset_pickles(sample):
    ds = id_loader(sample, seed=1).as_torch()
    it = iter(ds)
    next(it)
    copy = pickle.loads(pickle.dumps(ds))
    rest = ids_of(it)
    assert all(np.array_equal(a, b) for a, b in zip(ids_of(copy), rest)) and len(rest) == 39


def test_pin_memory_and_device(sample):
    ds = id_loader(sample).as_torch(pin_memory=True, device="cuda" if torch.cuda.is_available() else None)
    if torch.cuda.is_available():
        x, y = next(iter(ds))
        assert x.is_cuda and y.is_cuda
    else:
        with pytest.warns(UserWarning, match="no accelerator"):
            x, y = next(iter(rbt.TorchDataset(id_loader(sample), pin_memory=True)))
        assert not x.is_pinned()
        # And the batch is delivered unchanged.
        plain = next(iter(id_loader(sample).as_numpy()))[0]
        assert x.shape == plain.shape and np.array_equal(x.numpy(), plain)


@pytest.mark.parametrize("workers", [0, 1, 2, 3])
@pytest.mark.parametrize("data", ["hzz", "uneven"])
def test_len_of_a_plain_torch_dataloader_is_what_it_yields(testdata, make_sample, workers, data):
    if data == "hzz":  # 2421 events: 13 batches of 200 alone, 2 x 7 with two workers
        loader = rootbatch.DataLoader(str(testdata / "uproot-HZZ.root"), columns=["MET_px", "MET_py"],
                                      batch_size=200, memory="16MB")
    else:  # 1003 events in batches of 97: no worker count divides them evenly
        loader = id_loader(make_sample(1003), batch_size=97)
    dl = torch.utils.data.DataLoader(loader.as_torch(), batch_size=None, num_workers=workers)
    expected = len(dl)
    import warnings

    with warnings.catch_warnings():
        # torch warns when more batches come than len() said
        warnings.filterwarnings("error", message=".*Length of IterableDataset")
        yielded = sum(1 for _ in dl)
    assert yielded == expected
    assert len(dl) == yielded  # asked again after the epoch: still right


def test_len_of_a_stateful_dataloader_is_what_it_yields(testdata):
    from torchdata.stateful_dataloader import StatefulDataLoader

    loader = rootbatch.DataLoader(str(testdata / "uproot-HZZ.root"), columns=["MET_px", "MET_py"], batch_size=200,
                                  memory="16MB")
    dl = StatefulDataLoader(loader.as_torch(), batch_size=None, num_workers=2)
    assert len(dl) == sum(1 for _ in dl) == 14
