"""PyTorch adapter: an IterableDataset of torch tensors.

    ds = loader.as_torch()                                   # one process
    dl = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)
    for epoch in range(n):
        ds.set_epoch(epoch)           # like DistributedSampler.set_epoch
        for x, y in dl:
            ...

- Zero copy on the CPU: ``torch.from_dlpack`` on the batch tensors, so a
  tensor shares the C++ buffer (and keeps it alive).
- Batches are whole: use ``batch_size=None`` in torch's DataLoader.
- Sharding: inside a DataLoader worker the dataset reads only its worker's
  part; under torch.distributed (initialised) only its rank's part. Parts are
  disjoint and yield equally many batches, so DDP ranks stay in step.
- Picklable (spawn-started workers get the configuration and position).
- ``pin_memory=True`` copies each batch into pinned memory (in the worker, or
  in the main process); ``device="cuda"`` moves it with ``non_blocking``.
- ``state_dict()``/``load_state_dict()`` work with torchdata's
  StatefulDataLoader: a resumed run yields exactly the remaining batches.
"""
from __future__ import annotations

import sys
import warnings

import torch
import torch.utils.data

from ._progress import progress_bar

__all__ = ["TorchDataset", "data_loader", "shard_info"]


def shard_info(shard: bool = True) -> tuple[int, int, int, int]:
    """(rank, world_size, worker_id, num_workers) of the calling process."""
    rank, world = 0, 1
    if shard and torch.distributed.is_available() and torch.distributed.is_initialized():
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
    worker = torch.utils.data.get_worker_info() if shard else None
    if worker is None:
        return rank, world, 0, 1
    return rank, world, worker.id, worker.num_workers


_PIN_WARNED = False


def _can_pin() -> bool:
    """Pinned memory needs an accelerator; without one torch's DataLoader warns
    and does not pin, and so do we."""
    global _PIN_WARNED
    if torch.cuda.is_available():
        return True
    if not _PIN_WARNED:
        _PIN_WARNED = True
        warnings.warn("pin_memory=True but no accelerator is available: batches are not pinned", stacklevel=3)
    return False


class TorchDataset(torch.utils.data.IterableDataset):
    """One epoch per iteration; see the module docstring."""

    def __init__(self, loader, device=None, pin_memory: bool = False, non_blocking: bool = True,
                 progress=False, shard: bool = True, num_workers: int | None = None):
        super().__init__()
        self.loader = loader
        self.device = None if device is None else torch.device(device)
        self.pin_memory = pin_memory
        self.non_blocking = non_blocking
        self.progress = progress
        self.shard = shard
        # Workers of the torch DataLoader this dataset feeds, for __len__ (the
        # main process cannot see them); data_loader() sets it.
        self.num_workers = num_workers
        self._shards: dict = {}

    def _shard_loader(self):
        rank, world, worker, workers = shard_info(self.shard)
        key = (rank, world, worker, workers)
        if key == (0, 1, 0, 1):
            return self.loader
        shard = self._shards.get(key)
        if shard is None:
            shard = self.loader.shard(rank, world, worker, workers)
            # The shard continues from where the parent stands: its next
            # epoch, or the rest of an epoch restored into it (handed over:
            # the parent starts its next epoch afresh).
            position = self.loader.state_dict()
            shard.load_state_dict(position)
            if position["state"] is not None or position.get("world"):
                self.loader.load_state_dict({**position, "epoch": None, "state": None, "world": None})
            self._shards = {key: shard}
        return shard

    def _convert(self, tensor):
        t = torch.from_dlpack(tensor)
        if self.pin_memory and _can_pin():
            t = t.pin_memory()
        if self.device is not None and self.device.type != "cpu":
            t = t.to(self.device, non_blocking=self.non_blocking)
        return t

    def __iter__(self):
        loader = self._shard_loader()
        for batch in progress_bar(loader, self.progress):
            yield batch.outputs(self._convert)

    def __len__(self) -> int:
        """Batches per epoch seen by one process: inside a worker, its shard's
        batches; in the main process, what all the DataLoader's workers yield
        together (each worker's shard yields equally many batches, so that is
        a shard's count times the workers)."""
        rank, world, worker, workers = shard_info(self.shard)
        if torch.utils.data.get_worker_info() is None:
            workers = self._feeding_workers()
            if workers > 1:
                return len(self.loader.shard(rank, world, 0, workers)) * workers
        return len(self._shard_loader())

    def _feeding_workers(self) -> int:
        """The workers of the torch DataLoader this dataset feeds, seen from
        the main process: the DataLoader asking ``len()`` (torch's
        ``DataLoader.__len__`` calls ``len(dataset)``), else ``num_workers``
        (set by :func:`data_loader`), else 1. Each worker reads its own shard,
        so the count depends on them and only the DataLoader knows them."""
        frame = sys._getframe(2)  # the caller of len(self)
        caller = frame.f_locals.get("self") if frame is not None else None
        if isinstance(caller, torch.utils.data.DataLoader) and caller.dataset is self:
            return max(1, int(caller.num_workers))
        return max(1, self.num_workers or 1)

    def set_epoch(self, epoch: int) -> None:
        self.loader.set_epoch(epoch)
        for shard in self._shards.values():
            shard.set_epoch(epoch)

    def state_dict(self) -> dict:
        return self._shard_loader().state_dict()

    def load_state_dict(self, state: dict) -> None:
        self._shard_loader().load_state_dict(state)

    @property
    def stats(self) -> dict:
        return self._shard_loader().stats


def data_loader(dataset_or_loader, num_workers: int = 0, stateful: bool = False, **kwargs):
    """A torch DataLoader (or torchdata StatefulDataLoader) set up for rootbatch:
    ``batch_size=None``, workers that shard, and ``persistent_workers=False``
    (the default; pass True to override): workers start afresh each epoch, so
    ``set_epoch`` and ``load_state_dict`` in the main process reach them (a
    persistent worker keeps the dataset copy it started with)."""
    ds = dataset_or_loader if isinstance(dataset_or_loader, TorchDataset) else dataset_or_loader.as_torch()
    ds.num_workers = num_workers
    kwargs.setdefault("batch_size", None)
    if num_workers > 0:
        kwargs.setdefault("persistent_workers", False)
    if stateful:
        from torchdata.stateful_dataloader import StatefulDataLoader

        return StatefulDataLoader(ds, num_workers=num_workers, **kwargs)
    return torch.utils.data.DataLoader(ds, num_workers=num_workers, **kwargs)
