#!/usr/bin/python3
"""Small synthetic data sets with categorical columns for the gbtrain
categorical tests (tests/integration/test_gbtrain_cat.sh), as HDF5 and CSV.

Usage: /usr/bin/python3 tests/data/make_cat.py OUTDIR

Writes OUTDIR/NAME_train.{h5,csv} and OUTDIR/NAME_test.{h5,csv} for

  catbin   binary, label `label` (3000 / 1000 rows)
  catreg   regression, label `target` (3000 / 1000 rows)
  catmc    3 classes, label `label` 0..2 (3000 / 1000 rows)
           columns of all three: x1 (101 values 0.00..1.00, 5% NaN), x2 (121
           values -3.00..3.00 step 0.05), c3 (0..2, 3% NaN), c20 (0..19, 3%
           NaN), c500 (0..499, 2% NaN). Every category 0..K-1 of c3, c20 and
           c500 occurs in TRAIN (dense codes, so gbtrain's bins 0..max and
           xgboost's agree), every numeric column has < 255 distinct values
           (every value its own bin in both tools). Each category has a
           random effect (no order), the label depends on all five columns.
  catgap   binary, label `label` (3000 / 1000 rows): categories with gaps
           (x1 without NaN).
           TRAIN's c20 takes the even values 0..38 but 6 and 14 (max 38);
           c500 takes 300 random values of 0..999. TEST holds categories
           never seen in training (6, 14, odd values, other c500 values),
           negative values (-1, -7), values above the largest category
           (39, 41, 1000, 4096, 65533, 70000) and NaN.
  catodd   TEST only (catodd_test): catgap's columns with non-integer (2.5,
           7.9) and huge (2^24, 3e7) category values, for prediction.
  catq     binary, label `label` (20000 / 20000 rows): x1, x2, c20 and a
           500-category column c500 that carries most of the signal.
  catauto  binary, label `label` (3000 rows, TRAIN only) for --categorical
           auto: see AUTO below for what each column is.

HDF5: group /features, one 1-D dataset per column, order in attribute
`columns`; float64 for columns with NaN or fractions, int32 / int64 where the
column says so (AUTO). CSV: ',' delimiter, header, missing as empty fields.
Deterministic (fixed seeds).
"""
import os
import sys

import h5py
import numpy as np
import pandas as pd

N_TRAIN, N_TEST = 3000, 1000

# catauto's columns: name -> (expected categorical under --categorical auto
# with the default --max-cat 64 at any np, description)
AUTO = {
    'a_c3nan': (True, 'integers 0..2 with NaN (float64)'),
    'a_c20int': (True, 'integers 0..19, an int32 dataset'),
    'a_c64': (True, 'exactly 64 distinct integers 0..63'),
    'a_c65': (False, '65 distinct integers 0..64'),
    'a_split90': (False, '90 distinct integers overall; rows in thirds 0..29, 30..59, 60..89, '
                         'so at most 45 on a rank for np >= 2'),
    'a_c500': (False, '500 distinct integers (above --max-cat 64)'),
    'a_neg': (False, 'integers -2..5 (a negative value)'),
    'a_big': (False, 'integers 0, 1, 70000 (above 65533)'),
    'a_frac': (False, 'values k/2 (fractions)'),
    'a_x': (False, 'continuous floats'),
    'a_max': (True, 'integers 0..3 and 65533 (the largest category allowed)'),
}


def write(df, stem, int_cols=()):
    df.to_csv(stem + '.csv', index=False, sep=',', na_rep='', lineterminator='\n')
    with h5py.File(stem + '.h5', 'w') as f:
        g = f.create_group('features')
        for c in df.columns:
            v = df[c].to_numpy()
            if c in int_cols:
                v = v.astype(int_cols[c])
            else:
                v = v.astype(np.float64)
            g.create_dataset(c, data=v)
        g.attrs['columns'] = np.array(list(df.columns), dtype=h5py.string_dtype())


def dense_codes(rs, n, k, nan_rate):
    """n codes in 0..k-1, every code among the first k rows (shuffled in), NaN at nan_rate
    (never in the first k rows, so every code stays)."""
    v = rs.randint(0, k, n).astype(np.float64)
    v[:k] = rs.permutation(k)
    miss = rs.rand(n) < nan_rate
    miss[:k] = False
    v[miss] = np.nan
    return v


def effects(rs, k, scale):
    return rs.randn(k) * scale


def eff(table, codes):
    out = np.zeros(len(codes))
    ok = ~np.isnan(codes)
    idx = codes[ok].astype(int)
    inr = idx < len(table)
    tmp = np.zeros(ok.sum())
    tmp[inr] = table[idx[inr]]
    out[ok] = tmp
    return out


