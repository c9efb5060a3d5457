"""The weaver-style peer (python/benchmarks/particles_peer.py) on a small
`make-sample --kind particles` file: the padded tensors' shapes, the mask
against each jet's true multiplicity, the sort order, the standardisation
and clipping, and an epoch that serves every jet once, with and without
DataLoader workers. The truth comes from uproot + awkward directly.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
JETS = 2000


@pytest.fixture(scope="module")
def peer():
    for module in ("uproot", "awkward"):
        if importlib.util.find_spec(module) is None:
            if os.environ.get("CI"):
                pytest.fail(f"{module} is required for the peer in CI")
            pytest.skip(f"{module} is not installed")
    sys.path.insert(0, str(REPO / "python" / "benchmarks"))
    try:
        import particles_peer  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    return particles_peer


@pytest.fixture(scope="module")
def jets_file(rootbatch_cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("peer") / "particles.root"
    subprocess.run([rootbatch_cli, "make-sample", str(path), "--kind", "particles", "--events", str(JETS),
                    "--seed", "3", "--cluster-size", "500", "--quiet"], check=True, capture_output=True, timeout=600)
    return path


@pytest.fixture(scope="module")
def truth(peer, jets_file):
    import uproot  # noqa: PLC0415

    return uproot.open(jets_file)["events"].arrays()


def config(peer, jets_file, **kwargs):
    return peer.Config(files=[str(jets_file)], **kwargs)


def test_check_file_is_padded_sorted_and_masked(peer, jets_file, truth, tmp_path):
    import awkward as ak  # noqa: PLC0415

    out = tmp_path / "check.npz"
    script = REPO / "python" / "benchmarks" / "particles_peer.py"
    result = subprocess.run([sys.executable, str(script), str(jets_file), "--check", str(out), "--check-jets", "700",
                             "--layout", "BPF"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = np.load(out)
    assert data["x"].shape == (700, 128, 24) and data["x"].dtype == np.float32
    assert data["mask"].shape == (700, 128)
    assert list(data["features"]) == peer.FEATURES
    np.testing.assert_array_equal(data["event_id"], np.arange(700))
    counts = ak.to_numpy(ak.num(truth["part_pt"][:700]))
    np.testing.assert_array_equal(data["mask"].sum(axis=1), np.minimum(counts, 128))
    pt = data["x"][:, :, peer.FEATURES.index("part_pt")]
    assert np.all(np.diff(pt, axis=1)[data["mask"][:, 1:]] <= 0), "real particles sorted by pt, descending"
    assert np.all(data["x"][~data["mask"]] == 0), "padding is 0"
    # Each jet's real rows are its particles, reordered by pt.
    for j in (0, 1, 699):
        n = counts[j]
        expected = np.stack([ak.to_numpy(truth[name][j]) for name in peer.FEATURES], axis=1)
        expected = expected[np.argsort(-expected[:, peer.FEATURES.index("part_pt")], kind="stable")]
        np.testing.assert_array_equal(data["x"][j, :n], expected)
    labels = np.stack([ak.to_numpy(truth[f"label_{c}"][:700]) for c in ["QCD", "Hbb", "Hcc", "Tbqq"]], axis=1)
    np.testing.assert_array_equal(data["label"], labels.argmax(axis=1))


def test_layouts_agree(peer, truth):
    bfp, mask = peer.pad_features(truth[:50], config(peer, "", layout="BFP"))
    bpf, mask2 = peer.pad_features(truth[:50], config(peer, "", layout="BPF"))
    assert bfp.shape == (50, 24, 128) and bpf.shape == (50, 128, 24)
    np.testing.assert_array_equal(bfp, bpf.transpose(0, 2, 1))
    np.testing.assert_array_equal(mask, mask2)


def test_standardised_values_are_clipped_and_centred(peer, jets_file, truth):
    import awkward as ak  # noqa: PLC0415

    cfg = config(peer, jets_file, batch_size=256)
    cfg.memory = 600 * cfg.padded_bytes_per_jet()  # chunks of 600 jets
    assert cfg.chunk_jets() == 600
    centre, scale = peer.standardisation(cfg)
    first = ak.to_numpy(ak.flatten(truth["part_energy"][:600])).astype(np.float64)
    k = peer.FEATURES.index("part_energy")
    assert centre[k] == pytest.approx(first.mean()) and scale[k] == pytest.approx(first.std())
    x, mask = peer.pad_features(truth[:600], cfg, centre, scale)
    assert np.abs(x).max() <= 5.0
    assert np.abs(x).max() == 5.0, "some values are clipped"
    real = x.transpose(0, 2, 1)[mask]  # [particles, features]
    assert np.abs(real.mean(axis=0)).max() < 0.5, "roughly centred on the first chunk"


@pytest.mark.parametrize("workers", [0, 2])
def test_epoch_serves_every_jet_once(peer, jets_file, truth, workers):
    if workers and importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    cfg = config(peer, jets_file, batch_size=256, workers=workers)
    cfg.memory = 700 * cfg.padded_bytes_per_jet()  # chunks of 700 jets, or 350 a worker
    centre, scale = peer.standardisation(cfg)
    batches = peer.make_torch_loader(cfg, centre, scale) if workers else peer.iterate_batches(cfg, centre, scale)
    fingerprints, sizes, first_counts = [], [], None
    for x, mask, y in batches:
        x, mask, y = np.asarray(x), np.asarray(mask), np.asarray(y)
        assert x.shape[1:] == (24, 128) and mask.shape[1:] == (128,)
        sizes.append(len(y))
        if first_counts is None:
            first_counts = mask.sum(axis=1)
        # A jet's fingerprint: its hardest particle's 24 values, its multiplicity and its label.
        fingerprints.extend((x[j, :, 0].tobytes(), int(mask[j].sum()), int(y[j])) for j in range(len(y)))
    assert sum(sizes) == JETS
    assert sizes.count(256) >= JETS // 256 - workers, "batches are full except at the ends"
    # Every jet once: the fingerprints are the file's, none twice.
    x, mask = peer.pad_features(truth, cfg, centre, scale)
    y = peer.class_index(truth, ["label_QCD", "label_Hbb", "label_Hcc", "label_Tbqq"])
    expected = [(x[j, :, 0].tobytes(), int(mask[j].sum()), int(y[j])) for j in range(JETS)]
    assert len(set(expected)) == JETS
    assert sorted(fingerprints) == sorted(expected)
    # Shuffled: the first batch is not the file's first jets.
    assert not np.array_equal(first_counts, mask[:256].sum(axis=1))
