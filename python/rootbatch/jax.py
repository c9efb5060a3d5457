"""JAX adapter: batches as jax.Array through DLPack.

    @jax.jit
    def step(params, x, y): ...
    for x, y in train.as_jax():
        params = step(params, x, y)

On the CPU, ``jax.numpy.from_dlpack`` imports the batch buffer without
copying (the buffers are 64-byte aligned); the array keeps the buffer alive.
``device=`` places the arrays on another device (a copy, with
``jax.device_put``).
"""
from __future__ import annotations

from ._progress import progress_bar

__all__ = ["JaxIterable"]


class JaxIterable:
    """Iterating runs one epoch of the loader."""

    def __init__(self, loader, progress=False, device=None):
        self.loader = loader
        self.progress = progress
        self.device = device

    def __len__(self) -> int:
        return len(self.loader)

    def set_epoch(self, epoch: int) -> None:
        self.loader.set_epoch(epoch)

    def state_dict(self) -> dict:
        return self.loader.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.loader.load_state_dict(state)

    def __iter__(self):
        import jax
        import jax.numpy as jnp

        device = self.device

        def convert(tensor):
            # jnp.from_dlpack: the same zero-copy import as jax.dlpack.from_dlpack,
            # measured ~30 % cheaper per tensor (JAX's dispatch dominates either way).
            array = jnp.from_dlpack(tensor)
            return array if device is None else jax.device_put(array, device)

        for batch in progress_bar(self.loader, self.progress):
            yield batch.outputs(convert)