def numeric(rs, n, nan=False):
    x1 = np.round(rs.rand(n) * 100) / 100
    miss = rs.rand(n) < 0.05
    if nan:
        x1[miss] = np.nan
    x2 = np.clip(np.round(rs.randn(n) * 20) / 20, -3, 3)
    return x1, x2


def base_frame(rs, n, dense, nan=True):
    x1, x2 = numeric(rs, n, nan)
    if dense:
        c3 = dense_codes(rs, n, 3, 0.03)
        c20 = dense_codes(rs, n, 20, 0.03)
        c500 = dense_codes(rs, n, 500, 0.02)
    else:
        c3 = rs.randint(0, 3, n).astype(np.float64)
        c20 = rs.randint(0, 20, n).astype(np.float64)
        c500 = rs.randint(0, 500, n).astype(np.float64)
        for c, r in ((c3, 0.03), (c20, 0.03), (c500, 0.02)):
            c[rs.rand(n) < r] = np.nan
    return pd.DataFrame({'x1': x1, 'x2': x2, 'c3': c3, 'c20': c20, 'c500': c500})


def latent(df, e3, e20, e500):
    x1 = np.nan_to_num(df.x1.to_numpy(), nan=0.5)
    return (1.2 * (x1 > 0.5) - 0.4 * df.x2.to_numpy() + eff(e3, df.c3.to_numpy())
            + eff(e20, df.c20.to_numpy()) + eff(e500, df.c500.to_numpy()))


def make_dense_sets(out):
    rs = np.random.RandomState(101)
    e3, e20, e500 = effects(rs, 3, 1.0), effects(rs, 20, 1.0), effects(rs, 500, 1.2)
    for name in ('catbin', 'catreg'):
        tr, te = base_frame(rs, N_TRAIN, True), base_frame(rs, N_TEST, False)
        for df in (tr, te):
            z = latent(df, e3, e20, e500)
            if name == 'catbin':
                df['label'] = (rs.rand(len(df)) < 1 / (1 + np.exp(-z))).astype(np.int64)
            else:
                df['target'] = z + 0.5 * rs.randn(len(df))
        lab = {'label': np.int64} if name == 'catbin' else {}
        write(tr, os.path.join(out, name + '_train'), lab)
        write(te, os.path.join(out, name + '_test'), lab)
    # 3 classes: one latent per class, its own category effects
    ks = [(effects(rs, 3, 1.0), effects(rs, 20, 1.0), effects(rs, 500, 1.0)) for _ in range(3)]
    tr, te = base_frame(rs, N_TRAIN, True), base_frame(rs, N_TEST, False)
    for df in (tr, te):
        z = np.stack([latent(df, *k) * (0.5 + 0.5 * j) for j, k in enumerate(ks)], axis=1)
        z += rs.gumbel(size=z.shape)
        df['label'] = np.argmax(z, axis=1).astype(np.int64)
    write(tr, os.path.join(out, 'catmc_train'), {'label': np.int64})
    write(te, os.path.join(out, 'catmc_test'), {'label': np.int64})


