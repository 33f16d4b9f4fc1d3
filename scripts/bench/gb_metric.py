#!/usr/bin/python3
"""The test metric of scripts/bench-gbtrain for one set of predictions.

Usage: /usr/bin/python3 scripts/bench/gb_metric.py [--label NAME] [--num-class K]
           TEST_H5 PRED

TEST_H5 is a shape's test file (group /features, label dataset NAME, default
`label`). PRED is gbpredict's .h5 (dataset /predictions) or xgb_train.py's .npy:
probabilities of shape (rows) for binary:logistic, (rows, K) for
multi:softprob.

Prints one line on stdout: binary (no --num-class, or K <= 2):
`auc=0.97123` (sklearn roc_auc_score); multiclass: `mlogloss=0.41234
merror=0.14012` (sklearn log_loss over the classes 0..K-1, and the fraction
of rows whose most probable class is not the label). Exit 1 on a shape
mismatch or unreadable input.
"""
import argparse
import sys

import h5py
import numpy as np
from sklearn.metrics import log_loss, roc_auc_score


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label", default="label")
    ap.add_argument("--num-class", type=int, default=0)
    ap.add_argument("test")
    ap.add_argument("pred")
    a = ap.parse_args(argv)
    with h5py.File(a.test, "r") as f:
        y = f["features"][a.label][:].astype(np.int64)
    if a.pred.endswith(".npy"):
        p = np.load(a.pred)
    else:
        with h5py.File(a.pred, "r") as f:
            p = f["predictions"][:]
    p = p.astype(np.float64)
    if a.num_class > 2:
        if p.shape != (y.shape[0], a.num_class):
            print("gb_metric: predictions of shape %s, expected %s"
                  % (p.shape, (y.shape[0], a.num_class)), file=sys.stderr)
            return 1
        mlogloss = log_loss(y, p, labels=list(range(a.num_class)))
        merror = float(np.mean(np.argmax(p, axis=1) != y))
        print("mlogloss=%.5f merror=%.5f" % (mlogloss, merror))
    else:
        if p.shape != y.shape:
            print("gb_metric: predictions of shape %s, expected %s" % (p.shape, y.shape),
                  file=sys.stderr)
            return 1
        print("auc=%.5f" % roc_auc_score(y, p))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
