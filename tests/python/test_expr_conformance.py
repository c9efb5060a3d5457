"""The expression language against ROOT's RDataFrame on real files.

Every row of tests/expr/expressions.txt is evaluated by rootbatch
(_core._eval_expression, chunk by chunk) and by ROOT 6.40's RDataFrame
(Define + AsNumpy, or Filter + rdfentry_). Integers and bools must be equal,
floats within 4 ulp: ROOT's JIT (clang) may fuse a*b + c into one FMA
where our compiled kernels round twice, and reductions such as Sum and
InvariantMass accumulate those differences over a collection, so a bound of
a few units in the last place is the honest one (most values agree exactly;
the test reports the largest difference it allowed). The element dtype must be
equal too, which checks the C++ promotion rules.

ROOT's RDataFrame cannot tokenize `~` at all (it rejects "~x" before
compiling), so bitwise not is checked by the C++ tests only (expr_test).

ROOT's JIT costs seconds per graph, so all rows of one file share one
RDataFrame graph and one event loop.
"""
import pathlib

import numpy as np
import pytest

import rootbatch  # noqa: F401  (registers the error classes)
from rootbatch import _core, errors

from conftest import TESTDATA

ROOT = pytest.importorskip("ROOT")

TABLE = pathlib.Path(__file__).resolve().parents[1] / "expr" / "expressions.txt"
FILES = {
    "hzz": ("uproot-HZZ.root", "events"),
    "zmumu": ("uproot-Zmumu.root", "events"),
    "nano": ("nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"),
}
ULPS = 4


def read_table():
    rows = []
    for number, line in enumerate(TABLE.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        file_key, kind, expression = (part.strip() for part in line.split("|", 2))
        assert file_key in FILES and kind in ("define", "filter"), f"{TABLE}:{number}: bad row"
        rows.append((number, file_key, kind, expression))
    return rows


ROWS = read_table()


def test_table_is_large_and_covers_every_function():
    assert len(ROWS) >= 150
    text = "\n".join(r[3] for r in ROWS)
    for name in ["sqrt", "exp", "log", "log10", "pow", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
                 "sinh", "cosh", "tanh", "hypot", "min", "max", "floor", "ceil", "round", "abs", "fabs",
                 "TMath::Pi", "Sum", "Mean", "Max", "Min", "ArgMax", "ArgMin", "Any", "All", "Nonzero", "Take",
                 "Reverse", "Sort", "Argsort", "Concatenate", "Where", ".size()", "DeltaPhi", "DeltaR",
                 "InvariantMass(", "InvariantMasses", "static_cast", "rdfentry_", "?", "<<", ">>", "^",
                 "%", "&&", "||", "!", "0x", "1e3f"]:
        assert name in text, f"no row uses {name}"


CPP_DTYPES = {"bool": np.bool_, "char": np.int8, "signed char": np.int8, "unsigned char": np.uint8,
              "short": np.int16, "unsigned short": np.uint16, "int": np.int32, "unsigned int": np.uint32,
              "long": np.int64, "Long64_t": np.int64, "unsigned long": np.uint64, "ULong64_t": np.uint64,
              "float": np.float32, "double": np.float64}


def root_rvec_to_numpy(value):
    try:
        return np.array(np.asarray(value), copy=True)
    except TypeError:  # RVec<bool> has no data() that cppyy can take the address of
        element = type(value).__cpp_name__.split("<", 1)[1].rsplit(">", 1)[0].strip()
        return np.array([x for x in value], dtype=CPP_DTYPES[element])


@pytest.fixture(scope="module")
def root_results():
    """{row number: ('define', values) or ('filter', passing entries)} from ROOT, one graph per file."""
    results = {}
    for file_key, (name, tree) in FILES.items():
        rows = [r for r in ROWS if r[1] == file_key]
        df = ROOT.RDataFrame(tree, str(TESTDATA / name))
        defined = df
        columns = []
        retyped = {}
        for number, _, kind, expression in rows:
            if kind == "define":
                defined = defined.Define(f"v{number}", expression)
                column_type = str(defined.GetColumnType(f"v{number}"))
                element = column_type.split("<", 1)[1].rsplit(">", 1)[0] if "RVec<" in column_type else None
                if element in ("bool", "char", "unsigned char", "signed char", "unsigned long"):
                    # AsNumpy cannot convert these RVecs (cppyy reads a char* data() as a
                    # string, and fails on bool and unsigned long); widen to Long64_t for
                    # the transfer (exact: the values are small) and keep the type.
                    defined = defined.Define(
                        f"w{number}", f"ROOT::VecOps::RVec<Long64_t>(v{number}.begin(), v{number}.end())")
                    columns.append((number, f"w{number}"))
                    retyped[number] = CPP_DTYPES[element]
                elif column_type in ("char", "unsigned char", "signed char"):
                    defined = defined.Define(f"w{number}", f"(Long64_t)v{number}")
                    columns.append((number, f"w{number}"))
                    retyped[number] = CPP_DTYPES[column_type]
                else:
                    columns.append((number, f"v{number}"))
        booked = {}
        if columns:
            booked["defines"] = defined.AsNumpy([c for _, c in columns], lazy=True)
        for number, _, kind, expression in rows:
            if kind == "filter":
                booked[number] = df.Filter(expression).AsNumpy(["rdfentry_"], lazy=True)
        if columns:
            arrays = booked.pop("defines").GetValue()
            for number, column in columns:
                values = arrays[column]
                if number in retyped and values.dtype != object:
                    values = values.astype(retyped[number])
                elif number in retyped:
                    values = np.array([np.asarray(v).astype(retyped[number]) for v in values] + [None],
                                      dtype=object)[:-1]
                results[number] = ("define", values)
        for number, pointer in booked.items():
            results[number] = ("filter", np.asarray(pointer.GetValue()["rdfentry_"], dtype=np.int64))
    return results


def split(values, offsets):
    return [values[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def assert_close(ours, theirs, where):
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} != ROOT's {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} != ROOT's {theirs.shape}"
    if np.issubdtype(ours.dtype, np.floating):
        nan = np.isnan(theirs)
        np.testing.assert_array_equal(np.isnan(ours), nan, err_msg=where)
        a, b = ours[~nan], theirs[~nan]
        bound = ULPS * np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(ours.dtype))
        same_inf = np.isinf(a) & (a == b)
        bad = ~same_inf & ~(np.abs(a.astype(np.float64) - b.astype(np.float64)) <= bound)
        assert not bad.any(), f"{where}: {a[bad][:5]} != ROOT's {b[bad][:5]}"
    else:
        np.testing.assert_array_equal(ours, theirs, err_msg=where)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}-{r[1]}-{r[3]}" for r in ROWS])
