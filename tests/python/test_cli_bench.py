"""`rootbatch bench`: the CLI contract of docs/benchmarks.md on small make-sample files."""
import json
import subprocess

import numpy as np
import pytest

EVENTS = (6000, 4000)


@pytest.fixture(scope="module")
def samples(rootbatch_cli, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    paths = []
    for i, events in enumerate(EVENTS):
        path = folder / f"part{i}.root"
        subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", str(events), "--no-jagged",
                        "--cluster-size", "1000", "--seed", str(i + 1), "--quiet"], check=True, timeout=120)
        paths.append(str(path))
    return paths


def bench(cli, *args):
    proc = subprocess.run([cli, "bench", *args], capture_output=True, text=True, timeout=120)
    return proc


def test_json_fields_and_order_out_cover_every_event_once(rootbatch_cli, samples, tmp_path):
    order = tmp_path / "order.bin"
    proc = bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--batch-size", "256",
                 "--memory", "16MB", "--threads", "2", "--seed", "3", "--order-out", str(order), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key in ("events", "events_per_s", "mb_per_s", "first_batch_s", "peak_rss_mb", "wait_fraction"):
        assert key in result
    assert result["events"] == sum(EVENTS)
    # Pieces shorter than a basket read it more than once: as often as the plan says.
    plan = json.loads(bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--batch-size", "256",
                            "--memory", "16MB", "--seed", "3", "--plan", "--json").stdout)
    assert result["amplification"] == pytest.approx(plan["decompressions_per_unit"])
    whole = json.loads(bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--batch-size", "256",
                             "--memory", "16MB", "--seed", "3", "--pieces-per-buffer", "0", "--json").stdout)
    assert whole["amplification"] == 1.0  # blocks whole: every basket once
    entries = np.fromfile(order, dtype="<i8")
    # The global entry index counts across the files in the order given.
    assert sorted(entries.tolist()) == list(range(sum(EVENTS)))
    assert entries.tolist() != list(range(sum(EVENTS)))  # shuffled
    # Same seed, same order; another seed, another order.
    again = tmp_path / "again.bin"
    bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--batch-size", "256", "--memory", "16MB",
          "--threads", "1", "--seed", "3", "--order-out", str(again))
    assert np.array_equal(np.fromfile(again, dtype="<i8"), entries)
    other = tmp_path / "other.bin"
    bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--batch-size", "256", "--memory", "16MB",
          "--seed", "4", "--order-out", str(other))
    assert not np.array_equal(np.fromfile(other, dtype="<i8"), entries)


def test_no_shuffle_yields_file_order(rootbatch_cli, samples, tmp_path):
    order = tmp_path / "order.bin"
    proc = bench(rootbatch_cli, samples[1], samples[0], "--tree", "events", "--target", "label", "--no-shuffle",
                 "--order-out", str(order))
    assert proc.returncode == 0, proc.stderr
    assert np.fromfile(order, dtype="<i8").tolist() == list(range(sum(EVENTS)))


def test_ceiling_and_shuffle_report(rootbatch_cli, samples):
    proc = bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--ceiling", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["mode"] == "ceiling" and result["events"] == sum(EVENTS) and result["events_per_s"] > 0
    proc = bench(rootbatch_cli, *samples, "--tree", "events", "--target", "label", "--shuffle-report", "--json",
                 "--batch-size", "100")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["bins_per_batch"] > 50 and abs(result["spearman"]) < 0.2


@pytest.mark.parametrize("args, words", [
    (["--batch-size", "0"], "option 'batch_size' must be at least 1, got 0 (in flag --batch-size)"),
    (["--batch-size", "2.5"], "must be an integer, got '2.5'"),
    (["--threads", "0"], "(in flag --threads)"),
    (["--shuffle", "random"], "'none', 'stream', 'cluster-chunks', 'pieces' or 'scatter'"),
    (["--columns", "lepton_pT,nope"], "no column 'nope'"),
    (["--columns", "label,m_bb"], "both a target and a feature"),
    (["--memory", "10KB"], "too small"),
    (["--memory", "lots"], "--memory"),
])
def test_bad_options_fail_clearly(rootbatch_cli, samples, args, words):
    proc = bench(rootbatch_cli, samples[0], "--tree", "events", "--target", "label", *args)
    assert proc.returncode != 0
    assert words in proc.stderr


def test_missing_required_options(rootbatch_cli, samples):
    proc = bench(rootbatch_cli, samples[0], "--tree", "events")
    assert proc.returncode == 2
    assert "--target" in proc.stderr
