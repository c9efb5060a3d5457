"""Particle-level inputs: collections (several jagged columns of one
collection as one [rows, P, F] tensor with a mask) and per-column
preprocessing (fill_nan, log, standardise, clip), both done in C++ on the
loader's workers. This module only normalises what users write into the
form the C++ option schema takes, and saves or loads preprocessing numbers.

    loader = rootbatch.DataLoader(
        "jets.root", columns=["jet_pt", "jet_eta"], target="label",
        collections={"part": {"columns": ["part_deta", "part_dphi", "part_pt"],
                              "max_length": 128, "layout": "BFP", "sort_by": "part_pt"}},
        preprocessing={"part_pt": {"log": True, "standardize": "auto", "clip": (-5, 5)},
                       "jet_pt": {"standardize": "auto"}})
    x, y = next(iter(loader.as_numpy()))   # x["part"]: [B, 3, 128], x["part_mask"]: [B, 128]
    loader.save_preprocessing("preprocessing.json")   # the numbers, for inference
"""
from __future__ import annotations

import json
import math
import os
from typing import Mapping

_COLLECTION_KEYS = {"columns", "max_length", "layout", "pad_value", "sort_by", "mask"}
_TRANSFORM_KEYS = {"fill_nan", "log", "standardize", "clip", "auto"}


def collection_specs(collections: Mapping | None) -> list[dict]:
    """{name: {"columns": [...], "max_length": P, ...}} as the C++ schema's list."""
    specs = []
    for name, spec in (collections or {}).items():
        if not isinstance(spec, Mapping):
            raise TypeError(f"collection {name!r} must be a dict with 'columns' and 'max_length', got {type(spec).__name__}")
        unknown = set(spec) - _COLLECTION_KEYS
        if unknown:
            raise ValueError(f"collection {name!r}: unknown keys {sorted(unknown)}; known: {sorted(_COLLECTION_KEYS)}")
        if "columns" not in spec:
            raise ValueError(f"collection {name!r} needs 'columns'")
        columns = spec["columns"]
        if isinstance(columns, str):
            columns = [columns]
        layout = spec.get("layout", "BPF")
        specs.append({
            "name": name,
            "columns": list(columns),
            "max_length": spec.get("max_length", 0),
            "layout": layout.upper() if isinstance(layout, str) and layout.lower() != "ragged" else layout,
            "pad_value": float(spec.get("pad_value", 0.0)),
            "sort_by": spec.get("sort_by"),
            "mask": bool(spec.get("mask", True)),
        })
    return specs


def load_preprocessing(path: str | os.PathLike) -> dict:
    """The {column: transform} dict a loader saved with save_preprocessing."""
    with open(path) as f:
        saved = json.load(f)
    if not isinstance(saved, dict) or "columns" not in saved:
        raise ValueError(f"{os.fspath(path)}: not a rootbatch preprocessing file (no 'columns')")
    return saved["columns"]


def transform_specs(preprocessing: Mapping | str | os.PathLike | None) -> list[dict]:
    """{column: {"log": True, "standardize": "auto" | (center, scale), "clip": (lo, hi),
    "fill_nan": v}} (or the path of a saved file) as the C++ schema's list."""
    if isinstance(preprocessing, (str, os.PathLike)):
        preprocessing = load_preprocessing(preprocessing)
    specs = []
    for column, spec in (preprocessing or {}).items():
        if not isinstance(spec, Mapping):
            raise TypeError(f"preprocessing of {column!r} must be a dict, got {type(spec).__name__}")
        unknown = set(spec) - _TRANSFORM_KEYS
        if unknown:
            raise ValueError(f"preprocessing of {column!r}: unknown keys {sorted(unknown)}; "
                             f"known: {sorted(_TRANSFORM_KEYS - {'auto'})}")
        standardize = spec.get("standardize")
        if standardize is True:
            standardize = "auto"
        elif standardize is not None and not isinstance(standardize, str):
            standardize = [float(v) for v in standardize]
        clip = spec.get("clip")
        specs.append({
            "column": column,
            "fill_nan": None if spec.get("fill_nan") is None else float(spec["fill_nan"]),
            "log": bool(spec.get("log", False)),
            "standardize": standardize,
            "clip": None if clip is None else [float(v) for v in clip],
        })
    return specs


def applied(transforms: list[dict]) -> dict:
    """What a loader applies, per column, as a dict that reproduces it when
    given back as ``preprocessing=``: "auto" numbers are written out."""
    out = {}
    for t in transforms:
        spec = {"log": t["log"]}
        if t["fill_nan"] is not None:
            spec["fill_nan"] = t["fill_nan"]
        if t["standardize"] is not None:
            spec["standardize"] = tuple(t["standardize"])
            spec["auto"] = t["auto"]
        if t["clip"] is not None:
            spec["clip"] = tuple(t["clip"])
        out[t["column"]] = spec
    return out


def save_preprocessing(numbers: Mapping, path: str | os.PathLike, sampled: int | None = None) -> None:
    """Writes {column: transform} (a loader's ``preprocessing``) as JSON."""
    def plain(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"cannot save a non-finite number ({value}) in {os.fspath(path)}")
        return list(value) if isinstance(value, tuple) else value
    columns = {c: {k: plain(v) for k, v in spec.items()} for c, spec in numbers.items()}
    with open(path, "w") as f:
        json.dump({"format": "rootbatch-preprocessing/1", "sampled_entries": sampled, "columns": columns}, f,
                  indent=2, sort_keys=True)
        f.write("\n")
