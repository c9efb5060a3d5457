"""rootbatch.DataLoader over a filtered and defined rootbatch.RDataFrame.

Every loader guarantee counts passing events: exactly once per epoch over
world sizes and workers with equal batch counts, resume mid-epoch,
determinism whatever the thread count; defined columns are features like
any other. And a script written for ROOT's RDataFrame + RDataLoader runs
unchanged with the ``ROOT.`` prefix replaced by ``rootbatch.``.
"""
import pickle
import textwrap

import numpy as np
import pytest

import rootbatch

from conftest import TESTDATA

NANO = str(TESTDATA / "nanoAOD_2015_CMS_Open_Data_ttbar.root")


@pytest.fixture(scope="module")
def big(make_sample):
    return make_sample(30000, seed=3, extra=("--cluster-size", "2000"))


def selection(path):
    return (rootbatch.RDataFrame("events", path)
            .Filter("lepton_pT > 30", "lepton pt")
            .Define("r", "sqrt(lepton_eta * lepton_eta + lepton_phi * lepton_phi)")
            .Filter("r < 2.5 || label == 1", "r or signal"))


def rows_of(loader):
    return np.concatenate([b.entries.numpy().copy() for b in loader.batches()])


def test_every_passing_event_once_over_ranks_and_workers(big):
    df = selection(big)
    passing = df.Count().GetValue()
    assert 0 < passing < 30000
    for world in (1, 2, 3):
        for workers in (1, 2, 4):
            seen, counts = [], set()
            for rank in range(world):
                for worker in range(workers):
                    loader = rootbatch.DataLoader(df, columns=["lepton_pT", "r"], target="label", batch_size=256,
                                                  seed=4).shard(rank, world, worker, workers)
                    rows = [b.entries.numpy().copy() for b in loader.batches()]
                    counts.add(len(rows))
                    seen.append(np.concatenate(rows))
            everything = np.concatenate(seen)
            assert len(counts) == 1, (world, workers, counts)  # equal batch counts
            assert len(np.unique(everything)) == len(everything)  # never twice
            left_out = passing % (world * workers)
            assert len(everything) == passing - left_out
            assert everything.min() >= 0 and everything.max() < passing


def test_batches_hold_the_passing_events_and_their_defines(big):
    df = selection(big)
    loader = rootbatch.DataLoader(df, columns=["lepton_pT", "r"], target="label", batch_size=500, seed=1)
    expected = df.AsNumpy(["lepton_pT", "r", "label"])
    for batch in loader.batches():
        x, y = batch.numpy()
        rows = batch.entries.numpy()
        assert np.array_equal(x[:, 0], expected["lepton_pT"][rows])
        assert np.array_equal(x[:, 1], expected["r"][rows].astype(np.float32))
        assert np.array_equal(y[:, 0], expected["label"][rows].astype(y.dtype))
    entries = df.entry_numbers()
    pt = rootbatch.open(big)["events"].array("lepton_pT")
    assert np.array_equal(pt[entries], expected["lepton_pT"])
    assert np.all(pt[entries] > 30) and np.sum(pt > 30) > len(entries)


def test_resume_mid_epoch_with_a_filter(big):
    df = selection(big)
    make = lambda **kw: rootbatch.DataLoader(df, columns=["lepton_pT", "r"], target="label", batch_size=128, seed=9, **kw)
    loader = make()
    batches = loader.batches()
    head = [next(batches).entries.numpy().copy() for _ in range(7)]
    state = pickle.loads(pickle.dumps(loader.state_dict()))
    rest = [b.entries.numpy().copy() for b in batches]
    resumed = make(num_threads=1)
    resumed.load_state_dict(state)
    again = [b.entries.numpy().copy() for b in resumed.batches()]
    assert len(again) == len(rest) > 0
    assert all(np.array_equal(a, b) for a, b in zip(again, rest))
    assert len(np.intersect1d(np.concatenate(head), np.concatenate(again))) == 0


def test_deterministic_with_one_and_four_threads(big):
    df = selection(big)
    one = rows_of(rootbatch.DataLoader(df, columns=["r"], batch_size=300, seed=2, num_threads=1))
    four = rows_of(rootbatch.DataLoader(df, columns=["r"], batch_size=300, seed=2, num_threads=4))
    assert np.array_equal(one, four)
    assert not np.array_equal(one, np.sort(one))  # and shuffled


