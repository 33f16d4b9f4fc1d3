#!/usr/bin/python3
"""gbpredict_contribs_check.py -- the oracle of gbpredict --contribs and
--contribs-summary: xgboost 1.7's own Booster.predict(pred_contribs=True).
Run with Debian's /usr/bin/python3. Test data (the data command) and the
reading of DATA come from gbpredict_check.py beside it.

  gbpredict_contribs_check.py train OUTDIR
      Trains fresh xgboost models and writes their training data, for the
      test and for gbtrain: OUTDIR/NAME.json and OUTDIR/NAME_train.h5 (group
      /features, the label `label`) for
        xreg    reg:squarederror, 8 features (one named "n,1": quoted in CSV),
                10% NaN, depth 5, 20 rounds
        xbin    binary:logistic, the same features, base_score 0.3
        xmulti  multi:softprob, 4 classes, depth 4, 10 rounds
        xdeep   reg:squarederror on 16 features, depth 16, min_child_weight 0,
                3 rounds: leaf paths through up to 15 distinct features (the
                recursive TreeSHAP's trees)
      and, from CATDIR (tests/data/make_cat.py's output, --cat CATDIR), with
      enable_categorical (c3, c20, c500 categorical):
        xcatbin   binary:logistic, one-hot below 4 categories, partitions above
        xcatmc    multi:softprob, 3 classes

  gbpredict_contribs_check.py data [--rows N] [--seed S] MODEL PREFIX [MODEL PREFIX ...]
      gbpredict_check.py's test data (NaNs, whole rows missing, categorical
      edge values, the columns id, score and extra) for each MODEL, in one
      process.

  gbpredict_contribs_check.py check MODEL DATA OUT [--keep A,B] [--group G]
                                    [--summary FILE] [--no-contribs]
      Compares OUT (.csv or .h5, written with --contribs) with xgboost's
      pred_contribs on DATA: the layout (header names, or /contribs' dtype,
      shape and attributes), the values within
      |a - b| <= 1e-5 max(|b|, 1e-3 max |margin|), each row's sum (of a class)
      against xgboost's margin within the same bound, the kept columns. With
      --summary, FILE against the mean |SHAP| of xgboost's values and of
      OUT's own (order: most important first). With --no-contribs OUT holds
      predictions, checked by gbpredict_check.py, and only FILE is compared.
      Prints the largest errors seen; exit 0 when all agree.

  gbpredict_contribs_check.py batch FILE
      The checks listed in FILE, one a line "NAME<TAB>ARGS", in one process.
      Prints "ok - NAME" or "not ok - NAME" per line, then "# largest error
      ..." over all of them.
"""
import argparse
import csv
import json
import math
import os
import shlex
import sys

import h5py
import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gbpredict_check as gc  # noqa: E402

REL_TOL = 1e-5
# xgboost computes TreeSHAP and margins in float32: against a float64
# reference its values are off by up to ~2e-7 x max |margin| on these models
# (more on deep paths, see --xgb-floor), so a value below FLOOR x max |margin|
# is compared absolutely, within REL_TOL x FLOOR x max |margin| (4 float32
# ulps of the largest margin)
FLOOR = 0.05
# the float64 reference (ref_contribs): ours within REF_TOL x max(|ref|,
# REF_FLOOR x max |margin|) -- float32 output and tables
REF_TOL, REF_FLOOR = 1e-6, 0.1
WORST = {"value": 0.0, "abs": 0.0, "ref": 0.0, "sum": 0.0, "summary": 0.0, "where": "",
         "xgb_ref": 0.0, "xgb_sum": 0.0}


# ---- training ----

def _save_h5(path, names, X, y):
    with h5py.File(path, "w") as f:
        g = f.create_group("features")
        for j, name in enumerate(names):
            g.create_dataset(name, data=X[:, j])
        g.create_dataset("label", data=y)
        g.attrs.create("columns", list(names) + ["label"], dtype=h5py.string_dtype())


def _numeric(rng, n, nf):
    X = rng.normal(size=(n, nf)).astype(np.float32)
    X[:, 5 % nf] = np.round(X[:, 5 % nf] * 2)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


