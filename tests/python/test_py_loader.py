"""rootbatch.DataLoader through the NumPy adapter: values against uproot 5,
epochs, splits, remainders, zero copy, buffer reuse, resume, errors."""
import errno
import gc
import pickle

import numpy as np
import pytest
import uproot

import rootbatch

FEATURES = ["lepton_pT", "lepton_eta", "lepton_phi", "missing_energy_magnitude", "missing_energy_phi", "jet1_pt"]


def make_loader(path, **kwargs):
    kwargs.setdefault("columns", FEATURES)
    kwargs.setdefault("target", "label")
    kwargs.setdefault("batch_size", 512)
    kwargs.setdefault("memory", "16MB")
    return rootbatch.DataLoader(str(path), **kwargs)


@pytest.fixture(scope="module")
def truth(sample):
    with uproot.open(sample) as f:
        return f["events"].arrays(FEATURES + ["label", "weight", "event_id"], library="np")


def epoch_entries(loader):
    return np.concatenate([b.entries.numpy().copy() for b in loader])


def test_batches_match_uproot(sample, truth):
    loader = make_loader(sample, weights="weight", seed=11)
    rows = 0
    for batch in loader:
        x, y, w = batch.numpy()
        idx = batch.entries.numpy()
        assert x.shape == (len(idx), len(FEATURES)) and x.dtype == np.float32
        expected_x = np.stack([truth[c][idx] for c in FEATURES], axis=1).astype(np.float32)
        np.testing.assert_array_equal(x, expected_x)
        np.testing.assert_array_equal(y[:, 0], truth["label"][idx])
        np.testing.assert_array_equal(w, truth["weight"][idx].astype(np.float32))
        # event_id == entry number in make-sample's files: a second, independent check.
        np.testing.assert_array_equal(truth["event_id"][idx], idx)
        rows += len(idx)
    assert rows == 20000
    assert loader.feature_names == FEATURES and loader.target_names == ["label"]


def test_every_event_once_per_epoch_and_reshuffled(sample):
    loader = make_loader(sample, seed=5)
    assert len(loader) == 40  # ceil(20000 / 512)
    first = epoch_entries(loader)
    second = epoch_entries(loader)  # the next iteration is epoch 1
    for order in (first, second):
        assert len(order) == 20000 and np.array_equal(np.sort(order), np.arange(20000))
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(20000))  # shuffled
    again = make_loader(sample, seed=5)
    again.set_epoch(1)
    assert np.array_equal(epoch_entries(again), second)  # reproducible per (seed, epoch)
    other_seed = make_loader(sample, seed=6)
    assert not np.array_equal(epoch_entries(other_seed), first)


def test_no_shuffle_is_file_order(sample):
    loader = make_loader(sample, shuffle=False)
    assert np.array_equal(epoch_entries(loader), np.arange(20000))


def test_last_partial_batch_keeps_true_size(sample):
    sizes = [len(x) for x, _ in make_loader(sample, batch_size=3000).as_numpy()]
    assert sizes == [3000] * 6 + [2000]
    dropped = make_loader(sample, batch_size=3000, drop_remainder=True)
    assert [len(x) for x, _ in dropped.as_numpy()] == [3000] * 6 and len(dropped) == 6


def test_outputs_follow_target_and_weights(sample):
    x_only = next(iter(make_loader(sample, target=None).as_numpy()))
    assert isinstance(x_only, np.ndarray) and x_only.shape == (512, len(FEATURES))
    x, y = next(iter(make_loader(sample).as_numpy()))
    assert y.shape == (512, 1)
    x, y, w = next(iter(make_loader(sample, weights="weight", target_type="float32").as_numpy()))
    assert w.shape == (512,) and y.dtype == np.float32


