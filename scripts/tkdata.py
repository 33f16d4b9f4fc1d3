"""tkdata -- the toolkit's files from Python: HDF5 tables written by logjoin,
predictions written by gbpredict, eval logs and importance written by gbtrain.

Used by the demo (scripts/demo) and by every notebook:

    import sys; sys.path.insert(0, "../scripts")
    import tkdata
    df = tkdata.read_table("../data/demo/features/features.h5")

Run with Debian's /usr/bin/python3 (h5py, pandas, numpy).
"""
import os

# the MPI jobs may hold the file open; HDF5's file locking would refuse us
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import json  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _names(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_table(path, group="/features"):
    """An HDF5 table (one 1-D dataset per column) as a DataFrame, columns in
    the order of the group's 'columns' attribute when it has one."""
    with h5py.File(path, "r") as f:
        g = f[group]
        cols = _names(g.attrs["columns"]) if "columns" in g.attrs else sorted(g.keys())
        return pd.DataFrame({c: g[c][:] for c in cols})


def table_attrs(path, group="/features"):
    """The group's attributes (input paths, counts, version...) as a dict."""
    with h5py.File(path, "r") as f:
        out = {}
        for k, v in f[group].attrs.items():
            if isinstance(v, bytes):
                v = v.decode()
            elif isinstance(v, np.ndarray):
                v = _names(v) if v.dtype.kind in "OSU" else v.tolist()
            elif isinstance(v, np.generic):
                v = v.item()
            out[k] = v
        return out


def write_table(df, path, group="/features"):
    """Writes df as an HDF5 table in logjoin's layout, atomically (a temporary
    sibling renamed into place)."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        with h5py.File(tmp, "w") as f:
            g = f.create_group(group)
            for c in df.columns:
                g.create_dataset(c, data=df[c].to_numpy())
            g.attrs["columns"] = list(df.columns)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def split_table(src, train_path, valid_path, valid_fraction=0.2, key="userId", seed=0):
    """Splits an HDF5 table into train/valid files by a hash of the key column
    (deterministic: a user is always on the same side). Returns the row counts."""
    df = read_table(src)
    h = pd.util.hash_array(df[key].to_numpy(), hash_key="%016d" % seed)
    valid = (h % 1000) < int(valid_fraction * 1000)
    write_table(df[~valid].reset_index(drop=True), train_path)
    write_table(df[valid].reset_index(drop=True), valid_path)
    return int((~valid).sum()), int(valid.sum())


def read_predictions(path):
    """gbpredict's output (.csv or .h5) as a DataFrame."""
    if path.endswith(".csv"):
        return pd.read_csv(path)
    with h5py.File(path, "r") as f:
        p = f["predictions"][:]
        out = {k: f[k][:] for k in f.keys() if k != "predictions"}
    if p.ndim == 1:
        out["prediction"] = p
    else:
        for k in range(p.shape[1]):
            out["class_%d" % k] = p[:, k]
    return pd.DataFrame(out)


def read_eval_log(path):
    """gbtrain's --eval-log CSV: round, train-METRIC..., valid-METRIC... (one
    column per --eval-metric and data set)."""
    return pd.read_csv(path)


def read_cv(model_path):
    """gbtrain --cv-folds' MODEL.cv.csv: round, then per metric
    train-M-mean, train-M-std, test-M-mean, test-M-std (xgboost.cv's columns)."""
    return pd.read_csv(model_path + ".cv.csv")


def read_importance(model_path):
    """gbtrain's MODEL.importance.csv, sorted by total gain."""
    return pd.read_csv(model_path + ".importance.csv")


def read_model_json(model_path):
    """The model's JSON (XGBoost 1.7 format) as a dict."""
    with open(model_path) as f:
        return json.load(f)


def roc_points(y, p):
    """(fpr, tpr, auc) of scores p against 0/1 labels y, ties handled."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="mergesort")
    y, p = y[order], p[order]
    distinct = np.r_[np.where(np.diff(p))[0], len(p) - 1]
    tps = np.cumsum(y)[distinct]
    fps = (distinct + 1) - tps
    tpr = np.r_[0, tps / max(tps[-1], 1)]
    fpr = np.r_[0, fps / max(fps[-1], 1)]
    return fpr, tpr, float(np.trapz(tpr, fpr))