def _fit(out, name, names, X, y, params, rounds, dm_kw=None):
    dm = xgb.DMatrix(X, label=y, feature_names=names, missing=np.nan, **(dm_kw or {}))
    p = {"tree_method": "hist", "seed": 0, "nthread": 1}
    p.update(params)
    xgb.train(p, dm, rounds).save_model(os.path.join(out, name + ".json"))
    _save_h5(os.path.join(out, name + "_train.h5"), names, X, y)


def cmd_train(a):
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(11)
    names = ["a", "b", "n,1", "d", "e", "f", "g", "h"]
    X = _numeric(rng, 2000, 8)
    Z = np.nan_to_num(X)
    score = Z[:, 0] * 1.5 - Z[:, 1] + np.sin(2 * Z[:, 2]) + 0.5 * Z[:, 3] * Z[:, 4] + Z[:, 5]
    score = score + (np.isnan(X[:, 6]) * 0.7).astype(np.float32)
    _fit(a.outdir, "xreg", names, X, score.astype(np.float32),
         {"objective": "reg:squarederror", "max_depth": 5, "eta": 0.3}, 20)
    _fit(a.outdir, "xbin", names, X, (score > 0.2).astype(np.float32),
         {"objective": "binary:logistic", "max_depth": 5, "eta": 0.3, "base_score": 0.3}, 20)
    _fit(a.outdir, "xmulti", names, X, np.digitize(score, [-1.0, 0.0, 1.0]).astype(np.float32),
         {"objective": "multi:softprob", "num_class": 4, "max_depth": 4, "eta": 0.3}, 10)
    # y counts the leading features above -1: a chain of splits through every feature
    deep = ["f%d" % j for j in range(16)]
    Xd = rng.normal(size=(6000, 16)).astype(np.float32)
    yd = np.cumprod(Xd > -1, axis=1).sum(axis=1) + 0.1 * Xd[:, 0]
    Xd[rng.random(Xd.shape) < 0.02] = np.nan
    _fit(a.outdir, "xdeep", deep, Xd, yd.astype(np.float32),
         {"objective": "reg:squarederror", "max_depth": 16, "eta": 0.5,
          "min_child_weight": 0}, 3)
    if a.cat:
        for src, name, params in (
                ("catbin", "xcatbin", {"objective": "binary:logistic"}),
                ("catmc", "xcatmc", {"objective": "multi:softprob", "num_class": 3})):
            with h5py.File(os.path.join(a.cat, src + "_train.h5"), "r") as f:
                g = f["features"]
                cols = ["x1", "x2", "c3", "c20", "c500"]
                Xc = np.column_stack([g[c][:] for c in cols]).astype(np.float32)
                yc = g["label"][:].astype(np.float32)
            params.update({"max_depth": 5, "eta": 0.3, "max_cat_to_onehot": 4})
            _fit(a.outdir, name, cols, Xc, yc, params, 10,
                 {"feature_types": ["q", "q", "c", "c", "c"], "enable_categorical": True})
    return 0


# ---- an independent float64 reference ----

def _cat_right(cats, v):
    # xgboost's Decision: invalid (negative, >= 2^24) left; truncated value in the set: right
    out = np.zeros(v.shape, bool)
    ok = (v >= 0) & (v < 16777216.0)
    t = np.where(ok, v, 0).astype(np.int64)
    out[ok] = np.isin(t[ok], np.asarray(cats, np.int64))
    return out