def test_split_counts_passing_events(big):
    df = selection(big)
    train, val = rootbatch.DataLoader(df, columns=["r"], batch_size=200, seed=5).train_test_split(0.25)
    a, b = rows_of(train), rows_of(val)
    assert len(np.intersect1d(a, b)) == 0
    assert len(a) + len(b) == df.Count().GetValue()
    assert len(b) == round(0.25 * df.Count().GetValue())


def test_jagged_define_as_a_padded_feature():
    df = rootbatch.RDataFrame("Events", NANO).Filter("nJet >= 1").Define("good_pt", "Jet_pt[Jet_pt > 20]")
    loader = rootbatch.DataLoader(df, columns=["nJet"], jagged={"good_pt": 4}, batch_size=16, shuffle=False)
    expected = df.AsNumpy(["good_pt"])["good_pt"]
    for batch in loader.batches():
        x = batch.numpy()
        padded = x["good_pt"]
        for row, values in zip(batch.entries.numpy(), padded):
            want = np.zeros(4, dtype=np.float32)
            kept = np.asarray(expected[row])[:4]
            want[: len(kept)] = kept
            assert np.array_equal(values, want)


def test_filter_passing_nothing_is_a_clear_error(big):
    df = rootbatch.RDataFrame("events", big).Filter("lepton_pT < 0")
    assert df.Count().GetValue() == 0
    with pytest.raises(ValueError, match="no entr|passes no|empty"):
        next(iter(rootbatch.DataLoader(df, columns=["lepton_pT"])))


MIGRATED = """
import ROOT

df = ROOT.RDataFrame("Events", PATH)
df = df.Filter("nJet >= 2 && nMuon >= 1", "jets and a muon")
df = df.Define("ht", "Sum(Jet_pt[Jet_pt > 30])")
df = df.Define("lead_mu_pt", "Muon_pt[0]")
loader = ROOT.Experimental.ML.RDataLoader(df, batch_size=8, columns=["ht", "lead_mu_pt", "MET_pt", "nJet"],
                                          target="nJet", shuffle=False, drop_remainder=False)
batches = [(x.copy(), y.copy()) for x, y in loader.as_numpy()]
"""


def run_script(prefix):
    code = textwrap.dedent(MIGRATED)
    if prefix == "rootbatch":  # the whole migration
        code = code.replace("import ROOT", "import rootbatch").replace("ROOT.", "rootbatch.")
    scope = {"PATH": NANO}
    exec(compile(code, f"<{prefix} script>", "exec"), scope)
    x = np.concatenate([np.asarray(b[0]) for b in scope["batches"]])
    y = np.concatenate([np.asarray(b[1]) for b in scope["batches"]])
    return x, y


def test_a_root_script_migrates_by_changing_the_prefix():
    pytest.importorskip("ROOT")
    theirs_x, theirs_y = run_script("ROOT")
    ours_x, ours_y = run_script("rootbatch")
    assert ours_x.shape == theirs_x.shape and len(ours_x) > 0
    assert np.array_equal(ours_x, theirs_x)
    assert np.array_equal(ours_y.astype(np.float64).ravel(), np.asarray(theirs_y, dtype=np.float64).ravel())


def test_sampling_and_class_labels_count_passing_events(big, make_sample):
    # Class-balanced mixing of two selected samples: each source's share of an epoch is
    # round(ratio x its passing events), every epoch a fresh draw, each row at most once.
    other = make_sample(12000, seed=8, extra=("--cluster-size", "3000"))
    signal = selection(big).Filter("label == 1")
    background = selection(other).Filter("label == 0")
    n_sig, n_bkg = signal.Count().GetValue(), background.Count().GetValue()
    ratio = (n_sig // 2 + 0.25) / n_bkg  # about as many of each class, away from a .5 to round
    loader = rootbatch.DataLoader([rootbatch.Source(signal, label=1, sampling_ratio=0.5),
                                   rootbatch.Source(background, label=0, sampling_ratio=ratio)],
                                  columns=["r"], batch_size=100, seed=4)
    for epoch in (0, 1):
        loader.set_epoch(epoch)
        labels = np.concatenate([np.asarray(y)[:, -1].copy() for _, y in loader.as_numpy()])
        assert int(np.sum(labels == 1)) == round(0.5 * n_sig)
        assert int(np.sum(labels == 0)) == round(ratio * n_bkg)
