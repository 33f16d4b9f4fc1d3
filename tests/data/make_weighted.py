#!/usr/bin/python3
"""Data sets with a per-row weight column `w` for the gbtrain weight tests
(tests/integration/test_gbtrain_weight.sh), as HDF5 (and CSV where noted).

Usage: /usr/bin/python3 tests/data/make_weighted.py OUTDIR

Writes OUTDIR/NAME_train.h5 and OUTDIR/NAME_test.h5 (the same columns, `w`
in both) for

  wcancer   sklearn breast cancer (make_sklearn.py's split), label `target`,
            w = 1 + 4 * target                         (426 / 143 rows, + CSV)
  wcancer2  the same rows, w uniform in [0.1, 10]
  wdiab     sklearn diabetes, label `target`, w uniform in [0.1, 10] (331 / 111)
  wwine     sklearn wine, label `target` 0..2, w uniform in [0.5, 5] (133 / 45)
  wsynth    make_classification, label `label`, 16 continuous features f0..f15
            (5% NaN in f1, f6), w lognormal(0, 1.5): skewed  (10000 / 10000)
  wgrid     as wsynth (NaN too) but every feature rounded to at most 200
            distinct values (cuts agree with xgboost's), w lognormal(0, 1.5)
            (4000 / 4000)
  wes       early stopping: TRAIN w = 1; TEST holds clean rows (w = 1) and 25%
            rows whose label is a coin flip with w = 3, so the weighted
            validation logloss is best far earlier than the unweighted one.
            Also wes_test_noweight.h5: TEST without `w`.  (4000 / 4000)
  wrep      integer weights = repeated rows. Features with at most 40 distinct
            values each (one with NaN), labels `label` (binary) and `target`
            (regression), w in 1..4 (2000 rows): wrep_train.h5, and
            wrep_rep.h5 with each row repeated w times and no `w` column;
            wrep0_train.h5 / wrep0_rep.h5: w in 0..4, the zero-weight rows
            left out of the repeated file (every feature value still occurs
            in a row of positive weight); wrepc_train.h5 / wrepc_rep.h5:
            continuous features (about 2000 distinct values each, so the cuts
            are quantiles), w in 1..4. wrep_test.h5: rows to predict.

Feature values are float32 numbers (stored as float64 for the sklearn sets,
float32 otherwise); labels int64 for classification, float64 for regression;
`w` float64. Deterministic.
"""
import os
import sys

import h5py
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_sklearn import frame  # noqa: E402


def write(df, path, feat_dtype=np.float64, ints=('label',), csv=False):
    with h5py.File(path, 'w') as f:
        g = f.create_group('features')
        for c in df.columns:
            v = df[c].to_numpy()
            if c in ints or (c == 'target' and np.issubdtype(v.dtype, np.integer)):
                v = v.astype(np.int64)
            elif c in ('w', 'target'):
                v = v.astype(np.float64)
            else:
                v = v.astype(feat_dtype)
            g.create_dataset(c, data=v)
        g.attrs['columns'] = np.array(list(df.columns), dtype=h5py.string_dtype())
    if csv:
        df.to_csv(path[:-3] + '.csv', index=False, na_rep='', lineterminator='\n')


def sk_split(df, label, stratify):
    tr, te = train_test_split(df, test_size=0.25, random_state=42,
                              stratify=df[label] if stratify else None)
    return tr.reset_index(drop=True), te.reset_index(drop=True)


def sklearn_sets(out):
    rs = np.random.RandomState(5)
    d = load_breast_cancer()
    tr, te = sk_split(frame(d.data, d.target, d.feature_names, 'target', True), 'target', True)
    for df in (tr, te):
        df['w'] = 1.0 + 4.0 * df['target']
    write(tr, out + '/wcancer_train.h5', csv=True)
    write(te, out + '/wcancer_test.h5', csv=True)
    for df in (tr, te):
        df['w'] = rs.uniform(0.1, 10, len(df))
    write(tr, out + '/wcancer2_train.h5')
    write(te, out + '/wcancer2_test.h5')
    d = load_diabetes()
    tr, te = sk_split(frame(d.data, d.target, d.feature_names, 'target', False), 'target', False)
    for df in (tr, te):
        df['w'] = rs.uniform(0.1, 10, len(df))
    write(tr, out + '/wdiab_train.h5')
    write(te, out + '/wdiab_test.h5')
    d = load_wine()
    tr, te = sk_split(frame(d.data, d.target, d.feature_names, 'target', True), 'target', True)
    for df in (tr, te):
        df['w'] = rs.uniform(0.5, 5, len(df))
    write(tr, out + '/wwine_train.h5')
    write(te, out + '/wwine_test.h5')


def synth(n, seed, nan_cols=(1, 6)):
    X, y = make_classification(n_samples=n, n_features=16, n_informative=10, n_redundant=2,
                               flip_y=0.03, class_sep=0.7, random_state=seed)
    rs = np.random.RandomState(seed + 1)
    X = X.astype(np.float32)
    for j in nan_cols:
        X[rs.rand(n) < 0.05, j] = np.nan
    return X, y, rs


