"""Tutorial: a Keras 3 classifier on a ROOT file, with validation.

    loader = rootbatch.DataLoader(path, columns=features, target="label", weights="weight",
                                  target_type="float32", batch_size=1024)
    train, val = loader.train_test_split(test_size=0.2)
    model.fit(train.as_tensorflow(), validation_data=val.as_tensorflow(), epochs=3)
    # or, as Keras 3 PyDatasets:
    model.fit(train.as_keras(), validation_data=val.as_keras(), epochs=3)

Each Keras epoch is one loader epoch, reshuffled; weights become sample weights.
"""
import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import rootbatch  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from _sample import ensure_sample  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--adapter", choices=["tf.data", "pydataset"], default="tf.data")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)

    path = args.file or ensure_sample("samples/tutorial.root", args.events)
    features = [c.name for c in rootbatch.open(path)["events"].columns
                if c.kind == "scalar" and c.dtype == "float32" and c.name != "weight"]
    loader = rootbatch.DataLoader(path, columns=features, target="label", weights="weight",
                                  target_type="float32", batch_size=args.batch_size, memory="256MB")
    train, val = loader.train_test_split(test_size=0.2)
    if args.adapter == "tf.data":
        train_data, val_data = train.as_tensorflow(), val.as_tensorflow()
    else:
        train_data, val_data = train.as_keras(), val.as_keras()

    model = keras.Sequential([
        keras.Input((len(features),)),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy",
                  weighted_metrics=[keras.metrics.AUC(name="auc")])
    history = model.fit(train_data, validation_data=val_data, epochs=args.epochs, verbose=2, shuffle=False)
    val_auc = history.history["val_auc"][-1]
    print(f"validation AUC {val_auc:.4f}")
    return val_auc


if __name__ == "__main__":
    main()
