"""Collections and preprocessing (docs/particles.md) against the same thing
computed with awkward and NumPy on a file written by uproot: grouped,
sorted, truncated, padded and masked tensors, standardisation, clipping,
log and fill_nan, empty collections, members of different lengths, "auto"
numbers, and the numbers saved and given back."""
import json

import awkward as ak
import numpy as np
import pytest
import uproot

import rootbatch

N = 3000
P = 8


@pytest.fixture(scope="module", params=["ttree", "rntuple"])
def jets(request, tmp_path_factory):
    """Jets with 0-20 particles (some empty), pt unsorted, NaN in some phi; and
    an unrelated jagged column whose length differs at entry 10. Written by
    uproot as a TTree (part_pt, ... with a counter) or an RNTuple (part.pt, ...
    of one collection field)."""
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 21, N)
    counts[::97] = 0
    total = int(counts.sum())
    pt = rng.exponential(10.0, total).astype(np.float32) + 0.5
    eta = rng.normal(0.3, 1.5, total).astype(np.float32)
    phi = rng.uniform(-3.14, 3.14, total).astype(np.float32)
    phi[::13] = np.nan
    part = ak.zip({"pt": ak.unflatten(pt, counts), "eta": ak.unflatten(eta, counts),
                   "phi": ak.unflatten(phi, counts)})
    other_counts = counts + (np.arange(N) == 10)
    other = ak.unflatten(np.arange(int(other_counts.sum()), dtype=np.float32), other_counts)
    columns = {"part": part, "jet_pt": rng.exponential(100.0, N).astype(np.float32),
               "label": (np.arange(N) % 3).astype(np.int32), "tracks": other}
    path = tmp_path_factory.mktemp("particles") / f"jets_{request.param}.root"
    with uproot.recreate(path) as f:
        if request.param == "ttree":
            f.mktree("events", {name: (value.type.content if isinstance(value, ak.Array) else value.dtype)
                                for name, value in columns.items()})
            f["events"].extend(columns)
        else:
            f["events"] = columns
    sep = "_" if request.param == "ttree" else "."
    return path, [f"part{sep}{m}" for m in ("pt", "eta", "phi")]


def read_awkward(jets):
    """The members and jet_pt, read back by uproot, under the names rootbatch uses."""
    path, members = jets
    arrays = uproot.open(path)["events"].arrays()
    out = {"jet_pt": arrays["jet_pt"]}
    for name, field in zip(members, ("pt", "eta", "phi")):
        out[name] = arrays["part"][field] if "part" in arrays.fields else arrays[name]
    return out


def expected_padded(arrays, members, entries, transforms, layout="BPF", pad=-1.0):
    """[rows, P, F] (or [rows, F, P]) and mask from awkward: sort by pt
    (largest first, stable), keep P, transform the members, pad."""
    order = ak.argsort(arrays[members[0]][entries], ascending=False, stable=True)
    columns = []
    for name in members:
        values = arrays[name][entries][order][:, :P]
        flat = ak.to_numpy(ak.flatten(values)).astype(np.float64)
        spec = transforms.get(name, {})
        if "fill_nan" in spec:
            flat = np.where(np.isnan(flat), spec["fill_nan"], flat)
        if spec.get("log"):
            flat = np.log(flat)
        if "standardize" in spec:
            center, scale = spec["standardize"]
            flat = (flat - center) / scale
        if "clip" in spec:
            flat = np.clip(flat, *spec["clip"])
        values = ak.unflatten(flat.astype(np.float32), ak.num(values))
        columns.append(ak.to_numpy(ak.fill_none(ak.pad_none(values, P, clip=True), pad)))
    stacked = np.stack(columns, axis=-1)  # [rows, P, F]
    mask = np.arange(P)[None, :] < np.minimum(ak.to_numpy(ak.num(arrays[members[0]][entries])), P)[:, None]
    if layout == "BFP":
        stacked = stacked.transpose(0, 2, 1)
    return stacked, mask


