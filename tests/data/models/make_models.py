#!/usr/bin/python3
"""make_models.py -- the reference models for tk_model's tests, made by xgboost 1.7.

Run with Debian's python3 (python3-xgboost 1.7.4): /usr/bin/python3 make_models.py
It rewrites, next to itself:

  reg_named.json      reg:squarederror, features named, missing values in training
  binary_named.json   binary:logistic, features named, missing values in training
  binary_spw.json     binary:logistic with base_score 0.3 and scale_pos_weight 2.5
  multi_named.json    multi:softprob, num_class 3, features named, missing values
  reg_unnamed.json    reg:squarederror trained from a bare array (no feature names)
  exact_pruned.json   tree_method exact with gamma: pruned trees with deleted nodes
  cases.json          for each model, input rows (null = missing) and xgboost's
                      margins (output_margin=True) and predictions, as float32 bits

Every model has a few small trees (each file well under 50 KB).
"""
import json
import os
import struct

import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["plays", "distSongs", "region", "hour"]


def data(seed, n=400, missing=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(NAMES))).astype(np.float32)
    X[:, 2] = rng.integers(0, 5, n)  # an integer-valued feature
    if missing:
        X[rng.random(X.shape) < missing] = np.nan
    return X, rng


def f32_bits(v):
    return struct.unpack("<I", struct.pack("<f", float(v)))[0]


def main():
    base = {"tree_method": "hist", "max_depth": 3, "eta": 0.3, "nthread": 1, "seed": 0}
    models = {}

    X, rng = data(1)
    y = np.nan_to_num(X[:, 0]) * 2 + np.nan_to_num(X[:, 1] * X[:, 2]) + rng.normal(size=len(X))
    models["reg_named"] = (dict(base, objective="reg:squarederror"),
                           xgb.DMatrix(X, label=y, feature_names=NAMES), 4)

    X, rng = data(2)
    y = (np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) + rng.normal(size=len(X)) > 0)
    models["binary_named"] = (dict(base, objective="binary:logistic"),
                              xgb.DMatrix(X, label=y.astype(float), feature_names=NAMES), 4)
    models["binary_spw"] = (dict(base, objective="binary:logistic", base_score=0.3,
                                 scale_pos_weight=2.5),
                            xgb.DMatrix(X, label=y.astype(float), feature_names=NAMES), 3)

    X, rng = data(3)
    y = np.digitize(np.nan_to_num(X[:, 0]) + 0.3 * np.nan_to_num(X[:, 2]) + 0.5 * rng.normal(size=len(X)),
                    [0.0, 1.0])
    models["multi_named"] = (dict(base, objective="multi:softprob", num_class=3),
                             xgb.DMatrix(X, label=y, feature_names=NAMES), 3)

    X, rng = data(4, missing=0.0)
    y = X[:, 0] - X[:, 1] * X[:, 3] + rng.normal(size=len(X))
    models["reg_unnamed"] = (dict(base, objective="reg:squarederror"),
                             xgb.DMatrix(X[:, :3], label=y), 3)
    models["exact_pruned"] = (dict(base, objective="reg:squarederror", tree_method="exact",
                                   max_depth=4, gamma=8.0),
                              xgb.DMatrix(X, label=y, feature_names=NAMES), 2)

    cases = {}
    for name, (params, dtrain, rounds) in models.items():
        booster = xgb.train(params, dtrain, rounds)
        path = os.path.join(HERE, name + ".json")
        booster.save_model(path)
        booster = xgb.Booster(model_file=path)  # predict with what was saved
        nf = booster.num_features()
        Xt, _ = data(100 + len(cases), n=12, missing=0.25)
        Xt = Xt[:, :nf]
        Xt[0, :] = np.nan                   # all missing: default directions only
        Xt[1, :] = 0.0
        Xt[2, :] = np.float32(1e30)
        Xt[3, :] = np.float32(-1e30)
        dm = xgb.DMatrix(Xt, feature_names=booster.feature_names)
        margin = booster.predict(dm, output_margin=True).reshape(len(Xt), -1)
        pred = booster.predict(dm).reshape(len(Xt), -1)
        cases[name] = {
            "rows": [[None if np.isnan(v) else f32_bits(v) for v in row] for row in Xt],
            "margins": [[f32_bits(v) for v in row] for row in margin],
            "predictions": [[f32_bits(v) for v in row] for row in pred],
        }
        assert os.path.getsize(path) < 50 * 1024, path
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"xgboost": xgb.__version__, "float32_bits": True, "models": cases}, f,
                  indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
