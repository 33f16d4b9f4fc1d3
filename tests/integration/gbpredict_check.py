#!/usr/bin/python3
"""gbpredict_check.py -- test data for gbpredict and the oracle it is held to:
xgboost 1.7's own Booster.predict. Run with Debian's /usr/bin/python3.

  gbpredict_check.py data MODEL PREFIX [--rows N] [--seed S]
      Writes PREFIX.csv (';'-delimited), PREFIX.comma.csv (','), and PREFIX.h5
      (group /features, attribute "columns"): the model's features (f0, f1, ...
      when it has no names) in shuffled order among extra columns, float32
      values with missing ones (empty, NaN or NA in CSV; NaN in HDF5), whole
      rows missing, an integer column "id" (int64) and a float column "score"
      with missing values. A categorical feature (feature_types "c") holds
      codes 0..11 and values xgboost treats specially: negative ones,
      non-integers, 2^24 - 1, 2^24 and beyond.

  gbpredict_check.py check MODEL DATA OUT [--margin] [--keep A,B] [--group G]
      Reads DATA independently (Python's csv module or h5py), predicts with
      xgboost (output_margin=True with --margin) and compares OUT (.csv or .h5)
      with it: same rows in the same order, relative difference <= 1e-5, the
      kept columns equal to DATA's (integers without a decimal point in CSV,
      int64 in HDF5, missing values empty). Exit 0 when they agree.

  gbpredict_check.py resaved ORIG OURS DATA
      OURS is ORIG (a model xgboost saved) loaded and saved by our library:
      xgboost loads OURS, predicts on DATA exactly what it predicts with ORIG
      (margins and predictions, bit for bit), and saves OURS back to ORIG's
      very bytes. Exit 0 when all holds.

  gbpredict_check.py batch FILE
      Runs the checks listed in FILE, one a line: "NAME<TAB>ARGS" with ARGS the
      check command's arguments (shell-quoted), in one process (xgboost loads
      once). Prints "ok - NAME" or "not ok - NAME" per line.
"""
import argparse
import csv
import math
import os
import shlex
import sys

import h5py
import numpy as np
import xgboost as xgb

MISSING = {"", "NaN", "nan", "NA"}
REL_TOL = 1e-5


def model_features(booster):
    names = booster.feature_names
    return list(names) if names else ["f%d" % i for i in range(booster.num_features())]


# values of a categorical feature beyond its codes: invalid (negative, from
# 2^24 on: left at every categorical split), truncated, the largest valid one
CAT_EDGES = np.array([-1.0, -0.5, -0.0, 0.5, 2.7, 9.99, 250.0, 16777215.0, 16777216.0, 3e7,
                      1e30, -1e30], dtype=np.float32)


def cmd_data(a):
    booster = xgb.Booster(model_file=a.model)
    feats = model_features(booster)
    types = booster.feature_types or []
    rng = np.random.default_rng(a.seed)
    n = a.rows
    cols = {}
    for j, name in enumerate(feats):
        v = rng.normal(scale=1.5, size=n).astype(np.float32)
        if j < len(types) and types[j] == "c":
            v = rng.integers(0, 12, n).astype(np.float32)
            edge = rng.random(n) < 0.2
            v[edge] = rng.choice(CAT_EDGES, int(edge.sum()))
        elif j % 3 == 2:
            v = np.round(v * 2).astype(np.float32)  # integer-valued, as counts are
        v[rng.random(n) < 0.15] = np.nan
        cols[name] = v
    for name in feats:
        cols[name][: min(3, n)] = np.nan  # whole rows missing: default directions
    cols["id"] = np.arange(1000, 1000 + n, dtype=np.int64) * 7 - 5000
    score = rng.normal(size=n) * 1e3
    score[rng.random(n) < 0.2] = np.nan
    cols["score"] = score
    cols["extra"] = rng.normal(size=n).astype(np.float32)
    order = list(cols)
    rng.shuffle(order)

    def text(name, v):
        if isinstance(v, (np.floating, float)) and math.isnan(v):
            return ["", "NaN", "NA"][int(rng.integers(0, 3))]
        if name == "id":
            return str(int(v))
        if name == "score":
            return repr(float(v))
        return "%.9g" % float(v)

    for path, delim in ((a.prefix + ".csv", ";"), (a.prefix + ".comma.csv", ",")):
        with open(path, "w", newline="") as f:
            w = csv.writer(f, delimiter=delim, lineterminator="\n")
            w.writerow(order)
            for i in range(n):
                w.writerow([text(c, cols[c][i]) for c in order])
    with h5py.File(a.prefix + ".h5", "w") as f:
        g = f.create_group("features")
        for c in order:
            g.create_dataset(c, data=cols[c])
        g.attrs.create("columns", order, dtype=h5py.string_dtype())