def ref_contribs(path, X):
    """float64 SHAP values of the path-dependent expectation, by the per-leaf
    Shapley formula, vectorized over rows: (n, K, F+1) or (n, F+1)."""
    m = json.load(open(path))
    L = m["learner"]
    obj = L["objective"]["name"]
    base = float(L["learner_model_param"]["base_score"])
    K = int(L["learner_model_param"]["num_class"]) if obj == "multi:softprob" else 1
    bm = np.log(base / (1 - base)) if obj == "binary:logistic" else base
    n, F = X.shape
    out = np.zeros((n, K, F + 1))
    out[:, :, F] = bm
    gb = L["gradient_booster"]["model"]
    for ti, t in enumerate(gb["trees"]):
        g = gb["tree_info"][ti]
        left, right, feat = t["left_children"], t["right_children"], t["split_indices"]
        cond, dl, cov = t["split_conditions"], t["default_left"], t["sum_hessian"]
        st = t.get("split_type", [0] * len(left))
        cats = {}
        for k, nd in enumerate(t.get("categories_nodes", [])):
            b, s = t["categories_segments"][k], t["categories_sizes"][k]
            cats[nd] = t["categories"][b:b + s]
        hot = {}
        def hot_of(nd):
            if nd not in hot:
                x = X[:, feat[nd]].astype(np.float32)
                miss = np.isnan(x)
                if st[nd] == 1:
                    r = _cat_right(cats[nd], np.where(miss, 0, x))
                else:
                    r = ~(np.where(miss, 0, x) < np.float32(cond[nd]))
                goes_left = np.where(miss, bool(dl[nd]), ~r)
                hot[nd] = goes_left
            return hot[nd]
        def mean(nd):
            if left[nd] == -1:
                return cond[nd]
            return (mean(left[nd]) * cov[left[nd]] + mean(right[nd]) * cov[right[nd]]) / cov[nd]
        out[:, g, F] += mean(0)
        stack = [(0, [])]  # (node, [(feature, ratio, indicator)])
        while stack:
            nd, path = stack.pop()
            if left[nd] != -1:
                hl = hot_of(nd)
                for c, ind in ((left[nd], hl), (right[nd], ~hl)):
                    stack.append((c, path + [(feat[nd], cov[c] / cov[nd], ind)]))
                continue
            if not path:
                continue
            U, z, o = [], [], []
            for f, r, ind in path:
                if f in U:
                    k = U.index(f); z[k] *= r; o[k] = o[k] & ind
                else:
                    U.append(f); z.append(r); o.append(ind.copy())
            d = len(U)
            O = np.array(o, float)  # (d, n)
            Z = np.array(z)
            # P[i]: coefficients of prod_{j != i} (o_j t + z_j), shape (d, d, n)
            P = np.zeros((d, d, n)); P[:, 0, :] = 1.0
            for j in range(d):
                Q = P * Z[j]
                Q[:, 1:, :] += P[:, :-1, :] * O[j]
                Q[j] = P[j]
                P = Q
            w = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
                          for k in range(d)])
            S = np.einsum("k,ikn->in", w, P)
            phi = cond[nd] * (O - Z[:, None]) * S
            for i, f in enumerate(U):
                out[:, g, f] += phi[i]
    return out if K > 1 else out[:, 0, :]


# ---- checking ----

def _xgb(booster, data, group, model_path):
    feats = gc.model_features(booster)
    cols, is_int = gc.read_data(data, group)
    X = np.column_stack([cols[c].astype(np.float32) for c in feats]) if feats else \
        np.zeros((len(next(iter(cols.values()))), 0), np.float32)
    dm = xgb.DMatrix(X, feature_names=booster.feature_names, missing=np.nan)
    contribs = booster.predict(dm, pred_contribs=True)
    margin = booster.predict(dm, output_margin=True)
    return feats, cols, is_int, contribs, margin, ref_contribs(model_path, X)


def _names(feats, K):
    base = list(feats) + ["bias"]
    if K == 0:
        return base
    return ["class_%d:%s" % (k, n) for k in range(K) for n in base]


def _note(kind, err, where):
    if err > WORST[kind]:
        WORST[kind] = err
        if kind == "value":
            WORST["where"] = where


def _compare(got, want, margin, what, errors, floor, ref):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        errors.append("%s: shape %s, want %s" % (what, got.shape, want.shape))
        return
    if not got.size:
        return
    M = max(float(np.abs(margin).max()) if margin.size else 0.0, 1e-30)
    rel = np.abs(got - want) / np.maximum(np.abs(want), floor * M)
    _note("value", float(rel.max()), what)
    _note("abs", float(np.abs(got - want).max()) / M, what)
    bad = rel > REL_TOL
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        errors.append("%s: %d values differ from xgboost's, first at %s: %r vs %r" % (
            what, int(bad.sum()), i, got[i], want[i]))
    # xgboost's own float32 error: against the reference, its rows against its margins
    _note("xgb_ref", float(np.abs(want - ref).max()) / M, what)
    _note("xgb_sum", float(np.abs(want.sum(axis=-1) - np.asarray(margin, np.float64).reshape(
        want.shape[:-1])).max()) / M, what)
    rr = np.abs(got - ref) / np.maximum(np.abs(ref), REF_FLOOR * M)
    _note("ref", float(rr.max()), what)
    if (rr > REF_TOL).any():
        i = tuple(np.argwhere(rr > REF_TOL)[0])
        errors.append("%s: %d values differ from the float64 reference, first at %s: %r vs %r"
                      % (what, int((rr > REF_TOL).sum()), i, got[i], ref[i]))
    # each row's values (of a class) add up to xgboost's margin
    sums = got.sum(axis=-1)
    m = np.asarray(margin, np.float64).reshape(sums.shape)
    rs = np.abs(sums - m) / np.maximum(np.abs(m), FLOOR * M)
    _note("sum", float(rs.max()), what)
    if (rs > REL_TOL).any():
        i = tuple(np.argwhere(rs > REL_TOL)[0])
        errors.append("%s: row sum %r, margin %r at %s" % (what, sums[i], m[i], i))


