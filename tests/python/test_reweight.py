"""Class reweighting (docs/particles.md) against NumPy on a file written by
uproot: the training split's per-class (pt, eta) histograms, the weights
they give (flat spectra, or a reference class's), weights delivered per
event, and sample mode: kept events drawn once each, equal batch counts per
shard, and kept spectra that follow the weights within statistical error."""
import numpy as np
import pytest
import uproot

import rootbatch

N = 40000
CLASSES = ["label_a", "label_b", "label_c"]
PT_EDGES = [0.0, 20.0, 40.0, 60.0, 100.0, 200.0]
ETA_EDGES = [-2.5, -1.0, 0.0, 1.0, 2.5]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Three classes with different pt slopes and eta widths, one-hot labels."""
    rng = np.random.default_rng(3)
    cls = rng.choice(3, N, p=[0.6, 0.3, 0.1])
    pt = rng.exponential(np.array([15.0, 40.0, 80.0])[cls]).astype(np.float32)
    eta = np.clip(rng.normal(0.0, np.array([0.8, 1.2, 1.6])[cls]), -3, 3).astype(np.float32)
    path = tmp_path_factory.mktemp("reweight") / "jets.root"
    columns = {"jet_pt": pt, "jet_eta": eta, "x": rng.normal(size=N).astype(np.float32)}
    columns.update({name: cls == i for i, name in enumerate(CLASSES)})
    with uproot.recreate(path) as f:
        f.mktree("events", {k: v.dtype for k, v in columns.items()})
        f["events"].extend(columns)
    return path, cls, pt, eta


def bins_of(pt, eta):
    b_pt = np.clip(np.searchsorted(PT_EDGES, pt, side="right") - 1, 0, len(PT_EDGES) - 2)
    b_eta = np.clip(np.searchsorted(ETA_EDGES, eta, side="right") - 1, 0, len(ETA_EDGES) - 2)
    return b_pt, b_eta


def numpy_weights(cls, pt, eta, reference=None):
    """The weights rootbatch must give: per class, target / count per bin,
    scaled so every class's total is events / classes."""
    b_pt, b_eta = bins_of(pt, eta)
    counts = np.zeros((3, len(PT_EDGES) - 1, len(ETA_EDGES) - 1))
    np.add.at(counts, (cls, b_pt, b_eta), 1)
    weights = np.zeros_like(counts)
    for c in range(3):
        target = np.ones_like(counts[c]) if reference is None else counts[reference]
        filled = counts[c] > 0
        weights[c][filled] = target[filled] / counts[c][filled]
        weights[c] *= (len(cls) / 3) / (target[filled].sum())
    return counts, weights


def reweight(mode, reference=None):
    return {"variables": ["jet_pt", "jet_eta"], "edges": [PT_EDGES, ETA_EDGES], "classes": CLASSES,
            "reference": reference, "mode": mode}


@pytest.mark.parametrize("reference", [None, "label_c"])
def test_weights_equal_numpy_and_flatten_every_class(sample, reference):
    path, cls, pt, eta = sample
    loader = rootbatch.DataLoader(str(path), columns=["x"], batch_size=1000, seed=1,
                                  reweight=reweight("weights", reference))
    ref = None if reference is None else CLASSES.index(reference)
    counts, weights = numpy_weights(cls, pt, eta, ref)
    table = loader.reweighting
    np.testing.assert_array_equal(table["counts"], counts)
    np.testing.assert_allclose(table["weights"], weights, rtol=1e-12)
    seen_w, seen_entries = [], []
    for batch in loader.batches():
        seen_w.append(np.array(batch.weights))
        seen_entries.append(np.array(batch.entries))
    w = np.concatenate(seen_w)
    entries = np.concatenate(seen_entries)
    assert sorted(entries.tolist()) == list(range(N))
    b_pt, b_eta = bins_of(pt[entries], eta[entries])
    np.testing.assert_allclose(w, weights[cls[entries], b_pt, b_eta], rtol=1e-6)
    # Weighted histograms: every class's equals the target (flat, or the reference's shape), totals equal.
    for c in range(3):
        hist = np.zeros(counts.shape[1:])
        mine = cls[entries] == c
        np.add.at(hist, (b_pt[mine], b_eta[mine]), w[mine])
        target = (counts[c] > 0).astype(float) if ref is None else np.where(counts[c] > 0, counts[ref], 0.0)
        np.testing.assert_allclose(hist, target * (N / 3) / target.sum(), rtol=1e-5)


