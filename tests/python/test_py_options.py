"""The loader's options as a new user meets them: one schema in C++ checks
every keyword when the loader is made (2.5 rows per batch is an error, not
2), suggests a name for a typo, and refuses integer features that a float
feature type would round unless asked (a uint64 event number as float32
turned 200 distinct values into 33)."""
import inspect

import numpy as np
import pytest
import uproot

import rootbatch

NANOAOD = "nanoAOD_2015_CMS_Open_Data_ttbar.root"


@pytest.fixture(scope="module")
def nanoaod(testdata):
    return str(testdata / NANOAOD)


@pytest.mark.parametrize("kwargs, words", [
    ({"batch_size": 2.5}, "option 'batch_size' must be an integer, got 2.5"),
    ({"batch_size": 0}, "option 'batch_size' must be at least 1, got 0"),
    ({"batch_size": True}, "must be an integer, got True"),
    ({"num_threads": "2"}, "option 'num_threads' must be an integer"),
    ({"memory": "lots"}, "memory size like 256MB, 1.5GB or 64MiB, got 'lots'"),
    ({"memory": "12 parsecs"}, "unknown unit"),
    ({"shuffle": "random"}, "'none', 'stream', 'cluster-chunks', 'pieces' or 'scatter'"),
    ({"validation_split": 1.0}, "option 'validation_split' must be in [0, 1)"),
    ({"feature_type": "float16"}, "float32, float64, int64, int32 or bool"),
    ({"columns": ["MET_pt", 3]}, "must be a list of column names"),
])
def test_impossible_options_fail_at_construction(nanoaod, kwargs, words):
    with pytest.raises(ValueError) as info:
        rootbatch.DataLoader(nanoaod, tree="Events", columns=kwargs.pop("columns", ["MET_pt"]), **kwargs)
    assert words in str(info.value)


def test_numpy_integers_and_strings_are_taken_as_written(nanoaod):
    loader = rootbatch.DataLoader(nanoaod, tree="Events", columns="MET_pt", target="MET_phi",
                                  batch_size=np.int64(50), memory="16MB", shuffle=False)
    assert loader.feature_names == ["MET_pt"] and loader.target_names == ["MET_phi"]
    assert len(loader) == 4 and loader.batch_size == 50


def test_the_python_defaults_are_the_schema_defaults():
    """DataLoader's keyword defaults must say what C++ does when they are left out."""
    schema = {row["name"]: row for row in rootbatch.loader_options()}
    signature = inspect.signature(rootbatch.DataLoader.__init__).parameters
    checked = 0
    for name, parameter in signature.items():
        if name not in schema or name == "jagged":
            continue
        default = parameter.default
        text = schema[name]["default"]
        if default is None:
            assert text in ("", "auto"), name
        elif isinstance(default, bool):
            assert text == str(default).lower() or (name == "shuffle" and text == "stream"), name
        elif name == "memory":
            assert rootbatch.parse_memory(default) == int(text)
        else:
            assert str(default) == text or float(default) == float(text), (name, default, text)
        checked += 1
    assert checked >= 15
    # Options the user never sets directly still have a row; every other one is a keyword.
    internal = {"split", "rank", "world_size", "worker_id", "num_workers"}
    assert internal <= set(schema)
    assert set(schema) - internal <= set(signature), set(schema) - internal - set(signature)
    assert not schema["num_threads"]["changes_batches"] and schema["batch_size"]["changes_batches"]


def test_a_uint64_feature_as_float32_is_refused_with_the_column_named(nanoaod):
    loader = rootbatch.DataLoader(nanoaod, tree="Events", columns=["MET_pt", "event"])
    with pytest.raises(ValueError) as info:
        len(loader)  # the files are opened when the loader is first used
    message = str(info.value)
    assert "column 'event'" in message and "float32 cannot hold exactly" in message
    assert "lossy_features" in message and "float64" in message


def test_lossy_integer_features_on_request_or_exact_as_float64(nanoaod):
    truth = uproot.open(nanoaod)["Events"]["event"].array(library="np")
    exact = rootbatch.DataLoader(nanoaod, tree="Events", columns=["event"], feature_type="float64", shuffle=False,
                                 batch_size=64)
    values = np.concatenate([x[:, 0] for x in exact.as_numpy()])
    assert np.array_equal(values, truth.astype(np.float64))
    assert len(np.unique(values)) == 200
    rounded = rootbatch.DataLoader(nanoaod, tree="Events", columns=["event"], lossy_features=["event"],
                                   shuffle=False, batch_size=64)
    values = np.concatenate([x[:, 0] for x in rounded.as_numpy()])
    assert np.array_equal(values, truth.astype(np.float32))
    # Small integers (counts, run numbers below 2^24) need nothing.
    counts = rootbatch.DataLoader(nanoaod, tree="Events", columns=["nJet", "run", "luminosityBlock"])
    assert sum(len(x) for x in counts.as_numpy()) == 200


def test_bench_and_python_parse_sizes_alike(rootbatch_cli, nanoaod):
    import subprocess

    for size in ("64MB", "1.5GiB", "4096"):
        assert rootbatch.parse_memory(size) > 0
    proc = subprocess.run([rootbatch_cli, "bench", nanoaod, "--tree", "Events", "--target", "MET_pt",
                           "--columns", "MET_phi", "--memory", "lots"], capture_output=True, text=True)
    assert proc.returncode != 0
    with pytest.raises(ValueError) as info:
        rootbatch.parse_memory("lots")
    assert str(info.value).split(": ", 1)[-1].split(" (in")[0] in proc.stderr
