"""NumPy view of a loader: x / (x, y) / (x, y, w) arrays per batch, no copies.

Every array views the C++ batch buffer and keeps it alive (``arr.base``);
the buffer returns to the loader's pool when the last array is gone, so a
training loop that drops its arrays allocates nothing per batch once warm.
"""
from __future__ import annotations

from typing import Iterator

from ._iterable import LoaderIterable

__all__ = ["NumpyIterable"]


class NumpyIterable(LoaderIterable):
    """Iterating runs one epoch of the loader (see DataLoader for the epoch rules)."""

    def __iter__(self) -> Iterator:
        for batch in self._batches():
            yield batch.numpy()