def _check_kept(rows, keep, cols, is_int, errors):
    for j, name in enumerate(keep):
        for i, r in enumerate(rows):
            v, s = cols[name][i], r[j]
            if math.isnan(v):
                good = s == ""
            elif is_int[name]:
                good = s == str(int(v))
            else:
                good = s != "" and float(s) == v
            if not good:
                errors.append("kept %s row %d: %r, want %r" % (name, i, s, v))
                break


def _check_csv(a, feats, K, cols, is_int, want, margin, errors):
    keep = a.keep.split(",") if a.keep else []
    with open(a.out, newline="") as f:
        text = f.read()
    if "\r" in text or not text.endswith("\n"):
        errors.append("CSV lines must end in LF only")
    rows = list(csv.reader(text.splitlines(), delimiter=","))
    header, rows = rows[0], rows[1:]
    if header != keep + _names(feats, K):
        errors.append("header %r, want %r" % (header[:12], (keep + _names(feats, K))[:12]))
    if len(rows) != len(want):
        errors.append("%d rows, want %d" % (len(rows), len(want)))
        return None
    got = np.array([[float(s) for s in r[len(keep):]] for r in rows]).reshape(want.shape)
    _compare(got, want, margin, a.out, errors, a.xgb_floor, a.ref)
    _check_kept(rows, keep, cols, is_int, errors)
    return got


def _check_h5(a, feats, K, cols, is_int, want, margin, errors):
    keep = a.keep.split(",") if a.keep else []
    with h5py.File(a.out, "r") as f:
        if "predictions" in f:
            errors.append("/predictions written with --contribs")
        d = f["contribs"]
        if d.dtype != np.float32:
            errors.append("contribs dtype %s" % d.dtype)
        got = d[:]
        _compare(got, want, margin, a.out, errors, a.xgb_floor, a.ref)
        attr = [s.decode() if isinstance(s, bytes) else s for s in f.attrs["columns"]]
        if attr != keep + ["contribs"]:
            errors.append("columns attribute %r" % attr)
        names = [s.decode() if isinstance(s, bytes) else s for s in f.attrs["contrib_names"]]
        if names != list(feats) + ["bias"]:
            errors.append("contrib_names attribute %r" % names[:10])
        if f.attrs["output"] != "contribs":
            errors.append("output attribute %r" % f.attrs["output"])
        for name in keep:
            v = cols[name]
            as_int = is_int[name] and not np.isnan(v).any()
            if f[name].dtype != (np.int64 if as_int else np.float64):
                errors.append("%s dtype %s" % (name, f[name].dtype))
            elif not np.array_equal(f[name][:].astype(np.float64), v, equal_nan=True):
                errors.append("kept column %s differs" % name)
    return got


