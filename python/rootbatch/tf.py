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

__all__ = ["as_tensorflow", "output_signature", "KerasDataset"]


def _specs(loader):
    """(x, y, w) as nested (dtype, per-row shape) following Batch.outputs."""
    layout = loader._loader().layout()
    parts = layout["parts"]
    features = (parts[0][1], tuple(parts[0][2]))
    if layout["padded_parts"] or layout["ragged"]:
        x = {"features": features}
        for p, m in zip(layout["padded_parts"], layout["mask_parts"]):
            x[parts[p][0]] = (parts[p][1], tuple(parts[p][2]))
            if m >= 0:
                x[parts[m][0]] = (parts[m][1], tuple(parts[m][2]))
        for name, dtype, item_shape in layout["ragged"]:
            x[name] = ("ragged", dtype, tuple(item_shape))
    else:
        x = features
    y = None
    if layout["targets_part"] >= 0:
        t = parts[layout["targets_part"]]
        y = (t[1], tuple(t[2]))
    w = None
    if layout["weights_part"] >= 0:
        t = parts[layout["weights_part"]]
        w = (t[1], tuple(t[2]))
    return x, y, w


def output_signature(loader):
    """The tf.TensorSpec structure of one batch: x, (x, y) or (x, y, w)."""
    import tensorflow as tf

    def spec(entry, name):
        if entry[0] == "ragged":
            _, dtype, item = entry
            return (tf.TensorSpec((None, *item), tf.as_dtype(dtype), name=f"{name}_values"),
                    tf.TensorSpec((None,), tf.int64, name=f"{name}_offsets"))
        dtype, shape = entry
        return tf.TensorSpec((None, *shape), tf.as_dtype(dtype), name=name)

    x, y, w = _specs(loader)
    xs = {k: spec(v, k) for k, v in x.items()} if isinstance(x, dict) else spec(x, "x")
    if y is None and w is None:
        return xs
    if y is None:
        raise ValueError("TensorFlow needs a target when weights are given (x, y, w)")
    if w is None:
        return xs, spec(y, "y")
    return xs, spec(y, "y"), spec(w, "w")


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