def epoch(loader):
    """Every batch of one epoch: x dicts and the entries, concatenated."""
    xs, entries = [], []
    for batch in loader.batches():
        x, _ = batch.numpy()
        xs.append({k: np.array(v) for k, v in x.items()})
        entries.append(np.array(batch.entries))
    return {k: np.concatenate([x[k] for x in xs]) for k in xs[0]}, np.concatenate(entries)


def transforms(members):
    pt, eta, phi = members
    return {pt: {"log": True}, eta: {"standardize": (0.5, 2.0), "clip": (-1.0, 1.0)}, phi: {"fill_nan": 0.0}}


@pytest.mark.parametrize("layout,pad", [("BPF", -1.0), ("BFP", -1.0), ("BPF", 0.0), ("BFP", 0.0)])
def test_grouped_tensors_equal_awkward(jets, layout, pad):
    path, members = jets
    loader = rootbatch.DataLoader(
        str(path), columns=["jet_pt"], target="label", batch_size=256, memory="16MB", seed=3,
        collections={"part": {"columns": members, "max_length": P, "layout": layout, "sort_by": members[0],
                              "pad_value": pad}},
        preprocessing=transforms(members))
    x, entries = epoch(loader)
    assert sorted(entries.tolist()) == list(range(N))  # every jet once, shuffled
    assert not np.array_equal(entries, np.arange(N))
    shape = (N, P, 3) if layout == "BPF" else (N, 3, P)
    assert x["part"].shape == shape and x["part"].dtype == np.float32
    assert x["part_mask"].shape == (N, P) and x["part_mask"].dtype == np.bool_
    arrays = read_awkward(jets)
    want, mask = expected_padded(arrays, members, entries, transforms(members), layout, pad)
    np.testing.assert_array_equal(x["part_mask"], mask)
    np.testing.assert_allclose(x["part"], want, rtol=1e-6, atol=1e-6)
    empty = ak.to_numpy(ak.num(arrays[members[0]]))[entries] == 0
    assert empty.sum() > 0 and (x["part"][empty] == pad).all() and not x["part_mask"][empty].any()


def test_ragged_collection_equals_awkward(jets):
    path, members = jets
    loader = rootbatch.DataLoader(
        str(path), columns=["jet_pt"], batch_size=500, shuffle=False,
        collections={"part": {"columns": members, "layout": "ragged", "sort_by": members[0]}})
    arrays = read_awkward(jets)
    start = 0
    for batch in loader.batches():
        x = batch.numpy()
        values, offsets = (np.asarray(v) for v in x["part"])
        rows = np.arange(start, start + len(batch))
        order = ak.argsort(arrays[members[0]][rows], ascending=False, stable=True)
        np.testing.assert_array_equal(offsets, np.concatenate([[0], np.cumsum(ak.to_numpy(ak.num(order)))]))
        for f, name in enumerate(members):
            np.testing.assert_array_equal(values[:, f], ak.to_numpy(ak.flatten(arrays[name][rows][order])))
        start += len(batch)
    assert start == N


def test_members_of_different_lengths_are_named(jets):
    path, members = jets
    loader = rootbatch.DataLoader(str(path), columns=["jet_pt"], shuffle=False,
                                  collections={"bad": {"columns": [members[0], "tracks"], "max_length": 4}})
    with pytest.raises(ValueError, match=rf"'{members[0]}' and 'tracks' differ in length at entry 10 "
                                         r"\(\d+ against \d+ items\)"):
        for _ in loader.batches():
            pass