def _check_summary(path, feats, K, want, ours, errors):
    """path against xgboost's mean |SHAP| (want) and OUT's own (ours, or None)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head = ["class", "feature", "mean_abs_shap"] if K else ["feature", "mean_abs_shap"]
    if rows[0] != head:
        errors.append("summary header %r, want %r" % (rows[0], head))
        return
    rows = rows[1:]
    w = np.abs(np.asarray(want, np.float64)).mean(axis=0).reshape(max(K, 1), -1)
    o = None if ours is None else \
        np.abs(np.asarray(ours, np.float32).astype(np.float64)).mean(axis=0).reshape(
            max(K, 1), -1)
    if len(rows) != max(K, 1) * len(feats):
        errors.append("summary: %d rows, want %d" % (len(rows), max(K, 1) * len(feats)))
        return
    scale = FLOOR * float(w.max()) if w.size else 1.0
    for k in range(max(K, 1)):
        part = rows[k * len(feats):(k + 1) * len(feats)]
        if K and any(r[0] != str(k) for r in part):
            errors.append("summary: class column of class %d" % k)
        names = [r[-2] for r in part]
        vals = [float(r[-1]) for r in part]
        if sorted(names) != sorted(feats):
            errors.append("summary: features %r" % names)
            return
        if any(vals[i] < vals[i + 1] for i in range(len(vals) - 1)):
            errors.append("summary: class %d not sorted by importance: %r" % (k, vals))
        for n, v in zip(names, vals):
            j = feats.index(n)
            err = abs(v - w[k, j]) / max(w[k, j], scale, 1e-30)
            _note("summary", err, path)
            if err > REL_TOL:
                errors.append("summary %s (class %d): %r, xgboost's mean |SHAP| %r" % (
                    n, k, v, w[k, j]))
            if o is not None and abs(v - o[k, j]) > 1e-12 * max(o[k, j], 1e-30):
                errors.append("summary %s (class %d): %r, OUT's mean |value| %r" % (
                    n, k, v, o[k, j]))


def cmd_check(a):
    booster = xgb.Booster(model_file=a.model)
    feats, cols, is_int, want, margin, a.ref = _xgb(booster, a.data, a.group, a.model)
    K = want.shape[1] if want.ndim == 3 else 0
    errors = []
    got = None
    if a.no_contribs:
        a.margin = False
        if gc.cmd_check(a) != 0:
            errors.append("predictions differ from xgboost's")
    elif not os.path.exists(a.out):
        errors.append("%s does not exist" % a.out)
    elif a.out.endswith(".csv"):
        got = _check_csv(a, feats, K, cols, is_int, want, margin, errors)
    else:
        got = _check_h5(a, feats, K, cols, is_int, want, margin, errors)
    if a.summary:
        if not os.path.exists(a.summary):
            errors.append("%s does not exist" % a.summary)
        else:
            _check_summary(a.summary, feats, K, want, got, errors)
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
    print("# largest errors: vs xgboost pred_contribs %.3g of the bound's scale (at %s; "
          "absolute %.3g x max |margin|), vs the float64 reference %.3g, row sums vs "
          "xgboost's margins %.3g, summary vs xgboost's mean |SHAP| %.3g; xgboost's own: "
          "vs the reference %.3g x max |margin|, its row sums vs its margins %.3g x max |margin|"
          % (WORST["value"], os.path.basename(WORST["where"]), WORST["abs"], WORST["ref"],
             WORST["sum"], WORST["summary"], WORST["xgb_ref"], WORST["xgb_sum"]))
    if a.log:
        with open(a.log, "a") as f:
            f.write("%.3g %.3g %.3g %.3g %.3g\n" % (WORST["value"], WORST["abs"], WORST["ref"],
                                                   WORST["sum"], WORST["summary"]))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("outdir")
    t.add_argument("--cat")
    d = sub.add_parser("data")
    d.add_argument("pairs", nargs="+")
    d.add_argument("--rows", type=int, default=500)
    d.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("model")
    c.add_argument("data")
    c.add_argument("out")
    c.add_argument("--keep", default="")
    c.add_argument("--group", default="/features")
    c.add_argument("--summary")
    c.add_argument("--no-contribs", action="store_true")
    c.add_argument("--xgb-floor", type=float, default=FLOOR)
    b = sub.add_parser("batch")
    b.add_argument("file")
    b.add_argument("--log")
    a = ap.parse_args()
    if a.cmd == "train":
        return cmd_train(a)
    if a.cmd == "data":
        if len(a.pairs) % 2:
            ap.error("data needs MODEL PREFIX pairs")
        for i in range(0, len(a.pairs), 2):
            a.model, a.prefix = a.pairs[i], a.pairs[i + 1]
            gc.cmd_data(a)
        return 0
    if a.cmd == "batch":
        return cmd_batch(a, c)
    return cmd_check(a)


if __name__ == "__main__":
    sys.exit(main())
