"""DataLoader.shuffle_plan(): the shuffle figures an epoch will have, predicted
without reading data, equal to the figures of the epoch itself; a layout
whose clusters exceed the shuffle buffer warns at construction, naming the
remedy."""
import warnings

import numpy as np
import pytest

import rootbatch


def figures(batches, n, batch_size):
    """bins/batch, var_ratio and spearman of SHUFFLE.md from the entry ids in output order."""
    full = [b for b in batches if len(b) == batch_size]
    bins = np.mean([len(np.unique(b * 100 // n)) for b in full])
    means = np.array([(b / n).mean() for b in full])
    allx = np.concatenate(batches) / n  # the feature's variance over every event yielded
    var_ratio = means.var() / (allx.var() / batch_size)
    return bins, var_ratio


@pytest.fixture(scope="module")
def chained(make_sample):
    return [str(make_sample(90000, seed=3, extra=("--cluster-size", "3000"))),
            str(make_sample(30000, seed=4, extra=("--cluster-size", "1500")))]


ROWS = 120000


FEATURES = ["lepton_pT", "lepton_eta", "lepton_phi", "missing_energy_magnitude", "missing_energy_phi", "jet1_pt",
            "weight"]


@pytest.mark.parametrize("memory,epoch", [("1MB", 0), ("1MB", 2), ("1.5MB", 1)])
def test_the_plan_is_the_epoch(chained, memory, epoch):
    loader = rootbatch.DataLoader([rootbatch.Source(chained, tree="events")], columns=FEATURES,
                                  target="label", batch_size=256, memory=memory, seed=4, num_threads=2)
    loader.set_epoch(epoch)
    plan = loader.shuffle_plan()
    ids = [np.asarray(b.entries) for b in loader.batches()]
    bins, var_ratio = figures(ids, ROWS, 256)
    assert plan["epoch"] == epoch and plan["rows"] == ROWS
    assert plan["buffer_rows"] == loader.memory_plan["num_slots"] < ROWS / 2  # a real streaming shuffle
    assert plan["bins_per_batch"] == pytest.approx(bins, rel=1e-9)
    assert plan["var_ratio"] == pytest.approx(var_ratio, rel=1e-6)
    assert plan["largest_cluster"] == 3000
    # What the epoch decompresses, as the loader's statistics count it.
    assert plan["units_read"] == loader.stats["units_read"]
    assert plan["decompressions_per_unit"] == pytest.approx(plan["units_read"] / plan["units"])
    assert "predicted bins/batch" in plan["description"]


def test_clusters_larger_than_the_buffer_warn_with_the_remedy(make_sample):
    path = str(make_sample(120000, seed=5, extra=("--cluster-size", "120000")))
    loader = rootbatch.DataLoader([rootbatch.Source([path], tree="events")], columns=["lepton_pT"], target="label",
                                  batch_size=256, memory="1MB", seed=1)
    with pytest.warns(rootbatch.ShuffleQualityWarning, match="rootbatch shuffle"):
        len(loader)
    plan = loader.shuffle_plan()
    assert plan["largest_cluster"] == 120000 and plan["buffer_rows"] < 120000
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per loader
        len(loader)


def test_no_warning_when_the_buffer_holds_the_clusters(chained):
    loader = rootbatch.DataLoader([rootbatch.Source(chained, tree="events")], columns=["lepton_pT"], target="label",
                                  batch_size=256, memory="64MB", seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rootbatch.ShuffleQualityWarning)
        plan = loader.shuffle_plan()
    assert plan["warnings"] == []


def test_pieces_strategy_every_event_once_planned_and_stratified(chained):
    """shuffle="pieces": every event once, the same batches whatever the threads, the
    plan equal to the epoch, and batches whose make-up varies less than the stream
    shuffle's (each takes its share of every piece in the buffer)."""
    def run(shuffle, threads):
        loader = rootbatch.DataLoader([rootbatch.Source(chained, tree="events")], columns=FEATURES,
                                      target="label", batch_size=256, memory="1MB", seed=4, num_threads=threads,
                                      shuffle=shuffle)
        plan = loader.shuffle_plan()
        return plan, [np.asarray(b.entries) for b in loader.batches()]

    plan, ids = run("pieces", 2)
    _, again = run("pieces", 1)
    assert all(np.array_equal(a, b) for a, b in zip(ids, again)) and len(ids) == len(again)
    every = np.sort(np.concatenate(ids))
    assert np.array_equal(every, np.arange(ROWS))
    bins, var_ratio = figures(ids, ROWS, 256)
    assert plan["bins_per_batch"] == pytest.approx(bins, rel=1e-9)
    assert plan["var_ratio"] == pytest.approx(var_ratio, rel=1e-6)
    _, stream_ids = run("stream", 2)
    _, stream_var_ratio = figures(stream_ids, ROWS, 256)
    assert var_ratio < stream_var_ratio
