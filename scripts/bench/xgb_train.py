#!/usr/bin/python3
"""xgboost's side of scripts/bench-gbtrain: load, train, predict.

Usage: /usr/bin/python3 scripts/bench/xgb_train.py [--label NAME]
           [--objective binary:logistic|multi:softprob] [--num-class K]
           [--rounds N] [--max-depth N] [--eta X] [--max-bin N] [--nthread N]
           [--model-out FILE] TRAIN_H5 TEST_H5 PRED_OUT

Loads TRAIN_H5 and TEST_H5 (group /features, one 1-D dataset per column, the
order in the group attribute `columns`; every column but the label is a
feature; NaN is a missing value) with h5py into float32 matrices, builds the
DMatrix, trains with tree_method=hist and the given parameters (base_score
0.5, lambda 1, min_child_weight 1, no evaluation during training), predicts
the test rows and writes the probabilities to PRED_OUT (.npy, float32; shape
(rows) for binary:logistic, (rows, K) for multi:softprob).

Prints on stderr one human-readable line of timings, then machine-readable
lines `load_seconds=X`, `train_seconds=X` (xgb.train alone: not loading, not
the DMatrix, not predicting) and `predict_seconds=X`. The caller times the
whole process and computes the test metric from PRED_OUT.
"""
import argparse
import sys
import time

import h5py
import numpy as np
import xgboost as xgb


def load(path, label):
    with h5py.File(path, "r") as f:
        g = f["features"]
        cols = [c.decode() if isinstance(c, bytes) else str(c) for c in g.attrs["columns"]]
        feats = [c for c in cols if c != label]
        n = g[label].shape[0]
        X = np.empty((n, len(feats)), dtype=np.float32)
        for j, c in enumerate(feats):
            X[:, j] = g[c][:]
        y = g[label][:].astype(np.float32)
    return X, y, feats


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label", default="label")
    ap.add_argument("--objective", default="binary:logistic",
                    choices=("binary:logistic", "multi:softprob"))
    ap.add_argument("--num-class", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--max-depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.1)
    ap.add_argument("--max-bin", type=int, default=256)
    ap.add_argument("--nthread", type=int, default=2)
    ap.add_argument("--model-out")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("pred_out")
    a = ap.parse_args(argv)
    if a.objective == "multi:softprob" and a.num_class < 2:
        ap.error("multi:softprob needs --num-class K (K >= 2)")

    t0 = time.perf_counter()
    X, y, feats = load(a.train, a.label)
    dtrain = xgb.DMatrix(X, label=y, feature_names=feats, nthread=a.nthread, missing=np.nan)
    del X
    t1 = time.perf_counter()
    params = {
        "objective": a.objective, "tree_method": "hist", "eta": a.eta,
        "max_depth": a.max_depth, "max_bin": a.max_bin, "nthread": a.nthread,
        "base_score": 0.5, "lambda": 1.0, "min_child_weight": 1.0, "seed": 0,
    }
    if a.objective == "multi:softprob":
        params["num_class"] = a.num_class
    bst = xgb.train(params, dtrain, a.rounds)
    t2 = time.perf_counter()
    Xt, _, feats_t = load(a.test, a.label)
    assert feats_t == feats, "test columns differ from train columns"
    pred = bst.predict(xgb.DMatrix(Xt, feature_names=feats, nthread=a.nthread, missing=np.nan))
    np.save(a.pred_out, pred.astype(np.float32))
    if a.model_out:
        bst.save_model(a.model_out)
    t3 = time.perf_counter()
    print("xgb_train: load %.2f s, train %.2f s, predict %.2f s, %d train rows, %d features, "
          "%s, xgboost %s" % (t1 - t0, t2 - t1, t3 - t2, dtrain.num_row(), len(feats),
                              a.objective, xgb.__version__), file=sys.stderr)
    print("load_seconds=%.3f" % (t1 - t0), file=sys.stderr)
    print("train_seconds=%.3f" % (t2 - t1), file=sys.stderr)
    print("predict_seconds=%.3f" % (t3 - t2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