def read_data(path, group):
    """DATA as {column: float64 array}, and which columns hold integers."""
    with open(path, "rb") as f:
        is_h5 = f.read(8) == b"\x89HDF\r\n\x1a\n"
    if is_h5:
        with h5py.File(path, "r") as f:
            g = f[group]
            cols = {k: g[k][:] for k in g.keys()}
        is_int = {k: v.dtype.kind in "iu" for k, v in cols.items()}
        return {k: v.astype(np.float64) for k, v in cols.items()}, is_int
    with open(path, newline="") as f:
        head = f.readline()
        delim = ";" if head.count(";") >= head.count(",") else ","
        f.seek(0)
        rows = list(csv.reader(f, delimiter=delim))
    names, rows = rows[0], [r for r in rows[1:] if r]
    cols, is_int = {}, {}
    for j, name in enumerate(names):
        vals = [r[j] for r in rows]
        cols[name] = np.array([math.nan if s in MISSING else float(s) for s in vals])
        present = cols[name][~np.isnan(cols[name])]
        is_int[name] = bool(np.all(present == np.floor(present)))
    return cols, is_int


def close(got, want):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return "shape %s, want %s" % (got.shape, want.shape)
    diff = np.abs(got - want)
    bad = diff > REL_TOL * np.maximum(np.abs(want), 1e-6)
    if bad.any():
        i = np.argwhere(bad)[0]
        return "%d values differ, first at %s: %r vs xgboost %r" % (
            bad.sum(), tuple(i), got[tuple(i)], want[tuple(i)])
    return None


def cmd_check(a):
    booster = xgb.Booster(model_file=a.model)
    feats = model_features(booster)
    cols, is_int = read_data(a.data, a.group)
    X = np.column_stack([cols[c].astype(np.float32) for c in feats])
    dm = xgb.DMatrix(X, feature_names=booster.feature_names, missing=np.nan)
    want = booster.predict(dm, output_margin=a.margin)
    multi = want.ndim == 2
    keep = a.keep.split(",") if a.keep else []
    errors = []
    if not os.path.exists(a.out):
        errors.append("%s does not exist" % a.out)
    elif a.out.endswith(".csv"):
        with open(a.out, newline="") as f:
            text = f.read()
        if "\r" in text or not text.endswith("\n"):
            errors.append("CSV lines must end in LF only")
        rows = list(csv.reader(text.splitlines(), delimiter=","))
        header, rows = rows[0], rows[1:]
        want_head = keep + (["class_%d" % k for k in range(want.shape[1])] if multi
                            else ["prediction"])
        if header != want_head:
            errors.append("header %r, want %r" % (header, want_head))
        if len(rows) != len(X):
            errors.append("%d rows, want %d" % (len(rows), len(X)))
        else:
            nk = len(keep)
            got = np.array([[float(s) for s in r[nk:]] for r in rows])
            err = close(got if multi else got[:, 0], want)
            if err:
                errors.append("predictions: " + err)
            for j, name in enumerate(keep):
                for i, r in enumerate(rows):
                    v = cols[name][i]
                    s = r[j]
                    if math.isnan(v):
                        ok = s == ""
                    elif is_int[name]:
                        ok = s == str(int(v))
                    else:
                        ok = s != "" and float(s) == v
                    if not ok:
                        errors.append("kept %s row %d: %r, want %r" % (name, i, s, v))
                        break
    elif a.out.endswith(".h5"):
        with h5py.File(a.out, "r") as f:
            p = f["predictions"]
            if p.dtype != np.float32:
                errors.append("predictions dtype %s" % p.dtype)
            err = close(p[:], want)
            if err:
                errors.append("predictions: " + err)
            cols_attr = [s.decode() if isinstance(s, bytes) else s for s in f.attrs["columns"]]
            if cols_attr != keep + ["predictions"]:
                errors.append("columns attribute %r" % cols_attr)
            if f.attrs["output"] != ("margin" if a.margin else "prediction"):
                errors.append("output attribute %r" % f.attrs["output"])
            for name in keep:
                d = f[name]
                v = cols[name]
                as_int = is_int[name] and not np.isnan(v).any()
                if d.dtype != (np.int64 if as_int else np.float64):
                    errors.append("%s dtype %s" % (name, d.dtype))
                elif not np.array_equal(d[:].astype(np.float64), v, equal_nan=True):
                    errors.append("kept column %s differs" % name)
    else:
        errors.append("unknown output type " + a.out)
    for e in errors[:10]:
        print("    " + e)
    return 1 if errors else 0