def make_gap_sets(out):
    rs = np.random.RandomState(202)
    c20_train = np.array([v for v in range(0, 39, 2) if v not in (6, 14)], dtype=np.float64)
    c500_train = np.sort(rs.choice(1000, 300, replace=False)).astype(np.float64)
    e20 = dict(zip(c20_train, rs.randn(len(c20_train))))
    e500 = dict(zip(c500_train, rs.randn(len(c500_train)) * 1.2))

    def frame(n, test):
        x1, x2 = numeric(rs, n)
        c3 = rs.randint(0, 3, n).astype(np.float64)
        c20 = rs.choice(c20_train, n)
        c500 = rs.choice(c500_train, n)
        if not test:
            c20[:len(c20_train)] = c20_train
            c500[:len(c500_train)] = c500_train
        else:
            odd20 = np.array([6, 14, 1, 3, 19, 37, 39, 41, 1000, 65533, 70000, -1, -7], dtype=np.float64)
            odd500 = np.concatenate([rs.choice(np.setdiff1d(np.arange(1000), c500_train), 20),
                                     [1000, 1001, 4096, 65533, 70000, -1, -7]]).astype(np.float64)
            m = rs.rand(n) < 0.15
            c20[m] = rs.choice(odd20, m.sum())
            m = rs.rand(n) < 0.15
            c500[m] = rs.choice(odd500, m.sum())
            m = rs.rand(n) < 0.06
            c3[m] = rs.choice([-1.0, 3.0, 5.0], m.sum())
        for c in (c3, c20, c500):
            c[rs.rand(n) < 0.04] = np.nan
        df = pd.DataFrame({'x1': x1, 'x2': x2, 'c3': c3, 'c20': c20, 'c500': c500})
        z = (1.2 * (np.nan_to_num(x1, nan=0.5) > 0.5) - 0.4 * x2 + 0.8 * (c3 == 1)
             + np.array([e20.get(v, 0.0) for v in c20]) + np.array([e500.get(v, 0.0) for v in c500]))
        df['label'] = (rs.rand(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
        return df

    write(frame(N_TRAIN, False), os.path.join(out, 'catgap_train'), {'label': np.int64})
    te = frame(N_TEST, True)
    write(te, os.path.join(out, 'catgap_test'), {'label': np.int64})
    odd = te.copy()
    r = np.arange(len(odd))
    odd.loc[r % 7 == 0, 'c20'] = 2.5
    odd.loc[r % 11 == 0, 'c500'] = 7.9
    odd.loc[r % 13 == 0, 'c20'] = 2.0 ** 24
    odd.loc[r % 17 == 0, 'c500'] = 3e7
    write(odd, os.path.join(out, 'catodd_test'), {'label': np.int64})


def make_quality_set(out):
    rs = np.random.RandomState(303)
    e20, e500 = effects(rs, 20, 0.6), effects(rs, 500, 1.5)
    for part, n in (('train', 20000), ('test', 20000)):
        x1, x2 = numeric(rs, n, nan=True)
        c20 = rs.randint(0, 20, n).astype(np.float64)
        c500 = rs.randint(0, 500, n).astype(np.float64)
        c500[rs.rand(n) < 0.02] = np.nan
        df = pd.DataFrame({'x1': x1, 'x2': x2, 'c20': c20, 'c500': c500})
        z = (0.8 * (np.nan_to_num(x1, nan=0.5) > 0.5) - 0.3 * x2 + eff(e20, c20) + eff(e500, c500))
        df['label'] = (rs.rand(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
        write(df, os.path.join(out, 'catq_' + part), {'label': np.int64})


def make_auto_set(out):
    rs = np.random.RandomState(404)
    n = N_TRAIN
    cols = {}
    c = rs.randint(0, 3, n).astype(np.float64); c[rs.rand(n) < 0.05] = np.nan
    cols['a_c3nan'] = c
    cols['a_c20int'] = rs.randint(0, 20, n)
    cols['a_c64'] = np.concatenate([np.arange(64), rs.randint(0, 64, n - 64)])
    cols['a_c65'] = np.concatenate([np.arange(65), rs.randint(0, 65, n - 65)])
    t = n // 3
    cols['a_split90'] = np.concatenate([rs.randint(0, 30, t), rs.randint(30, 60, t),
                                        rs.randint(60, 90, n - 2 * t)])
    for k in range(3):
        cols['a_split90'][k * t:k * t + 30] = np.arange(30 * k, 30 * k + 30)
    cols['a_c500'] = np.concatenate([np.arange(500), rs.randint(0, 500, n - 500)])
    cols['a_neg'] = rs.randint(-2, 6, n)
    cols['a_neg'][0] = -2
    cols['a_big'] = rs.choice([0, 1, 70000], n)
    cols['a_frac'] = rs.randint(0, 10, n) / 2.0
    cols['a_x'] = rs.randn(n)
    cols['a_max'] = rs.choice([0, 1, 2, 3, 65533], n)
    df = pd.DataFrame(cols)
    z = (0.5 * np.nan_to_num(df.a_c3nan) - 0.05 * df.a_c20int + 0.02 * df.a_c64 + df.a_x
         + 0.3 * (df.a_split90 % 3 == 0) + 0.5 * (df.a_max > 2))
    df['label'] = (rs.rand(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
    df['userId'] = np.arange(1, n + 1, dtype=np.int64) * 7
    ints = {'a_c20int': np.int32, 'a_c64': np.int64, 'a_c65': np.int64, 'a_split90': np.int32,
            'a_c500': np.int64, 'a_neg': np.int32, 'a_big': np.int64, 'a_max': np.int32,
            'label': np.int64, 'userId': np.int64}
    assert set(AUTO) == set(df.columns) - {'label', 'userId'}
    write(df, os.path.join(out, 'catauto_train'), ints)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 64
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    make_dense_sets(out)
    make_gap_sets(out)
    make_quality_set(out)
    make_auto_set(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
