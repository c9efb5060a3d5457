"""NumPy view of a loader: x / (x, y) / (x, y, w) arrays per batch, no copies.

Every array views the C++ batch buffer and keeps it alive (``arr.base``);
the buffer returns to the loader's pool when the last array is gone, so a
training loop that drops its arrays allocates nothing per batch once warm.
"""
from __future__ import annotations

from typing import Iterator

from ._progress import progress_bar

__all__ = ["NumpyIterable"]


class NumpyIterable:
    """Iterating runs one epoch of the loader (see DataLoader for the epoch rules)."""

    def __init__(self, loader, progress=False):
        self.loader = loader
        self.progress = progress

    def __len__(self) -> int:
        return len(self.loader)

    def set_epoch(self, epoch: int) -> None:
        self.loader.set_epoch(epoch)

    def state_dict(self) -> dict:
        return self.loader.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.loader.load_state_dict(state)

    def __iter__(self) -> Iterator:
        batches = progress_bar(self.loader, self.progress)
        for batch in batches:
            yield batch.numpy()