def test_expression_matches_root(row, root_results):
    number, file_key, kind, expression = row
    name, tree = FILES[file_key]
    where = f"{TABLE.name}:{number} '{expression}' on {name}"
    # A chunk size that does not divide the entry count, so that chunk
    # boundaries and rdfentry_ offsets are exercised.
    values, offsets, _ = _core._eval_expression(str(TESTDATA / name), tree, expression, kind == "filter", 777)
    root_kind, theirs = root_results[number]
    if kind == "filter":
        np.testing.assert_array_equal(values, theirs, err_msg=where)
        return
    if theirs.dtype == object:
        assert offsets is not None, f"{where}: ROOT gives a collection, we give a scalar"
        ours_rows = split(values, offsets)
        assert len(ours_rows) == len(theirs)
        for entry, (o, t) in enumerate(zip(ours_rows, theirs)):
            assert_close(o, root_rvec_to_numpy(t), f"{where}, entry {entry}")
    else:
        assert offsets is None, f"{where}: ROOT gives a scalar, we give a collection"
        assert_close(values, theirs, where)


def test_out_of_range_index_against_numpy():
    """ROOT leaves v[i] out of range undefined; ours is an error naming the
    first entry where NumPy's indexing would raise, and equal values elsewhere."""
    import uproot
    path = TESTDATA / FILES["nano"][0]
    pts = uproot.open(path)["Events"]["Jet_pt"].array(library="np")
    for index in range(0, 6):
        bad = [e for e, row in enumerate(pts) if index >= len(row)]
        if bad:
            with pytest.raises(errors.InvalidArgumentError, match=f"entry {bad[0]}: index {index} out of range"):
                _core._eval_expression(str(path), "Events", f"Jet_pt[{index}]", False, 64)
        guarded, _, _ = _core._eval_expression(str(path), "Events", f"nJet > {index} ? Jet_pt[{index}] : -1.f",
                                               False, 64)
        expected = np.array([row[index] if index < len(row) else -1.0 for row in pts], dtype=np.float32)
        np.testing.assert_array_equal(guarded, expected)


def test_errors_reach_python_with_caret_and_suggestion():
    path = str(TESTDATA / FILES["nano"][0])
    with pytest.raises(errors.InvalidArgumentError) as info:
        _core._eval_expression(path, "Events", "nJet >= 2 && (Jet_pt[0] > 30", True)
    assert "expected ')' but found the end" in str(info.value)
    assert "\n  nJet >= 2 && (Jet_pt[0] > 30\n" in str(info.value)
    with pytest.raises(errors.NotFoundError, match="did you mean 'Jet_pt'"):
        _core._eval_expression(path, "Events", "Sum(Jet_ptt)")
    with pytest.raises(errors.UnsupportedError, match="function 'Combinations' is not supported"):
        _core._eval_expression(path, "Events", "Combinations(Jet_pt, 2)")
    with pytest.raises(errors.InvalidArgumentError, match=r"'MET_pt' \(float\) and '2' \(int\)"):
        _core._eval_expression(path, "Events", "MET_pt % 2")
    with pytest.raises(errors.InvalidArgumentError, match="integer division by zero"):
        _core._eval_expression(path, "Events", "nJet / (nMuon * 0)")
