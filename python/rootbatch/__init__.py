"""rootbatch: shuffled training batches from ROOT files, without ROOT.

Files and trees::

    import rootbatch
    f = rootbatch.open("events.root")
    print(f.trees(), f["events"].typenames())
    arrays = f["events"].arrays(["px", "py"])     # NumPy, zero-copy

Training batches (see docs/python.md and docs/tutorials/)::

    loader = rootbatch.DataLoader("events.root", tree="events", target="label",
                                  batch_size=1024, memory="256MB", shuffle=True)
    train, val = loader.train_test_split(0.2)
    for x, y in train.as_torch():
        ...
"""
from __future__ import annotations

import sys as _sys

from . import _core, errors
from .errors import (
    CorruptFileError,
    FileNotFoundError,
    InvalidArgumentError,
    NotFoundError,
    RootbatchError,
    ShuffleQualityWarning,
    UnsupportedError,
)
from .files import TREE_CLASSES, ColumnInfo, File, Jagged, Key, Tree, open

__version__ = "0.1.0"

__all__ = [
    "ShuffleQualityWarning",
    "open",
    "ls",
    "File",
    "Tree",
    "ColumnInfo",
    "Key",
    "Jagged",
    "errors",
    "RootbatchError",
    "InvalidArgumentError",
    "NotFoundError",
    "FileNotFoundError",
    "CorruptFileError",
    "UnsupportedError",
]

from .loader import Batch, DataLoader, Source, loader_options, parse_memory  # noqa: E402

__all__ += ["DataLoader", "Source", "Batch", "loader_options", "parse_memory"]

from .particles import load_preprocessing, save_preprocessing  # noqa: E402

__all__ += ["load_preprocessing", "save_preprocessing"]

from .frame import RCutFlowReport, RDataFrame, ResultPtr, RSnapshotOptions, TCutInfo, shuffle  # noqa: E402

__all__ += ["RDataFrame", "RSnapshotOptions", "RCutFlowReport", "TCutInfo", "ResultPtr", "Experimental", "shuffle"]

import types as _types  # noqa: E402

from .compat import RDataLoader as _RDataLoader  # noqa: E402

# ROOT's names for the loader, so that a script migrates by changing its
# `ROOT.` prefix to `rootbatch.`: rootbatch.Experimental.ML.RDataLoader takes
# ROOT's arguments and builds a rootbatch.DataLoader (docs/python.md,
# "Migrating from ROOT's RDataLoader").
Experimental = _types.SimpleNamespace(ML=_types.SimpleNamespace(RDataLoader=_RDataLoader))


def ls(path, file=None) -> None:
    """Prints the keys, trees and columns (with ROOT and NumPy types) of a file."""
    out = file or _sys.stdout
    f = open(path)
    print(f"{f.path}: {f.size} bytes, ROOT {f.root_version}", file=out)
    for key in f.keys():
        print(f"  {key.path};{key.cycle}  {key.class_name}  {key.title}", file=out)
    rntuples = set(f.rntuples())
    for name in f.trees():
        t = f[name]
        what = "rntuple" if name in rntuples else "tree"
        print(f"\n{what} {name}: {t.num_entries} entries, {len(t.columns)} columns", file=out)
        width = max((len(c.name) for c in t.columns), default=0)
        for c in t.columns:
            print(f"  {c.name:<{width}}  {c.source_type}  ({c.dtype}, {c.kind})", file=out)
        for name_, type_, reason in t.skipped:
            print(f"  {name_}  {type_}  unreadable: {reason}", file=out)
