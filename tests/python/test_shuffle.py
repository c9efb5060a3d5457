"""rootbatch shuffle / rootbatch.shuffle / Snapshot(shuffle=True): a copy in
a uniformly random order, every event once with its values, read by ROOT and
uproot; the loader over the copy scores like a full shuffle; temporary files
and partial output are removed on failure and Ctrl-C."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import rootbatch
from rootbatch import errors

COLUMNS = ["event_id", "label", "lepton_pT", "Jet_pt", "Muon_pt"]


@pytest.fixture(scope="module")
def chained(make_sample):
    # Two files of unequal sizes, the second sorted-ish by construction (its ids follow the first's).
    return [str(make_sample(30000, seed=3, extra=("--cluster-size", "3000"))),
            str(make_sample(12000, seed=4, extra=("--cluster-size", "5000")))]


def test_the_cli_writes_every_event_once_in_a_random_order(rootbatch_cli, chained, tmp_path):
    uproot = pytest.importorskip("uproot")
    out = tmp_path / "shuffled.root"
    proc = subprocess.run([rootbatch_cli, "shuffle", *chained, "--tree", "events", "-o", str(out), "--memory", "4MB",
                           "--seed", "5", "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["rows"] == 42000 and report["buckets"] > 1 and report["temp_bytes"] > 0
    assert sorted(os.listdir(tmp_path)) == ["shuffled.root"]  # the buckets are gone
    got = uproot.open(out)["events"].arrays(COLUMNS, library="np")
    inputs = [uproot.open(p)["events"].arrays(COLUMNS, library="np") for p in chained]
    # The chained input's global entry of each row: file 0's entries first. make-sample's
    # event_id restarts per file, so (file, event_id) identifies a row: the label and
    # lepton_pT tell which file a row came from, checked through the values below.
    expected = {k: np.concatenate([a[k] for a in inputs]) for k in ("event_id", "label", "lepton_pT")}
    assert len(got["event_id"]) == 42000
    key = lambda ids, pts: sorted(zip(ids.tolist(), pts.tolist()))
    assert key(got["event_id"], got["lepton_pT"]) == key(expected["event_id"], expected["lepton_pT"])
    # Far from the input order: about as many rises as falls, and the first rows from everywhere.
    rises = np.mean(np.diff(got["event_id"].astype(np.int64)) > 0)
    assert 0.47 < rises < 0.53
    # Jagged values travel with their row.
    by_key = {}
    for a in inputs:
        for i in range(0, len(a["event_id"]), 97):
            by_key[(int(a["event_id"][i]), float(a["lepton_pT"][i]))] = (a["Jet_pt"][i], a["Muon_pt"][i])
    matched = 0
    for i in range(len(got["event_id"])):
        k = (int(got["event_id"][i]), float(got["lepton_pT"][i]))
        if k in by_key:
            assert np.array_equal(got["Jet_pt"][i], by_key[k][0]) and np.array_equal(got["Muon_pt"][i], by_key[k][1])
            matched += 1
    assert matched == len(by_key)


def test_root_reads_the_shuffled_copy_and_the_seed_decides(chained, tmp_path):
    ROOT = pytest.importorskip("ROOT")
    a, b, c = (str(tmp_path / n) for n in ("a.root", "b.root", "c.root"))
    report = rootbatch.shuffle(chained, "events", a, memory="4MB", seed=1, columns=COLUMNS)
    rootbatch.shuffle(chained, "events", b, memory="4MB", seed=1, columns=COLUMNS)
    rootbatch.shuffle(chained, "events", c, memory="4MB", seed=2, columns=COLUMNS, format="rntuple")
    assert report["rows"] == 42000
    ours = rootbatch.RDataFrame("events", a).AsNumpy(["event_id", "lepton_pT"])
    theirs = ROOT.RDataFrame("events", a).AsNumpy(["event_id", "lepton_pT"])
    assert np.array_equal(ours["event_id"], theirs["event_id"])
    assert np.array_equal(ours["lepton_pT"], theirs["lepton_pT"])
    assert np.array_equal(rootbatch.RDataFrame("events", b).AsNumpy(["event_id"])["event_id"], ours["event_id"])
    other = ROOT.RDataFrame("events", c).AsNumpy(["event_id"])["event_id"]  # the RNTuple copy
    assert not np.array_equal(other, ours["event_id"]) and sorted(other) == sorted(ours["event_id"])


def test_a_filtered_frame_shuffles_its_passing_rows(chained, tmp_path):
    df = rootbatch.RDataFrame("events", chained).Filter("lepton_pT > 40").Define("ht", "Sum(Jet_pt)")
    out = str(tmp_path / "sel.root")
    df.Snapshot("sel", out, ["event_id", "lepton_pT", "ht"], rootbatch.RSnapshotOptions(shuffle=True, memory="4MB"))
    got = rootbatch.RDataFrame("sel", out).AsNumpy(["lepton_pT", "ht"])
    want = df.AsNumpy(["lepton_pT", "ht"])
    assert sorted(zip(got["lepton_pT"], got["ht"])) == sorted(zip(want["lepton_pT"], want["ht"]))
    assert not np.array_equal(got["lepton_pT"], want["lepton_pT"])


def test_the_loader_over_the_copy_scores_like_a_full_shuffle(rootbatch_cli, chained, tmp_path):
    out = tmp_path / "shuffled.root"
    subprocess.run([rootbatch_cli, "shuffle", *chained, "--tree", "events", "-o", str(out), "--memory", "4MB",
                    "--columns", "event_id,label,lepton_pT,weight"], check=True, timeout=300)
    # In file order, at a small budget: the batches of the copy mix classes as a full shuffle does.
    loader = rootbatch.DataLoader(str(out), columns=["lepton_pT"], target="label", batch_size=256, shuffle=False,
                                  memory="4MB")
    fractions = [float(np.mean(y)) for _, y in loader.as_numpy()][:-1]
    p = float(np.mean(fractions))
    floor = np.sqrt(p * (1 - p) / 256)
    assert np.std(fractions) < 1.3 * floor


def test_errors_and_ctrl_c_leave_nothing_behind(rootbatch_cli, chained, tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="4 MiB"):
        rootbatch.shuffle(chained, "events", str(tmp_path / "x.root"), memory="1MB")
    with pytest.raises(KeyError):
        rootbatch.shuffle(chained, "event", str(tmp_path / "x.root"))
    assert os.listdir(tmp_path) == []
    big = [chained[0]] * 12  # 360 000 events: long enough to interrupt
    proc = subprocess.Popen([rootbatch_cli, "shuffle", *big, "--tree", "events", "-o", str(tmp_path / "big.root"),
                             "--memory", "8MB"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the shuffle finished before the interrupt")
    assert "interrupted" in err, err
    assert os.listdir(tmp_path) == []
