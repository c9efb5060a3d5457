"""ROOT's loader signature over rootbatch.DataLoader, so that a script
written for ``ROOT.Experimental.ML.RDataLoader`` runs after its ``ROOT.``
prefix becomes ``rootbatch.``: the same argument names, defaults and column
convention (``columns`` lists every column read, targets and weights
included; the features are the rest, in that order).
"""
from __future__ import annotations

from collections.abc import Sequence

from .errors import InvalidArgumentError
from .loader import DataLoader


def RDataLoader(rdataframes, batch_size: int = 64, batches_in_memory: int = 10,  # noqa: N802 - ROOT's name
                columns: Sequence[str] | None = None, max_vec_sizes=None, vec_padding: float = 0.0,
                target=None, weights: str = "", shuffle: bool = True, drop_remainder: bool = True,
                set_seed: int = 0, load_eager: bool = False, sampling_type: str = "",
                sampling_ratio: float = 1.0, replacement: bool = False, **options) -> DataLoader:
    """A :class:`rootbatch.DataLoader` built from ROOT 6.40's RDataLoader
    arguments. ``batches_in_memory`` and ``load_eager`` have no effect (the
    ``memory`` budget, 256 MB unless given, bounds everything); rootbatch's
    own options (``memory``, ``num_threads``, ``jagged``...) may be added."""
    if sampling_type:
        raise InvalidArgumentError(
            "sampling_type: give each sample its own rootbatch.Source(..., sampling_ratio=r) "
            "and pass the list to rootbatch.DataLoader (docs/python.md, 'Migrating from ROOT's RDataLoader')")
    del batches_in_memory, load_eager, sampling_ratio, replacement  # no counterpart: see the docstring
    targets = [target] if isinstance(target, str) and target else list(target or [])
    weight = weights or None
    frames = rdataframes if isinstance(rdataframes, (list, tuple)) else [rdataframes]
    if columns is None:
        columns = list(frames[0].GetColumnNames())
    features = [c for c in columns if c not in targets and c != weight]
    return DataLoader(rdataframes, columns=features, target=targets or None, weights=weight,
                      batch_size=batch_size, max_vec_sizes=max_vec_sizes, vec_padding=vec_padding,
                      shuffle=shuffle, drop_remainder=drop_remainder, seed=set_seed, **options)
