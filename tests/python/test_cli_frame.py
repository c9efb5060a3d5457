"""`rootbatch dump` and `rootbatch bench` with --define/--filter: the CLI
contract over passing entries, checked against ROOT's RDataFrame."""
import json
import subprocess

import numpy as np
import pytest

from conftest import TESTDATA

NANO = str(TESTDATA / "nanoAOD_2015_CMS_Open_Data_ttbar.root")


def run(cli, *args):
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=300)


def branches(result):
    (tree,) = result["trees"]
    return tree, {b["name"]: b for b in tree["branches"]}


def test_dump_over_passing_entries_equals_root(rootbatch_cli):
    ROOT = pytest.importorskip("ROOT")
    proc = run(rootbatch_cli, "dump", NANO, "--json", "--tree", "Events", "--filter", "nJet >= 2",
               "--define", "ht=Sum(Jet_pt[Jet_pt > 30])", "--filter", "ht > 50",
               "--define", "lead_mu=nMuon > 0 ? Muon_pt[0] : -1.f", "--branches", "ht,lead_mu,nJet,Jet_pt")
    assert proc.returncode == 0, proc.stderr
    tree, got = branches(json.loads(proc.stdout))
    df = (ROOT.RDataFrame("Events", NANO).Filter("nJet >= 2").Define("ht", "Sum(Jet_pt[Jet_pt > 30])")
          .Filter("ht > 50").Define("lead_mu", "nMuon > 0 ? Muon_pt[0] : -1.f"))
    want = df.AsNumpy(["ht", "lead_mu", "nJet"])
    n = len(want["ht"])
    assert 0 < n < 200 and tree["entries"] == n
    assert set(got) == {"ht", "lead_mu", "nJet", "Jet_pt"}
    for name in ("ht", "lead_mu"):
        assert got[name]["n"] == n
        assert np.allclose(got[name]["first"], want[name][:5], rtol=1e-6)
        assert np.allclose(got[name]["last"], want[name][-5:], rtol=1e-6)
        assert got[name]["sum"] == pytest.approx(float(np.sum(want[name], dtype=np.float64)), rel=1e-6)
    assert got["nJet"]["isum"] == int(np.sum(want["nJet"]))
    assert got["Jet_pt"]["counts_sum"] == int(np.sum(want["nJet"]))  # Jet_pt has nJet items


def test_bench_runs_the_loader_over_passing_entries(rootbatch_cli, make_sample):
    path = str(make_sample(20000, extra=("--cluster-size", "2000")))
    proc = run(rootbatch_cli, "bench", path, "--tree", "events", "--target", "label", "--columns",
               "lepton_pT,r,n_jets", "--define", "r=lepton_eta * lepton_eta", "--define", "n_jets=Jet_pt.size()",
               "--filter", "lepton_pT > 40", "--batch-size", "256", "--memory", "16MB", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    count = run(rootbatch_cli, "dump", path, "--json", "--tree", "events", "--filter", "lepton_pT > 40",
                "--branches", "label")
    tree, _ = branches(json.loads(count.stdout))
    assert 0 < result["events"] == tree["entries"] < 20000
    assert result["input_events"] == 20000 and result["selection_s"] > 0


def test_a_bad_expression_exits_nonzero_with_the_caret(rootbatch_cli):
    for command in (["dump", NANO, "--json"], ["bench", NANO, "--target", "nJet"]):
        proc = run(rootbatch_cli, *command, "--tree", "Events", "--filter", "nJet >= && 1")
        assert proc.returncode != 0
        assert "^" in proc.stderr and "nJet >= && 1" in proc.stderr, proc.stderr
    proc = run(rootbatch_cli, "dump", NANO, "--json", "--tree", "Events", "--define", "x=Jet_ptt * 2")
    assert proc.returncode != 0 and "Jet_pt" in proc.stderr
    proc = run(rootbatch_cli, "dump", NANO, "--json", "--filter", "nJet > 1")
    assert proc.returncode != 0 and "--tree" in proc.stderr