def test_validation_weights_match_the_target_within_statistics(sample):
    path, cls, pt, eta = sample
    train, validation = rootbatch.DataLoader(str(path), columns=["x"], batch_size=1000, seed=2,
                                             reweight=reweight("weights")).train_test_split(0.3)
    np.testing.assert_array_equal(train.reweighting["weights"], validation.reweighting["weights"])
    w, entries = [], []
    for batch in validation.batches():
        w.append(np.array(batch.weights))
        entries.append(np.array(batch.entries))
    w, entries = np.concatenate(w), np.concatenate(entries)
    b_pt, b_eta = bins_of(pt[entries], eta[entries])
    for c in range(3):
        mine = cls[entries] == c
        hist = np.zeros((len(PT_EDGES) - 1, len(ETA_EDGES) - 1))
        sq = np.zeros_like(hist)
        np.add.at(hist, (b_pt[mine], b_eta[mine]), w[mine])
        np.add.at(sq, (b_pt[mine], b_eta[mine]), w[mine] ** 2)
        filled = sq > 0
        flat = hist[filled].mean()
        # Each bin within 5 sigma of the class's mean bin content (flat target).
        assert (np.abs(hist[filled] - flat) < 5 * np.sqrt(sq[filled]) + 1e-9).all(), (c, hist)


def test_sample_mode_keeps_each_event_once_with_balanced_equal_shards(sample):
    path, cls, pt, eta = sample
    opts = dict(columns=["x"], batch_size=500, seed=4, reweight=reweight("sample"))
    whole = rootbatch.DataLoader(str(path), **opts)
    info = whole.reweighting
    assert info["considered"] == N and 0 < info["kept"] < N
    kept = np.concatenate([np.array(b.entries) for b in whole.batches()])
    # Entries are rows of the kept subset; map them back through the shard loaders below instead:
    assert len(kept) == info["kept"] and len(np.unique(kept)) == len(kept)
    shards = [rootbatch.DataLoader(str(path), **opts).shard(rank=r, world_size=2) for r in range(2)]
    counts = [len(s) for s in shards]
    assert counts[0] == counts[1]
    rows = [np.concatenate([np.array(b.features) for b in s.batches()]) for s in shards]
    xs = np.concatenate(rows)[:, 0]
    assert len(np.unique(xs)) == len(xs)  # no event twice across shards (x is continuous: unique per event)
    assert len(xs) == info["kept"] - info["kept"] % 2  # every kept event but the left-out remainder
    # The kept events' classes and spectra follow the weights: per (class, bin),
    # kept ~ Binomial(count, w / max_w).
    x_all = uproot.open(path)["events"]["x"].array(library="np")
    index = {v: i for i, v in enumerate(x_all.tolist())}
    chosen = np.array([index[v] for v in np.concatenate([np.array(b.features)[:, 0] for b in whole.batches()])
                       .tolist()])
    counts_np, weights = numpy_weights(cls, pt, eta)
    p = weights / weights.max()
    b_pt, b_eta = bins_of(pt[chosen], eta[chosen])
    got = np.zeros_like(counts_np)
    np.add.at(got, (cls[chosen], b_pt, b_eta), 1)
    expected = counts_np * p
    sigma = np.sqrt(counts_np * p * (1 - p)) + 1
    assert (np.abs(got - expected) < 5 * sigma).all()
    # Balanced: every class's kept total within statistics of the others'.
    totals = got.sum(axis=(1, 2))
    assert np.abs(totals - totals.mean()).max() < 5 * np.sqrt(totals.mean())


def test_bad_reweighting_is_clear(sample):
    path = sample[0]
    with pytest.raises(ValueError, match="must increase"):
        rootbatch.DataLoader(str(path), reweight={**reweight("weights"), "edges": [[0, 10, 5], ETA_EDGES]})
    with pytest.raises(ValueError, match="not one of the class columns"):
        rootbatch.DataLoader(str(path), reweight=reweight("weights", "label_z"))
    with pytest.raises(ValueError, match="weights="):
        rootbatch.DataLoader(str(path), columns=["x"], weights="jet_pt", reweight=reweight("weights")).reweighting
    loader = rootbatch.DataLoader(str(path), columns=["x"],
                                  reweight={**reweight("weights"), "classes": ["label_a", "label_b"]})
    with pytest.raises(ValueError, match="exactly one must be"):
        loader.reweighting


def test_class_columns_give_the_index_of_the_one_hot_column(sample):
    path, cls, _, _ = sample
    loader = rootbatch.DataLoader(str(path), columns=["x"], class_columns=CLASSES, batch_size=4096, seed=9)
    assert loader.target_names == ["class_index"]
    seen = 0
    for batch in loader.batches():
        _, y = batch.numpy()
        y = np.asarray(y)
        assert y.dtype == np.int64 and y.shape == (len(batch), 1)
        np.testing.assert_array_equal(y[:, 0], cls[np.asarray(batch.entries)])
        seen += len(batch)
    assert seen == N
    broken = rootbatch.DataLoader(str(path), columns=["x"], class_columns=["label_a", "label_b"], shuffle=False)
    with pytest.raises(ValueError, match=r"entry \d+ has 0 of the one-hot class columns 'label_a', 'label_b' set"):
        for _ in broken.batches():
            pass
