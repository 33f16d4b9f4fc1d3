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
  cat_reg_onehot.json reg:squarederror with categorical features (feature_types
                      'c', enable_categorical), one-hot splits (max_cat_to_onehot 32)
  cat_reg_part.json   the same data, partition splits (max_cat_to_onehot 1)
  cat_binary.json     binary:logistic, partition splits, features named "NaN" and
                      "null" (the JSON token passes must leave strings alone)
  cat_multi.json      multi:softprob, num_class 3: a 10-category feature split by
                      partition, a 6-category one one-hot (max_cat_to_onehot 8)
  cat_unnamed.json    reg:squarederror from a bare array, feature_types ['c', 'float']
  cases.json          for each model, input rows (null = missing) and xgboost's
                      margins (output_margin=True) and predictions, as float32 bits

The categorical models are trained on codes 0..K-1 with some codes absent
(CAT_ABSENT) and missing values; their case rows add unseen codes, negative
values, values from 2^24 on, non-integers and NaN. Every model has a few small
trees (each file well under 50 KB).
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


CAT_NAMES = ["genre", "plays", "NaN", "null"]
CAT_TYPES = ["c", "float", "c", "float"]
CAT_K = {0: 10, 2: 6}             # categories per categorical column
CAT_ABSENT = {0: (4, 7), 2: (2,)}  # codes never seen in training
# values a categorical column meets at prediction: unseen and absent codes,
# negative ones, non-integers (truncated), invalid ones from 2^24 on
CAT_EDGES = [-1.0, -0.5, -0.0, 0.0, 2.7, 3.99, 4.0, 7.0, 9.0, 10.0, 11.0, 250.0, 16777215.0,
             16777216.0, 3e7, 1e30, np.nan]


def cat_data(seed, n=500, missing=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(CAT_NAMES))).astype(np.float32)
    for j, k in CAT_K.items():
        codes = [c for c in range(k) if c not in CAT_ABSENT[j]]
        X[:, j] = rng.choice(codes, n)
    X[rng.random(X.shape) < missing] = np.nan
    return X, rng


def cat_signal(X):
    g = np.nan_to_num(X[:, 0], nan=-1)
    s = np.nan_to_num(X[:, 2], nan=-1)
    return (np.isin(g, [1, 3, 8]) * 2.0 - np.isin(s, [0, 5]) * 1.5 + (g == 9) * 3.0 +
            np.nan_to_num(X[:, 1]) + 0.5 * np.nan_to_num(X[:, 3]))


def cat_rows(nf, rng, n=24):
    """Case rows for a categorical model: codes and CAT_EDGES in the
    categorical columns (0 and 2), normal values elsewhere."""
    X = rng.normal(size=(n, nf)).astype(np.float32)
    edges = np.array(CAT_EDGES, dtype=np.float32)
    for j in (0, 2):
        if j < nf:
            X[:, j] = edges[(np.arange(n) * (3 if j else 1) + j) % len(edges)]
    return X


def has_cat_splits(path):
    with open(path) as f:
        trees = json.load(f)["learner"]["gradient_booster"]["model"]["trees"]
    sizes = [s for t in trees for s in t["categories_sizes"]]
    return any(s == 1 for s in sizes), any(s > 1 for s in sizes)


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

    cat = dict(base, max_depth=4)
    X, rng = cat_data(5)
    y = cat_signal(X) + 0.3 * rng.normal(size=len(X))
    dcat = xgb.DMatrix(X, label=y, feature_names=CAT_NAMES, feature_types=CAT_TYPES,
                       enable_categorical=True)
    models["cat_reg_onehot"] = (dict(cat, objective="reg:squarederror", max_cat_to_onehot=32),
                                dcat, 4)
    models["cat_reg_part"] = (dict(cat, objective="reg:squarederror", max_cat_to_onehot=1),
                              dcat, 4)
    X, rng = cat_data(6)
    y = (cat_signal(X) + rng.normal(size=len(X)) > 1.0).astype(float)
    models["cat_binary"] = (dict(cat, objective="binary:logistic", max_cat_to_onehot=1),
                            xgb.DMatrix(X, label=y, feature_names=CAT_NAMES,
                                        feature_types=CAT_TYPES, enable_categorical=True), 4)
    X, rng = cat_data(7)
    y = np.digitize(cat_signal(X) + 0.5 * rng.normal(size=len(X)), [0.0, 2.0])
    models["cat_multi"] = (dict(cat, objective="multi:softprob", num_class=3,
                                max_cat_to_onehot=8),
                           xgb.DMatrix(X, label=y, feature_names=CAT_NAMES,
                                       feature_types=CAT_TYPES, enable_categorical=True), 3)
    X, rng = cat_data(8, missing=0.05)
    y = cat_signal(X) + 0.3 * rng.normal(size=len(X))
    models["cat_unnamed"] = (dict(cat, objective="reg:squarederror", max_cat_to_onehot=1),
                             xgb.DMatrix(X[:, :2], label=y, feature_types=CAT_TYPES[:2],
                                         enable_categorical=True), 3)

    cases = {}
    for name, (params, dtrain, rounds) in models.items():
        booster = xgb.train(params, dtrain, rounds)
        path = os.path.join(HERE, name + ".json")
        booster.save_model(path)
        booster = xgb.Booster(model_file=path)  # predict with what was saved
        nf = booster.num_features()
        Xt, rng = data(100 + len(cases), n=12, missing=0.25)
        Xt = Xt[:, :nf]
        if name.startswith("cat_"):
            onehot, part = has_cat_splits(path)
            assert onehot if "onehot" in name else True, name
            assert part if "part" in name or name in ("cat_binary", "cat_multi") else True, name
            assert onehot or part, name
            Xt = np.vstack([Xt, cat_rows(nf, rng)])
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