def cmd_resaved(a):
    orig = xgb.Booster(model_file=a.orig)
    ours = xgb.Booster(model_file=a.ours)
    feats = model_features(orig)
    cols, _ = read_data(a.data, "/features")
    X = np.column_stack([cols[c].astype(np.float32) for c in feats])
    errors = []
    for margin in (True, False):
        want = orig.predict(xgb.DMatrix(X, feature_names=orig.feature_names, missing=np.nan),
                            output_margin=margin)
        got = ours.predict(xgb.DMatrix(X, feature_names=ours.feature_names, missing=np.nan),
                           output_margin=margin)
        if not np.array_equal(want, got):
            errors.append("%s differ: %s" % ("margins" if margin else "predictions",
                                             close(got, want) or "by less than 1e-5"))
    if ours.feature_types != orig.feature_types or ours.feature_names != orig.feature_names:
        errors.append("features %r %r, want %r %r" % (ours.feature_names, ours.feature_types,
                                                      orig.feature_names, orig.feature_types))
    again = a.ours + ".xgb.json"
    ours.save_model(again)
    with open(again, "rb") as f, open(a.orig, "rb") as g:
        x, y = f.read(), g.read()
    if x != y:
        i = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
        errors.append("xgboost saves ours as other bytes than %s, from byte %d: %r vs %r" % (
            a.orig, i, x[max(0, i - 40):i + 40], y[max(0, i - 40):i + 40]))
    for e in errors[:10]:
        print("    " + e)
    return 1 if errors else 0


def cmd_batch(a, check_parser):
    with open(a.file) as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    failed = 0
    for line in lines:
        name, args = line.split("\t", 1)
        try:
            rc = cmd_check(check_parser.parse_args(shlex.split(args)))
        except Exception as e:  # a broken output must not hide the other checks
            print("    %s: %r" % (type(e).__name__, e))
            rc = 1
        print("%s - %s" % ("not ok" if rc else "ok", name), flush=True)
        failed += rc != 0
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data")
    d.add_argument("model")
    d.add_argument("prefix")
    d.add_argument("--rows", type=int, default=500)
    d.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("model")
    c.add_argument("data")
    c.add_argument("out")
    c.add_argument("--margin", action="store_true")
    c.add_argument("--keep", default="")
    c.add_argument("--group", default="/features")
    r = sub.add_parser("resaved")
    r.add_argument("orig")
    r.add_argument("ours")
    r.add_argument("data")
    b = sub.add_parser("batch")
    b.add_argument("file")
    a = ap.parse_args()
    if a.cmd == "batch":
        return cmd_batch(a, c)
    if a.cmd == "data":
        cmd_data(a)
        return 0
    if a.cmd == "resaved":
        return cmd_resaved(a)
    return cmd_check(a)


if __name__ == "__main__":
    sys.exit(main())
