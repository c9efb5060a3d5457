"""rootbatch.RDataFrame against ROOT's RDataFrame on real files.

The same chains (Filter, Define, Redefine, Range) and actions run in both;
passing entries, defined values, Count/Sum/Mean/Min/Max and the cut-flow
Report must agree. Integers exactly, floats within a few ulp (the expression
conformance test explains why ROOT's JIT may round differently).
"""
import numpy as np
import pytest

import rootbatch
from rootbatch import errors

from conftest import TESTDATA

ROOT = pytest.importorskip("ROOT")

NANO = str(TESTDATA / "nanoAOD_2015_CMS_Open_Data_ttbar.root")
HZZ = str(TESTDATA / "uproot-HZZ.root")
ZMUMU = str(TESTDATA / "uproot-Zmumu.root")

# A NanoAOD-style chain with named filters, defines of scalar and jagged
# results, and a define used by a later filter.
CHAIN = [
    ("Filter", "nJet >= 2", "two jets"),
    ("Define", "good_jet_pt", "Jet_pt[Jet_pt > 30 && abs(Jet_eta) < 2.4]"),
    ("Define", "ht", "Sum(good_jet_pt)"),
    ("Filter", "ht > 60", "ht"),
    ("Define", "lead_pt", "Jet_pt[0]"),
    ("Define", "n_good", "good_jet_pt.size()"),
    ("Filter", "nMuon == 0 || Muon_pt[0] > 5", "muon pt"),
]


def build(df, chain):
    for op in chain:
        df = getattr(df, op[0])(*op[1:])
    return df


def close(a, b, ulps=4):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.all(np.abs(a - b) <= ulps * np.spacing(scale.astype(np.float32)) + 0.0)


@pytest.fixture(scope="module")
def nano_root():
    df = build(ROOT.RDataFrame("Events", NANO), CHAIN).Define("entry_", "rdfentry_")
    report = df.Report()
    arrays = df.AsNumpy(["entry_", "ht", "lead_pt", "n_good", "good_jet_pt"])
    cuts = [(c.GetName(), c.GetPass(), c.GetAll()) for c in report.GetValue()]
    return arrays, cuts


@pytest.fixture(scope="module")
def nano_rb():
    return build(rootbatch.RDataFrame("Events", NANO), CHAIN)


def test_passing_entries_and_defines_equal_root(nano_root, nano_rb):
    arrays, _ = nano_root
    assert np.array_equal(nano_rb.entry_numbers(), arrays["entry_"].astype(np.int64))
    ours = nano_rb.AsNumpy(["ht", "lead_pt", "n_good", "good_jet_pt"])
    assert len(ours["ht"]) == len(arrays["ht"]) > 0
    assert ours["ht"].dtype == arrays["ht"].dtype == np.float32
    assert close(ours["ht"], arrays["ht"])
    assert np.array_equal(ours["lead_pt"], arrays["lead_pt"])
    assert np.array_equal(ours["n_good"].astype(np.int64), arrays["n_good"].astype(np.int64))
    for mine, theirs in zip(ours["good_jet_pt"], arrays["good_jet_pt"]):
        assert np.array_equal(np.asarray(mine), np.asarray(theirs))


def test_report_equals_roots_report(nano_root, nano_rb, capsys):
    _, cuts = nano_root
    report = nano_rb.Report()
    assert [(c.GetName(), c.GetPass(), c.GetAll()) for c in report] == cuts
    assert report["ht"].GetAll() == report["two jets"].GetPass()
    report.Print()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("two jets            : pass=")
    assert "cumulative eff=" in printed[-1]


def test_count_sum_mean_min_max_equal_root():
    chain = [("Filter", "NMuon >= 1"), ("Define", "mu_px", "Muon_Px * 2")]
    theirs = build(ROOT.RDataFrame("events", HZZ), chain)
    ours = build(rootbatch.RDataFrame("events", HZZ), chain)
    results = {"count": theirs.Count()}
    for column in ("NMuon", "MET_px", "Muon_Px", "mu_px", "NJet"):
        for action in ("Sum", "Mean", "Min", "Max"):
            results[(action, column)] = getattr(theirs, action)(column)
    assert ours.Count().GetValue() == results.pop("count").GetValue() > 0
    for (action, column), value in results.items():
        mine = getattr(ours, action)(column).GetValue()
        assert isinstance(mine, float), (action, column)  # ROOT returns double for all four
        assert mine == pytest.approx(value.GetValue(), rel=1e-12), (action, column)


