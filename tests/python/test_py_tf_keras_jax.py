"""TensorFlow, Keras 3 and JAX adapters: real training on a generated sample."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

import rootbatch

FEATURES = ["lepton_pT", "lepton_eta", "missing_energy_magnitude", "jet1_pt"]


def loaders(sample, **kwargs):
    kwargs.setdefault("batch_size", 500)
    loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", target_type="float32",
                                  memory="16MB", seed=1, **kwargs)
    return loader.train_test_split(test_size=0.2)


def test_tf_dataset_signature_and_partial_batch(sample):
    import tensorflow as tf

    loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", target_type="float32",
                                  weights="weight", batch_size=3000)
    ds = loader.as_tensorflow()
    x_spec, y_spec, w_spec = ds.element_spec
    assert x_spec.shape.as_list() == [None, len(FEATURES)] and x_spec.dtype == tf.float32
    assert y_spec.shape.as_list() == [None, 1] and w_spec.shape.as_list() == [None]
    assert int(ds.cardinality()) == 7
    sizes, ids = [], []
    for x, y, w in ds:
        sizes.append(int(x.shape[0]))
        assert y.shape[0] == w.shape[0] == x.shape[0]
    # The last partial batch keeps its true size: no zero padding.
    assert sizes == [3000] * 6 + [2000]
    # Values equal the NumPy adapter's for the same epoch.
    loader.set_epoch(0)
    reference = [x.copy() for x, _, _ in loader.as_numpy()]
    loader.set_epoch(0)
    got = [x.numpy() for x, _, _ in loader.as_tensorflow()]
    assert all(np.array_equal(a, b) for a, b in zip(got, reference))


def test_tf_dataset_each_pass_is_a_new_epoch(sample):
    loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="event_id", target_type="int64",
                                  batch_size=4000)
    ds = loader.as_tensorflow()
    first = np.concatenate([y.numpy()[:, 0] for _, y in ds])
    second = np.concatenate([y.numpy()[:, 0] for _, y in ds])
    for ids in (first, second):
        assert np.array_equal(np.sort(ids), np.arange(20000))
    assert not np.array_equal(first, second)


def _model():
    import keras

    model = keras.Sequential([
        keras.Input((len(FEATURES),)),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("adapter", ["tf.data", "PyDataset"])
def test_keras_fit_with_validation(sample, adapter, monkeypatch):
    import keras

    keras.utils.set_random_seed(0)
    train, val = loaders(sample)
    requested = []  # (index, loader epoch) of every batch Keras asks the PyDataset for
    if adapter == "tf.data":
        train_data, val_data = train.as_tensorflow(), val.as_tensorflow()
    else:
        train_data, val_data = train.as_keras(), val.as_keras()
        assert isinstance(train_data, keras.utils.PyDataset)
        assert len(train_data) == len(train) == 32
        cls = type(train_data)
        get = cls.__getitem__

        def recording(self, index):
            if self is train_data:
                requested.append(index)
            return get(self, index)

        monkeypatch.setattr(cls, "__getitem__", recording)
    history = _model().fit(train_data, validation_data=val_data, epochs=3, verbose=0, shuffle=False)
    loss, val_loss = history.history["loss"], history.history["val_loss"]
    assert len(loss) == len(val_loss) == 3
    assert np.isfinite(val_loss).all()
    assert loss[-1] < loss[0]
    assert history.history["val_accuracy"][-1] > 0.55  # balanced classes: chance is 0.5
    if adapter == "tf.data":
        assert train.stats["events"] == 3 * 16000  # three whole epochs, nothing read twice
    else:
        # Keras peeks at the first batches before it trains; then each of the
        # three epochs asks for every batch once, in order.
        assert requested[-3 * 32:] == list(range(32)) * 3, requested


def test_keras_pydataset_is_sequential(sample):
    train, _ = loaders(sample)
    data = train.as_keras()
    x0, y0 = data[0]
    again, _ = data[0]  # a repeated request (Keras peeks) returns the same batch
    assert again is x0
    data[1]
    with pytest.raises(IndexError):
        data[5]


def test_jax_arrays_share_the_buffer_and_train(sample):
    import jax
    import jax.numpy as jnp

    train, val = loaders(sample, batch_size=1000)
    batch = next(iter(train))
    assert jax.dlpack.from_dlpack(batch.features).unsafe_buffer_pointer() == batch.features.data_ptr
    assert jnp.from_dlpack(batch.features).unsafe_buffer_pointer() == batch.features.data_ptr  # as_jax's import

    mean = jnp.array([50.0, 0.0, 50.0, 60.0])
    scale = jnp.array([30.0, 1.5, 30.0, 40.0])

    def loss_fn(params, x, y):
        logits = ((x - mean) / scale) @ params["w"] + params["b"]
        return jnp.mean(jnp.logaddexp(0.0, logits) - y[:, 0] * logits)

    @jax.jit
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.5 * g, params, grads), loss

    params = {"w": jnp.zeros(len(FEATURES)), "b": jnp.zeros(())}

    def val_loss():
        losses = [float(loss_fn(params, x, y)) for x, y in val.as_jax()]
        return float(np.mean(losses))

    before = val_loss()
    for _ in range(3):
        for x, y in train.as_jax():
            assert isinstance(x, jax.Array) and x.shape[1] == len(FEATURES)
            params, loss = step(params, x, y)
    after = val_loss()
    assert np.isfinite(after) and after < before
