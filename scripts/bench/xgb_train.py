#!/usr/bin/python3
"""xgboost's side of scripts/bench-gbtrain: load, train, predict.

Usage: /usr/bin/python3 scripts/bench/xgb_train.py [--label NAME] [--rounds N]
           [--max-depth N] [--eta X] [--max-bin N] [--nthread N]
           [--model-out FILE] TRAIN_H5 TEST_H5 PRED_OUT

Loads TRAIN_H5 and TEST_H5 (group /features, one 1-D dataset per column, the
order in the group attribute `columns`; every column but the label is a
feature) with h5py into float32 matrices, builds the DMatrix, trains
binary:logistic with tree_method=hist and the given parameters (base_score
0.5, lambda 1, min_child_weight 1, no evaluation during training), predicts
the test rows and writes the probabilities to PRED_OUT (.npy, float32).
Prints one line of timings on stderr. The caller times the whole process
(loading included) and computes the AUC from PRED_OUT.
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

    t0 = time.time()
    X, y, feats = load(a.train, a.label)
    dtrain = xgb.DMatrix(X, label=y, feature_names=feats, nthread=a.nthread)
    del X
    t1 = time.time()
    params = {
        "objective": "binary:logistic", "tree_method": "hist", "eta": a.eta,
        "max_depth": a.max_depth, "max_bin": a.max_bin, "nthread": a.nthread,
        "base_score": 0.5, "lambda": 1.0, "min_child_weight": 1.0, "seed": 0,
    }
    bst = xgb.train(params, dtrain, a.rounds)
    t2 = time.time()
    Xt, _, feats_t = load(a.test, a.label)
    assert feats_t == feats, "test columns differ from train columns"
    pred = bst.predict(xgb.DMatrix(Xt, feature_names=feats, nthread=a.nthread))
    np.save(a.pred_out, pred.astype(np.float32))
    if a.model_out:
        bst.save_model(a.model_out)
    t3 = time.time()
    print("xgb_train: load %.2f s, train %.2f s, predict %.2f s, %d train rows, %d features, "
          "xgboost %s" % (t1 - t0, t2 - t1, t3 - t2, dtrain.num_row(), len(feats),
                          xgb.__version__), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