def test_range_counts_entries_passing_the_filters_above_like_root():
    for chain in ([("Range", 5, 50, 3), ("Filter", "nJet > 2")],
                  [("Filter", "nJet > 2"), ("Range", 5, 50, 3)],
                  [("Filter", "nJet > 2"), ("Range", 10)],
                  [("Range", 190, 0)]):
            theirs = build(ROOT.RDataFrame("Events", NANO), chain).Define("e", "rdfentry_").AsNumpy(["e"])["e"]
            ours = build(rootbatch.RDataFrame("Events", NANO), chain)
            assert np.array_equal(ours.entry_numbers(), theirs.astype(np.int64)), chain


def test_redefine_replaces_a_column_like_root():
    chain = [("Redefine", "E1", "E1 * 2"), ("Filter", "E1 > 100")]
    theirs = build(ROOT.RDataFrame("events", ZMUMU), chain).AsNumpy(["E1"])["E1"]
    ours = build(rootbatch.RDataFrame("events", ZMUMU), chain).AsNumpy(["E1"])["E1"]
    assert np.array_equal(ours, theirs)


def test_column_names_and_types_follow_root(nano_rb):
    names = nano_rb.GetColumnNames()
    assert {"ht", "lead_pt", "good_jet_pt", "nJet", "Muon_pt"} <= set(names)
    theirs = build(ROOT.RDataFrame("Events", NANO), CHAIN)
    for name in ("nMuon", "Muon_pt", "event", "Muon_charge", "ht", "n_good"):
        assert nano_rb.GetColumnType(name) == str(theirs.GetColumnType(name)), name
    assert nano_rb.GetDefinedColumnNames() == ["good_jet_pt", "ht", "lead_pt", "n_good"]


def test_errors_are_clear_and_typed(nano_rb):
    df = rootbatch.RDataFrame("Events", NANO)
    with pytest.raises(errors.InvalidArgumentError) as bad:
        df.Filter("nJet >= ")
    assert "^" in str(bad.value)
    with pytest.raises(KeyError) as unknown:
        df.Define("x", "Jet_ptt * 2")
    assert "Jet_pt" in str(unknown.value)
    with pytest.raises(ValueError) as again:
        nano_rb.Define("ht", "1")
    assert "Redefine" in str(again.value)
    with pytest.raises(KeyError):
        rootbatch.RDataFrame("Evnts", NANO)


@pytest.mark.parametrize("fmt", ["ttree", "rntuple"])
def test_snapshot_writes_the_selection_readable_by_root(nano_rb, tmp_path, fmt):
    out = tmp_path / f"skim_{fmt}.root"
    columns = ["ht", "lead_pt", "nJet", "good_jet_pt", "event"]
    snap = nano_rb.Snapshot("skim", out, columns, rootbatch.RSnapshotOptions(format=fmt, compression="lz4", level=4))
    expected = nano_rb.AsNumpy(columns)
    assert snap.Count().GetValue() == len(expected["ht"])
    back = ROOT.RDataFrame("skim", str(out)).AsNumpy(columns)
    for name in ("ht", "lead_pt", "nJet", "event"):
        assert np.array_equal(back[name], expected[name]), name
    for mine, theirs in zip(expected["good_jet_pt"], back["good_jet_pt"]):
        assert np.array_equal(np.asarray(mine), np.asarray(theirs))


def test_pickled_frame_replays_its_chain(nano_rb):
    import pickle

    copy = pickle.loads(pickle.dumps(nano_rb))
    assert np.array_equal(copy.entry_numbers(), nano_rb.entry_numbers())
    assert copy.Count().GetValue() == nano_rb.Count().GetValue()


def _px_over_e(px, e):  # module level: picklable, as a DataLoader worker needs
    return px / e


