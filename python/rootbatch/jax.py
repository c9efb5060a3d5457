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

from ._iterable import LoaderIterable

__all__ = ["JaxIterable"]


class JaxIterable(LoaderIterable):
    """Iterating runs one epoch of the loader."""

    def __init__(self, loader, progress=False, device=None):
        super().__init__(loader, progress)
        self.device = device

    def __iter__(self):
        import jax
        import jax.numpy as jnp

        device = self.device

        def convert(tensor):
            # jnp.from_dlpack: the same zero-copy import as jax.dlpack.from_dlpack,
            # measured ~30 % cheaper per tensor (JAX's dispatch dominates either way).
            array = jnp.from_dlpack(tensor)
            return array if device is None else jax.device_put(array, device)

        for batch in self._batches():
            yield batch.outputs(convert)
