"""What every adapter's epoch iterable shares: its length, epoch and state are the loader's."""
from __future__ import annotations

from ._progress import progress_bar


class LoaderIterable:
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

    def _batches(self):
        """The loader's batches, behind a progress bar when asked for."""
        return progress_bar(self.loader, self.progress)