def test_numpy_callables_equal_the_same_expression():
    df = rootbatch.RDataFrame("events", ZMUMU)
    by_expr = df.Filter("E1 > 20 && Q1 > 0").Define("r", "px1 / E1")
    by_numpy = df.Filter(lambda e, q: (e > 20) & (q > 0), "cut", ["E1", "Q1"]).Define("r", _px_over_e, ["px1", "E1"])
    assert by_numpy.Count().GetValue() == by_expr.Count().GetValue() > 0
    assert np.array_equal(by_numpy.AsNumpy(["r"])["r"], by_expr.AsNumpy(["r"])["r"])
    assert by_numpy.Report()["cut"].GetPass() == by_expr.Count().GetValue()
    loader = rootbatch.DataLoader(by_numpy, columns=["r"], batch_size=100, shuffle=False)
    x = np.concatenate([b[0] if isinstance(b, tuple) else b for b in loader.as_numpy()])
    assert np.array_equal(x[:, 0], by_expr.AsNumpy(["r"])["r"].astype(np.float32))


def test_a_failing_numpy_callable_is_a_clear_error():
    df = rootbatch.RDataFrame("events", ZMUMU)
    with pytest.raises(errors.InvalidArgumentError, match="one value per row"):
        df.Define("bad", lambda e: e[:3], ["E1"]).AsNumpy(["bad"])

    def boom(e):
        if len(e):
            raise RuntimeError("no luck")
        return e

    with pytest.raises(errors.InvalidArgumentError, match="no luck"):
        df.Define("bad", boom, ["E1"]).Count().GetValue() + df.Define("bad", boom, ["E1"]).Sum("bad").GetValue()
    with pytest.raises(TypeError, match="columns"):
        df.Define("bad", boom)


def test_the_same_chain_on_an_rntuple_and_a_ttree_equals_root(make_sample):
    """The frame works through the column contract: the same chain over the
    RNTuple and the TTree that make-sample writes of the same events."""
    chain = [("Filter", "Jet_pt.size() >= 2 && lepton_pT > 30", "two jets"), ("Define", "ht", "Sum(Jet_pt[Jet_pt > 30])"),
             ("Define", "lead_mu", "Muon_pt.size() > 0 ? Muon_pt[0] : -1.f"), ("Filter", "ht > 40", "ht")]
    ntuple = str(make_sample(6000, seed=21, extra=("--format", "rntuple", "--cluster-size", "1500")))
    tree = str(make_sample(6000, seed=21, extra=("--cluster-size", "1500")))
    theirs = build(ROOT.RDataFrame("events", ntuple), chain).Define("e", "rdfentry_").AsNumpy(["e", "ht", "lead_mu"])
    for path in (ntuple, tree):
        ours = build(rootbatch.RDataFrame("events", path), chain)
        assert np.array_equal(ours.entry_numbers(), theirs["e"].astype(np.int64)), path
        got = ours.AsNumpy(["ht", "lead_mu"])
        assert close(got["ht"], theirs["ht"]) and np.array_equal(got["lead_mu"], theirs["lead_mu"]), path
        assert [c.GetPass() for c in ours.Report()] == [c.GetPass() for c in build(
            ROOT.RDataFrame("events", ntuple), chain).Report().GetValue()]
    # A dataset mixing the two formats: the RNTuple's rows first, then the TTree's.
    mixed = build(rootbatch.RDataFrame("events", [ntuple, tree]), chain)
    assert mixed.Count().GetValue() == 2 * len(theirs["e"])


def test_snapshot_refuses_to_overwrite_its_input(make_sample, tmp_path):
    import shutil

    path = tmp_path / "input.root"
    shutil.copy(make_sample(3000, seed=5), path)
    before = path.read_bytes()
    df = rootbatch.RDataFrame("events", str(path)).Filter("lepton_pT > 30")
    for options in (None, rootbatch.RSnapshotOptions(shuffle=True, memory="4MB")):
        with pytest.raises(errors.InvalidArgumentError, match="overwrite its input"):
            df.Snapshot("events", str(path), ["lepton_pT"], options)
    assert path.read_bytes() == before