def test_auto_standardisation_is_the_training_samples_mean_and_spread(jets, tmp_path):
    path, members = jets
    eta_name = members[1]
    arrays = read_awkward(jets)
    kwargs = dict(columns=["jet_pt"], target="label", batch_size=256, seed=11, validation_split=0.2,
                  collections={"part": {"columns": members, "max_length": P}},
                  preprocessing={eta_name: {"standardize": "auto"}, "jet_pt": {"log": True, "standardize": "auto"}},
                  preprocessing_sample=1000)
    train, validation = rootbatch.DataLoader(str(path), **kwargs).train_test_split()
    numbers = train.preprocessing
    assert numbers == validation.preprocessing  # the same numbers for validation
    assert numbers == rootbatch.DataLoader(str(path), **kwargs).train_test_split()[0].preprocessing  # reproducible
    other_seed = rootbatch.DataLoader(str(path), **{**kwargs, "seed": 12}).train_test_split()[0].preprocessing
    assert other_seed[eta_name]["standardize"] != numbers[eta_name]["standardize"]
    # Within the sampling error of the whole file's numbers (about 1000 of 3000 jets sampled).
    eta = ak.to_numpy(ak.flatten(arrays[eta_name])).astype(np.float64)
    center, scale = numbers[eta_name]["standardize"]
    n_jets = 1000
    assert abs(center - eta.mean()) < 4 * eta.std() / np.sqrt(n_jets)
    assert abs(scale / eta.std() - 1) < 4 / np.sqrt(n_jets)
    log_pt = np.log(ak.to_numpy(arrays["jet_pt"]).astype(np.float64))
    center, scale = numbers["jet_pt"]["standardize"]
    assert abs(center - log_pt.mean()) < 4 * log_pt.std() / np.sqrt(n_jets)
    # The batches apply exactly those numbers.
    batch = next(iter(train.batches()))
    x, _ = batch.numpy()
    entries = np.asarray(batch.entries)
    want = ((np.log(ak.to_numpy(arrays["jet_pt"])[entries].astype(np.float32)) - np.float32(center))
            * np.float32(1.0 / scale))
    np.testing.assert_allclose(x["features"][:, 0], want, rtol=1e-5, atol=1e-5)
    # Saved and given back: the same numbers as given ones, and the same batches.
    saved_path = tmp_path / "preprocessing.json"
    train.save_preprocessing(saved_path)
    saved = json.loads(saved_path.read_text())
    assert saved["format"] == "rootbatch-preprocessing/1" and saved["sampled_entries"] >= 1000
    again = rootbatch.DataLoader(str(path), **{**kwargs, "preprocessing": str(saved_path)}).train_test_split()[0]
    assert again.preprocessing[eta_name]["standardize"] == numbers[eta_name]["standardize"]
    assert not again.preprocessing[eta_name]["auto"]
    x_again, _ = next(iter(again.batches())).numpy()
    np.testing.assert_array_equal(np.asarray(x_again["part"]), np.asarray(x["part"]))


def test_resume_keeps_the_numbers(jets):
    path, members = jets
    kwargs = dict(columns=["jet_pt"], batch_size=200, seed=5,
                  collections={"part": {"columns": members, "max_length": P, "sort_by": members[0]}},
                  preprocessing={members[0]: {"log": True, "standardize": "auto"}})
    loader = rootbatch.DataLoader(str(path), **kwargs)
    it = iter(loader.batches())
    for _ in range(4):
        next(it)
    state = loader.state_dict()
    rest = [np.array(b.numpy()["part"]) for b in it]
    resumed = rootbatch.DataLoader(str(path), **kwargs)
    resumed.load_state_dict(state)
    again = [np.array(b.numpy()["part"]) for b in resumed.batches()]
    assert len(rest) == len(again) > 0
    for a, b in zip(rest, again):
        np.testing.assert_array_equal(a, b)
    # A loader applying other numbers refuses the state.
    other = rootbatch.DataLoader(str(path), **{**kwargs, "preprocessing": {members[0]: {"standardize": (1.0, 2.0)}}})
    other.load_state_dict(state)
    with pytest.raises(ValueError):
        next(iter(other.batches()))


def test_bad_specs_are_clear(jets):
    path, members = jets
    with pytest.raises(ValueError, match="unknown keys"):
        rootbatch.DataLoader(str(path), collections={"part": {"columns": members, "max_len": 4}})
    with pytest.raises(ValueError, match="needs max_length > 0"):
        rootbatch.DataLoader(str(path), collections={"part": {"columns": members}})
    with pytest.raises(ValueError, match="positive, finite scale"):
        rootbatch.DataLoader(str(path), preprocessing={"jet_pt": {"standardize": (0.0, 0.0)}})
    loader = rootbatch.DataLoader(str(path), columns=["jet_pt"], preprocessing={members[0] + "t": {"log": True}},
                                  collections={"part": {"columns": members, "max_length": 4}})
    with pytest.raises(ValueError, match="did you mean"):
        loader.preprocessing
