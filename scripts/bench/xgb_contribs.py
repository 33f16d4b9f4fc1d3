#!/usr/bin/python3
"""xgboost's side of scripts/bench-gbtrain --contribs: SHAP values.

Usage: /usr/bin/python3 scripts/bench/xgb_contribs.py [--nthread N] [--out FILE.npy]
           MODEL DATA_H5
       /usr/bin/python3 scripts/bench/xgb_contribs.py --compare GBPREDICT_H5 XGB_NPY

Loads MODEL (xgboost.Booster) and DATA_H5 (group /features, one 1-D dataset
per column; the model's features in its order; NaN is a missing value) with
h5py into a float32 matrix, builds the DMatrix, then times
Booster.predict(DMatrix, pred_contribs=True) alone with nthread N (default 2)
and writes the values to --out (float32 .npy) when given.

Prints on stderr one human-readable line, then the machine-readable lines
`load_seconds=X` (h5py and the DMatrix) and `predict_seconds=X` (predict
alone).

--compare prints `max_abs_diff_rel=X`: the largest |gbpredict's /contribs -
xgboost's| over the largest |margin| (a row's sum of xgboost's values).
"""
import argparse
import sys
import time

import h5py
import numpy as np
import xgboost as xgb


def load(path, names):
    with h5py.File(path, "r") as f:
        g = f["features"]
        n = g[names[0]].shape[0]
        X = np.empty((n, len(names)), dtype=np.float32)
        for j, c in enumerate(names):
            X[:, j] = g[c][:]
    return X


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nthread", type=int, default=2)
    ap.add_argument("--out")
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("model")
    ap.add_argument("data")
    a = ap.parse_args(argv)
    if a.compare:
        with h5py.File(a.model, "r") as f:
            got = f["contribs"][:].astype(np.float64)
        want = np.load(a.data).astype(np.float64)
        scale = np.abs(want.sum(axis=-1)).max()
        print("max_abs_diff_rel=%.3g" % (np.abs(got - want).max() / scale))
        return 0
    t0 = time.perf_counter()
    booster = xgb.Booster(model_file=a.model)
    booster.set_param({"nthread": a.nthread})
    names = booster.feature_names or ["f%d" % j for j in range(booster.num_features())]
    X = load(a.data, names)
    dm = xgb.DMatrix(X, feature_names=booster.feature_names, nthread=a.nthread, missing=np.nan)
    t1 = time.perf_counter()
    contribs = booster.predict(dm, pred_contribs=True)
    t2 = time.perf_counter()
    if a.out:
        np.save(a.out, contribs.astype(np.float32))
    n = X.shape[0]
    print("xgb_contribs: %d rows, %s values: load %.2f s, predict(pred_contribs) %.2f s, "
          "%.0f rows/s" % (n, contribs.shape[1:], t1 - t0, t2 - t1, n / (t2 - t1)),
          file=sys.stderr)
    print("load_seconds=%.3f" % (t1 - t0), file=sys.stderr)
    print("predict_seconds=%.3f" % (t2 - t1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