def to_frame(X, y, w=None, label='label'):
    df = pd.DataFrame({'f%d' % j: X[:, j] for j in range(X.shape[1])})
    df[label] = y
    if w is not None:
        df['w'] = w
    return df


def synth_sets(out):
    X, y, rs = synth(20000, 17)
    w = rs.lognormal(0.0, 1.5, len(y))
    df = to_frame(X, y, w)
    write(df.iloc[:10000].reset_index(drop=True), out + '/wsynth_train.h5', np.float32)
    write(df.iloc[10000:].reset_index(drop=True), out + '/wsynth_test.h5', np.float32)
    X, y, rs = synth(8000, 23)
    for j in range(X.shape[1]):  # at most 200 distinct values per feature
        col = X[:, j]
        lo, hi = np.nanmin(col), np.nanmax(col)
        X[:, j] = (lo + np.round((col - lo) / (hi - lo) * 199) * (hi - lo) / 199).astype(np.float32)
    w = rs.lognormal(0.0, 1.5, len(y))
    df = to_frame(X, y, w)
    write(df.iloc[:4000].reset_index(drop=True), out + '/wgrid_train.h5', np.float32)
    write(df.iloc[4000:].reset_index(drop=True), out + '/wgrid_test.h5', np.float32)


def es_sets(out):
    X, y, rs = synth(8000, 29, nan_cols=())
    for j in range(X.shape[1]):  # grid values: cuts agree with xgboost's
        col = X[:, j]
        lo, hi = col.min(), col.max()
        X[:, j] = (lo + np.round((col - lo) / (hi - lo) * 149) * (hi - lo) / 149).astype(np.float32)
    tr = to_frame(X[:4000], y[:4000], np.ones(4000))
    yv = y[4000:].copy()
    noisy = rs.rand(4000) < 0.25
    yv[noisy] = rs.randint(0, 2, noisy.sum())
    te = to_frame(X[4000:], yv, np.where(noisy, 3.0, 1.0))
    write(tr, out + '/wes_train.h5', np.float32)
    write(te, out + '/wes_test.h5', np.float32)
    write(te.drop(columns=['w']), out + '/wes_test_noweight.h5', np.float32)


def rep_sets(out):
    rs = np.random.RandomState(31)
    n = 2000

    def grid_features(n):
        cols = {}
        for j in range(6):
            k = 10 + 6 * j  # 10..40 distinct values
            cols['g%d' % j] = (rs.randint(0, k, n) * 0.25 - 1.0).astype(np.float32)
        cols['g1'][rs.rand(n) < 0.05] = np.nan
        return pd.DataFrame(cols)

    def labels(df):
        z = (np.nan_to_num(df.g1.to_numpy(), nan=1.0) - 0.5 * df.g0 + 0.3 * df.g2 * df.g3
             + 0.2 * df.g4 + rs.randn(len(df)) * 0.8)
        df['label'] = (z > 0).astype(np.int64)
        df['target'] = (z * 3 + df.g5).astype(np.float64)
        return df

    def repeated(df):
        w = df['w'].to_numpy().astype(int)
        assert np.all(w == df['w'].to_numpy())
        return df.loc[np.repeat(np.arange(len(df)), w)].drop(columns=['w']).reset_index(drop=True)

    tr = labels(grid_features(n))
    tr['w'] = rs.randint(1, 5, n).astype(np.float64)
    write(tr, out + '/wrep_train.h5', np.float32)
    write(repeated(tr), out + '/wrep_rep.h5', np.float32)
    te = labels(grid_features(1000))
    write(te, out + '/wrep_test.h5', np.float32)
    # zero weights: the rows of weight 0 are left out of the repeated file;
    # every value of a feature still occurs among the rows of positive weight
    tr0 = tr.copy()
    tr0['w'] = rs.randint(0, 5, n).astype(np.float64)
    pos = tr0[tr0.w > 0]
    for c in [c for c in tr0.columns if c.startswith('g')]:
        assert set(pos[c].dropna()) == set(tr0[c].dropna()), c
    write(tr0, out + '/wrep0_train.h5', np.float32)
    write(repeated(tr0), out + '/wrep0_rep.h5', np.float32)
    # continuous features: the cuts are weighted quantiles
    trc = tr.copy()
    for c in [c for c in trc.columns if c.startswith('g')]:
        v = trc[c].to_numpy()
        trc[c] = np.where(np.isnan(v), np.nan, v + rs.rand(n) * 0.2).astype(np.float32)
    trc['w'] = rs.randint(1, 5, n).astype(np.float64)
    write(trc, out + '/wrepc_train.h5', np.float32)
    write(repeated(trc), out + '/wrepc_rep.h5', np.float32)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 64
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    sklearn_sets(out)
    synth_sets(out)
    es_sets(out)
    rep_sets(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