def test_train_test_split_is_disjoint_and_complete(sample):
    train, val = make_loader(sample, seed=3).train_test_split(test_size=0.25)
    a, b = epoch_entries(train), epoch_entries(val)
    assert len(np.intersect1d(a, b)) == 0
    assert np.array_equal(np.sort(np.concatenate([a, b])), np.arange(20000))
    assert 0.15 < len(b) / 20000 < 0.35
    assert len(train) == -(-len(a) // 512) and len(val) == -(-len(b) // 512)
    # The split depends on the seed, never on the epoch.
    train2, val2 = make_loader(sample, seed=3).train_test_split(test_size=0.25)
    val2.set_epoch(4)
    assert np.array_equal(np.sort(epoch_entries(val2)), np.sort(b))
    with pytest.raises(ValueError):
        make_loader(sample).train_test_split(test_size=1.5)


def test_jagged_pad_and_flatten(sample):
    with uproot.open(sample) as f:
        jets = f["events"]["Jet_pt"].array(library="np")
    loader = make_loader(sample, jagged={"Jet_pt": {"mode": "pad", "max_length": 3, "pad_value": -1.0, "mask": True}})
    batch = next(iter(loader))
    x, y = batch.numpy()
    assert set(x) == {"features", "Jet_pt", "Jet_pt_mask"}
    padded, mask = x["Jet_pt"], x["Jet_pt_mask"]
    assert padded.shape == (512, 3) and mask.dtype == np.bool_
    for row, entry in enumerate(batch.entries.numpy()):
        jet = jets[entry][:3]
        np.testing.assert_array_equal(padded[row, : len(jet)], jet)
        assert (padded[row, len(jet):] == -1.0).all()
        assert mask[row].sum() == len(jet)
    flat = make_loader(sample, max_vec_sizes={"Jet_pt": 2}, vec_padding=0.0)
    assert flat.feature_names == FEATURES + ["Jet_pt_0", "Jet_pt_1"]
    b = next(iter(flat))
    x, _ = b.numpy()
    for row, entry in enumerate(b.entries.numpy()[:50]):
        jet = jets[entry][:2]
        np.testing.assert_array_equal(x[row, len(FEATURES): len(FEATURES) + len(jet)], jet)


def test_numpy_views_the_batch_buffer(sample):
    loader = make_loader(sample)
    batch = next(iter(loader))
    tensor = batch.features
    array = tensor.numpy()
    assert array.ctypes.data == tensor.data_ptr
    assert np.asarray(tensor).ctypes.data == tensor.data_ptr  # buffer protocol
    assert not array.flags.owndata
    kept = array.copy()
    del batch, tensor, loader
    gc.collect()
    np.testing.assert_array_equal(array, kept)  # the array holds the buffer, not the loader


def test_buffers_are_reused_in_steady_state(sample):
    loader = make_loader(sample, batch_size=256)
    addresses = []
    for i, batch in enumerate(loader):
        x, y = batch.numpy()
        if i >= 10:
            addresses.append(x.ctypes.data)
        del x, y, batch  # a training step drops its batch
    assert len(addresses) == 69  # ceil(20000 / 256) - 10
    # A few pooled buffers cycle; a fresh allocation per batch would give 69 addresses.
    assert len(set(addresses)) <= 8


def test_state_dict_resume_reproduces_the_rest(sample):
    loader = make_loader(sample, seed=21, weights="weight")
    loader.set_epoch(2)
    batches = loader.batches()
    head = [next(batches).entries.numpy().copy() for _ in range(13)]
    state = loader.state_dict()
    assert state["epoch"] == 2 and state["next_epoch"] == 3
    rest = [b.entries.numpy().copy() for b in batches]
    resumed = make_loader(sample, seed=21, weights="weight", num_threads=1)
    resumed.load_state_dict(pickle.loads(pickle.dumps(state)))
    again = [b.entries.numpy().copy() for b in resumed]
    assert len(again) == len(rest) == 40 - 13
    assert all(np.array_equal(a, b) for a, b in zip(again, rest))
    assert resumed.epoch == 3
    # A state from other options is refused rather than silently different.
    other = make_loader(sample, seed=21, weights="weight", batch_size=100)
    other.load_state_dict(state)
    with pytest.raises(ValueError):
        next(iter(other))


def test_between_epochs_state_starts_the_next_epoch(sample):
    loader = make_loader(sample, seed=2)
    epoch_entries(loader)
    state = loader.state_dict()
    assert state == {"version": 1, "next_epoch": 1, "epoch": None, "state": None}
    fresh = make_loader(sample, seed=2)
    fresh.load_state_dict(state)
    reference = make_loader(sample, seed=2)
    reference.set_epoch(1)
    assert np.array_equal(epoch_entries(fresh), epoch_entries(reference))


def test_pickle_round_trip(sample):
    loader = make_loader(sample, seed=8)
    batches = loader.batches()
    for _ in range(5):
        next(batches)
    copy = pickle.loads(pickle.dumps(loader))
    rest = [b.entries.numpy().copy() for b in batches]
    assert [b.entries.numpy().copy().tolist() for b in copy] == [r.tolist() for r in rest]
    train, _ = loader.train_test_split(0.5)
    assert pickle.loads(pickle.dumps(train)).config.split == "train"


def test_several_sources_with_labels_and_sampling(make_sample):
    sig = make_sample(4000, seed=1, extra=("--cluster-size", "500"))
    bkg = make_sample(6000, seed=2, extra=("--cluster-size", "500"))
    loader = rootbatch.DataLoader(
        [rootbatch.Source(sig, label=1), rootbatch.Source(bkg, label=0)],
        columns=FEATURES, batch_size=1000, target_type="float32")
    assert loader.target_names == ["class_label"]
    ys, entries = [], []
    for batch in loader:
        _, y = batch.numpy()
        ys.append(y[:, 0].copy())
        entries.append(batch.entries.numpy().copy())
    ys, entries = np.concatenate(ys), np.concatenate(entries)
    # Global entries count source 0 first: its 4000 events carry label 1.
    assert np.array_equal(np.sort(entries), np.arange(10000))
    np.testing.assert_array_equal(ys, (entries < 4000).astype(np.float32))
    half = rootbatch.DataLoader(
        [rootbatch.Source(sig, label=1, sampling_ratio=0.5), rootbatch.Source(bkg, label=0)],
        columns=FEATURES, batch_size=1000, target_type="float32")
    got = np.concatenate([b.entries.numpy().copy() for b in half])
    assert 1000 <= (got < 4000).sum() <= 3000 and (got >= 4000).sum() == 6000


def test_memory_strings():
    assert rootbatch.parse_memory("256MB") == 256 << 20
    assert rootbatch.parse_memory("1.5GiB") == int(1.5 * (1 << 30))
    assert rootbatch.parse_memory(12345) == 12345
    for bad in ("12 parsecs", "", "-3MB", 0):
        with pytest.raises(ValueError):
            rootbatch.parse_memory(bad)


def test_loader_errors_are_mapped(sample, tmp_path):
    with pytest.raises(rootbatch.NotFoundError) as missing_column:
        len(make_loader(sample, columns=["nope"]))
    assert isinstance(missing_column.value, KeyError) and "nope" in str(missing_column.value)
    with pytest.raises(ValueError):
        len(make_loader(sample, batch_size=0))
    with pytest.raises(FileNotFoundError):
        len(make_loader(tmp_path / "absent.root"))
    with pytest.raises(FileNotFoundError):
        len(make_loader(str(tmp_path / "none-*.root")))
    with pytest.raises(KeyError):
        len(make_loader(sample, tree="nope"))


def test_progress_bar_shows_events_per_second(sample, capsys):
    loader = make_loader(sample, batch_size=1000)
    rows = sum(len(x) for x, _ in loader.as_numpy(progress="reading"))
    err = capsys.readouterr().err
    assert rows == 20000
    assert "reading" in err and "events/s" in err and "20/20" in err


def test_a_missing_file_fails_at_construction(sample, tmp_path):
    # Not at the first len() or batch: the constructor checks every path.
    missing = tmp_path / "absent.root"
    with pytest.raises(rootbatch.FileNotFoundError) as info:
        rootbatch.DataLoader([str(sample), str(missing)], columns=FEATURES)
    assert info.value.errno == errno.ENOENT and info.value.filename == str(missing)
    assert str(missing) in str(info.value)
    pattern = str(tmp_path / "none-*.root")
    with pytest.raises(rootbatch.FileNotFoundError) as glob_info:
        rootbatch.DataLoader(pattern)
    assert glob_info.value.errno == errno.ENOENT and glob_info.value.filename == pattern
    with pytest.raises(FileNotFoundError):
        rootbatch.DataLoader([rootbatch.Source(str(sample)), rootbatch.Source(str(missing))], columns=FEATURES)
    # A pattern that matches is fine.
    assert len(make_loader(str(sample)[:-1] + "?")) == len(make_loader(sample))


def test_max_vec_sizes_named_in_columns_flatten_in_place_like_root(testdata):
    ROOT = pytest.importorskip("ROOT")
    path = str(testdata / "uproot-HZZ.root")
    columns = ["MET_px", "Jet_Px", "MET_py", "Jet_Py"]
    sizes = {"Jet_Px": 2, "Jet_Py": 3}
    ours = rootbatch.DataLoader(path, columns=columns, max_vec_sizes=sizes, vec_padding=-5.0, batch_size=64,
                                shuffle=False, drop_remainder=True)
    root = ROOT.Experimental.ML.RDataLoader(ROOT.RDataFrame("events", path), batch_size=64, columns=columns,
                                            max_vec_sizes=sizes, vec_padding=-5.0, shuffle=False,
                                            drop_remainder=True)
    expected_names = ["MET_px", "Jet_Px_0", "Jet_Px_1", "MET_py", "Jet_Py_0", "Jet_Py_1", "Jet_Py_2"]
    assert ours.feature_names == expected_names
    theirs = [np.asarray(x).copy() for x in root.as_numpy()]
    mine = [x.copy() for x in ours.as_numpy()]
    assert len(mine) == len(theirs) == 2421 // 64
    for a, b in zip(mine, theirs):
        assert a.shape == b.shape == (64, 7)
        np.testing.assert_array_equal(a, b)
