"""TensorFlow and Keras adapters.

    train_ds = train.as_tensorflow()     # tf.data.Dataset, one epoch per pass
    val_ds = val.as_tensorflow()
    model.fit(train_ds, validation_data=val_ds, epochs=5)

    model.fit(train.as_keras(), validation_data=val.as_keras(), epochs=5)   # Keras 3 PyDataset

``as_tensorflow`` builds ``tf.data.Dataset.from_generator`` with an
``output_signature`` (batch dimension None: the last partial batch keeps its
true size, nothing is padded) and declares the number of batches, so Keras
knows the epoch length. TensorFlow copies each batch once when it turns the
NumPy arrays into tensors (from_generator always does); the NumPy arrays it
gets view the C++ buffers. Each pass over the dataset (each Keras epoch) runs
the loader's next epoch, reshuffled.

``as_keras`` gives a Keras 3 ``PyDataset`` that returns NumPy views; Keras
asks for batches 0..n-1 in order each epoch (keep ``workers=1``; rootbatch
has its own reader threads).
"""
from __future__ import annotations

import numpy as np

from ._progress import progress_bar
from .loader import batch_structure

__all__ = ["as_tensorflow", "output_signature", "KerasDataset"]


def output_signature(loader):
    """The tf.TensorSpec structure of one batch: x, (x, y) or (x, y, w), built
    by the same rule as the batches (``batch_structure``) from the loader's layout."""
    import tensorflow as tf

    layout = loader.layout
    parts = layout["parts"]

    def spec(part, name=None):
        part_name, dtype, shape = parts[part]
        return tf.TensorSpec((None, *shape), tf.as_dtype(dtype), name=name or part_name)

    padded = [(parts[p][0], spec(p), None if m < 0 else parts[m][0], None if m < 0 else spec(m))
              for p, m in zip(layout["padded_parts"], layout["mask_parts"])]
    ragged = [(name, tf.TensorSpec((None, *item), tf.as_dtype(dtype), name=f"{name}_values"),
               tf.TensorSpec((None,), tf.int64, name=f"{name}_offsets"))
              for name, dtype, item in layout["ragged"]]
    has_y, has_w = layout["targets_part"] >= 0, layout["weights_part"] >= 0
    if has_w and not has_y:
        raise ValueError("TensorFlow needs a target when weights are given (x, y, w)")
    features = spec(0, "x") if not (padded or ragged) else spec(0)
    return batch_structure(features, padded, ragged,
                           spec(layout["targets_part"], "y") if has_y else None,
                           spec(layout["weights_part"], "w") if has_w else None)


def as_tensorflow(loader, progress=False):
    import tensorflow as tf

    signature = output_signature(loader)

    def generate():
        for batch in progress_bar(loader, progress):
            yield batch.numpy()

    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(len(loader)))


def _keras_base():
    import keras

    return keras.utils.PyDataset


def KerasDataset(loader, **kwargs):  # noqa: N802 - a class factory
    """A Keras 3 PyDataset over ``loader`` (see the module docstring)."""
    cls = _keras_dataset_class()
    return cls(loader, **kwargs)


_CLASS = None


def _keras_dataset_class():
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    base = _keras_base()

    class RootbatchPyDataset(base):
        """Sequential PyDataset: index 0 starts the loader's next epoch."""

        def __init__(self, loader, progress=False, **kwargs):
            kwargs.setdefault("workers", 1)
            kwargs.setdefault("use_multiprocessing", False)
            super().__init__(**kwargs)
            self.loader = loader
            self.progress = progress
            self._batches = None
            self._next_index = 0
            self._last = None  # (index, outputs): Keras may ask for one twice (peeking)
            self._length = None

        def __len__(self):
            if self._length is None:
                self._length = len(self.loader)
            return self._length

        @property
        def num_batches(self):
            return len(self)

        def __getitem__(self, index):
            if self._last is not None and self._last[0] == index:
                return self._last[1]
            if index == 0 or self._batches is None:
                if index != 0:
                    raise IndexError(f"rootbatch batches come in order: asked for {index} before 0")
                self._batches = iter(progress_bar(self.loader, self.progress))
                self._next_index = 0
            if index != self._next_index:
                raise IndexError(f"rootbatch batches come in order: asked for {index}, next is {self._next_index}")
            try:
                batch = next(self._batches)
            except StopIteration:
                raise IndexError(f"batch {index} is past the end of the epoch") from None
            self._next_index += 1
            outputs = batch.numpy()
            self._last = (index, outputs)
            return outputs

        def on_epoch_end(self):
            self._batches = None
            self._last = None
            self._length = None

    _CLASS = RootbatchPyDataset
    return _CLASS
