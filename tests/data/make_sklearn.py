#!/usr/bin/python3
"""Small real data sets for the gbtrain/gbpredict tests, as CSV and HDF5.

Usage: /usr/bin/python3 tests/data/make_sklearn.py OUTDIR

Writes, for each data set NAME, OUTDIR/NAME_train.{csv,h5} and
OUTDIR/NAME_test.{csv,h5}:

  cancer    sklearn breast cancer, binary, label `target` (569 rows, 30 features)
  diabetes  sklearn diabetes, regression, label `target` (442 rows, 10 features)
  wine      sklearn wine, 3 classes, label `target` 0..2 (178 rows, 13 features)
  synth     make_classification, binary, label `label` (20000 rows, 28 features
            f0..f27; about 5% NaN in f1, f4, f9, f17)

CSV: ',' delimiter, header, LF, missing values as empty fields. HDF5: group
/features, one 1-D dataset per column (features float64 for the sklearn sets,
float32 for synth; labels int64 for classification, float64 for diabetes),
the column order in the group attribute `columns`. Feature values are rounded
to float32 first and the CSV holds their exact value, so both formats hold
exactly the same float32 numbers. Column names are made of [A-Za-z0-9_].
The splits are deterministic (train_test_split, random_state 42, 25% test,
stratified for the classification sets); the output depends only on the
installed sklearn's data.
"""
import os
import re
import sys

import h5py
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification
from sklearn.model_selection import train_test_split

NAN_FEATURES = (1, 4, 9, 17)


def clean(name):
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", name.strip())).strip("_")


def write(df, label, path_stem, feat_dtype, label_dtype):
    df.to_csv(path_stem + ".csv", index=False, sep=",", na_rep="", lineterminator="\n")
    with h5py.File(path_stem + ".h5", "w") as f:
        g = f.create_group("features")
        for c in df.columns:
            dt = label_dtype if c == label else feat_dtype
            g.create_dataset(c, data=df[c].to_numpy().astype(dt))
        g.attrs["columns"] = np.array(list(df.columns), dtype=h5py.string_dtype())


def frame(X, y, names, label, label_is_int):
    X = np.asarray(X, dtype=np.float32).astype(np.float64)  # exact float32 values
    cols = {clean(n): X[:, i] for i, n in enumerate(names)}
    assert len(cols) == len(names), "column names collide after cleaning"
    df = pd.DataFrame(cols)
    df[label] = np.asarray(y).astype(np.int64 if label_is_int else np.float64)
    return df


def split(df, label, stratify, out, name, feat_dtype, label_dtype):
    tr, te = train_test_split(df, test_size=0.25, random_state=42,
                              stratify=df[label] if stratify else None)
    write(tr.reset_index(drop=True), label, os.path.join(out, name + "_train"), feat_dtype,
          label_dtype)
    write(te.reset_index(drop=True), label, os.path.join(out, name + "_test"), feat_dtype,
          label_dtype)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    out = argv[1]
    os.makedirs(out, exist_ok=True)

    d = load_breast_cancer()
    split(frame(d.data, d.target, d.feature_names, "target", True), "target", True, out,
          "cancer", np.float64, np.int64)
    d = load_diabetes()
    split(frame(d.data, d.target, d.feature_names, "target", False), "target", False, out,
          "diabetes", np.float64, np.float64)
    d = load_wine()
    split(frame(d.data, d.target, d.feature_names, "target", True), "target", True, out,
          "wine", np.float64, np.int64)

    X, y = make_classification(n_samples=20000, n_features=28, n_informative=14,
                               n_redundant=4, flip_y=0.02, class_sep=0.8, random_state=7)
    rng = np.random.RandomState(11)
    X = X.astype(np.float32)
    for j in NAN_FEATURES:
        X[rng.rand(X.shape[0]) < 0.05, j] = np.nan
    split(frame(X, y, ["f%d" % i for i in range(28)], "label", True), "label", True, out,
          "synth", np.float32, np.int64)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
