#!/usr/bin/python3
"""gbtrain_cv_check.py -- the Python side of tests/integration/test_gbtrain_cv.sh
(xgboost 1.7's xgboost.cv, h5py, pandas), run with Debian's /usr/bin/python3 as

  gbtrain_cv_check.py COMMAND ARGS...

  folds SRC OUTSTEM K SEED     SRC (HDF5 or CSV) with a column `fold` (a
                               shuffled K-fold split: seeded permutation, K
                               nearly equal parts) and an int64 key `id`
                               (2^60 + 3i + 1) -> OUTSTEM.h5, OUTSTEM.csv
  cv DATA LABEL OBJ CVCSV METRICS ESR key=value...
                               xgboost.cv on DATA with the folds of its `fold`
                               column, the same parameters (rounds=N for the
                               rounds), METRICS a comma list, ESR the early
                               stopping rounds (0: none); compares gbtrain's
                               CVCSV: the same columns in the issue's order, every
                               mean test value within 0.002 (and within 1e-4
                               with exact=1), the same best round within 2
                               (exact=1: the same)
  grid GRIDCSV CVCSV METRIC PARAM...
                               checks a grid table: the parameter columns, then
                               best_round; sorted best first by METRIC's mean
                               test value; its best row matching CVCSV's best round
  best CVCSV METRIC             prints the table's best round by METRIC's mean test value
  evals TRAIN VALID LABEL OBJ EVALLOG MODEL METRICS ESR key=value...
                               xgboost.train with evals [train, valid] and the
                               metrics list: every column of gbtrain's EVALLOG
                               (round, train-M..., valid-M...) within 1e-5, and
                               (ESR > 0) MODEL's best_iteration and best_score
                               equal to xgboost's (which watches the last metric)
The exit status is the check's result (an assertion error exits 1)."""
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, __import__('os').path.dirname(__file__))
from gbtrain_check import load  # noqa: E402


def cmd_folds(src, outstem, k, seed):
    import h5py
    df = load(src)
    k, n = int(k), len(df)
    perm = np.random.RandomState(int(seed)).permutation(n)
    fold = np.empty(n, dtype=np.int64)
    for i, part in enumerate(np.array_split(perm, k)):
        fold[part] = i
    df['fold'] = fold
    # an int64 key beyond 2^53 (doubles would merge neighbours), for --fold-key
    df.insert(0, 'id', (np.int64(1) << 60) + np.arange(n, dtype=np.int64) * 3 + 1)
    df.to_csv(outstem + '.csv', index=False, na_rep='', lineterminator='\n')
    with h5py.File(outstem + '.h5', 'w') as f:
        g = f.create_group('features')
        for c in df.columns:
            g.create_dataset(c, data=df[c].to_numpy())
        g.attrs['columns'] = np.array(list(df.columns), dtype=h5py.string_dtype())
    return 0


def params_of(obj, kv):
    p = {'objective': obj, 'tree_method': 'hist', 'eta': 0.3, 'max_depth': 6, 'lambda': 1.0,
         'alpha': 0.0, 'min_child_weight': 1.0, 'max_bin': 256, 'base_score': 0.5,
         'nthread': 2, 'seed': 0}
    rounds, exact = 10, False
    for a in kv:
        key, v = a.split('=', 1)
        if key == 'rounds':
            rounds = int(v)
        elif key == 'exact':
            exact = v == '1'
        elif key == 'reltol':
            p['reltol'] = float(v)
        else:
            p[key] = int(v) if key in ('max_depth', 'num_class', 'max_bin') else float(v)
    return p, rounds, exact


def expected_columns(metrics):
    cols = ['round']
    for m in metrics:
        cols += ['train-%s-mean' % m, 'train-%s-std' % m, 'test-%s-mean' % m, 'test-%s-std' % m]
    return cols


def best_round(df, metric):
    col = df['test-%s-mean' % metric].to_numpy()
    return int(np.argmax(col) if metric == 'auc' else np.argmin(col))


def cmd_cv(data, label, obj, cvcsv, metrics, esr, *kv):
    import xgboost as xgb
    df = load(data)
    metrics = metrics.split(',')
    p, rounds, exact = params_of(obj, kv)
    reltol = p.pop('reltol', None)
    p['eval_metric'] = metrics
    names = [c for c in df.columns if c not in (label, 'fold', 'id')]
    dall = xgb.DMatrix(df[names].to_numpy(dtype=np.float32), label=df[label].to_numpy(),
                       feature_names=names, missing=np.nan)
    fold = df['fold'].to_numpy()
    folds = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(fold.max() + 1)]
    res = xgb.cv(p, dall, rounds, folds=folds, early_stopping_rounds=int(esr) or None,
                 as_pandas=True)
    ours = pd.read_csv(cvcsv)
    assert list(ours.columns) == expected_columns(metrics), list(ours.columns)
    assert list(ours['round']) == list(range(len(ours))), 'rounds 0..n-1'
    tol = 1e-4 if exact else reltol or 0.002
    n = min(len(ours), len(res))
    worst = 0.0
    for m in metrics:
        for side in ('test', 'train'):
            for stat in ('mean', 'std') if side == 'test' else ('mean',):
                col = '%s-%s-%s' % (side, m, stat)
                d = np.abs(ours[col].to_numpy()[:n] - res[col].to_numpy()[:n])
                if side == 'test' and stat == 'mean':
                    scale = np.abs(res[col].to_numpy()[:n]) if reltol else 1.0
                    worst = max(worst, float((d / scale).max()))
                print('# cv %s: max |gbtrain - xgboost.cv| = %.3g over %d rounds' % (col, d.max(), n))
    bo, bx = best_round(ours, metrics[-1]), best_round(res, metrics[-1])
    print('# cv best round (%s): gbtrain %d, xgboost.cv %d; rounds gbtrain %d, xgboost.cv %d'
          % (metrics[-1], bo, bx, len(ours), len(res)))
    ok = worst <= tol and abs(bo - bx) <= (0 if exact else 2)
    if int(esr):
        ok = ok and abs(len(ours) - len(res)) <= (0 if exact else 2)
    print('# cv mean test metrics within %g%s: %s (largest %.3g)'
          % (tol, ' relative' if reltol else '', 'yes' if worst <= tol else 'NO', worst))
    return 0 if ok else 1


def cmd_grid(gridcsv, cvcsv, metric, *params):
    g = pd.read_csv(gridcsv)
    cv = pd.read_csv(cvcsv)
    assert list(g.columns[:len(params)]) == list(params), list(g.columns)
    assert g.columns[len(params)] == 'best_round'
    col = 'test-%s-mean' % metric
    v = g[col].to_numpy()
    order = np.argsort(-v if metric == 'auc' else v, kind='stable')
    assert (order == np.arange(len(g))).all(), 'sorted best first'
    b = int(g['best_round'][0])
    assert abs(cv[col][b] - v[0]) <= 1e-9 * max(1, abs(v[0])), (cv[col][b], v[0])
    assert best_round(cv, metric) == b
    return 0


def cmd_best(cvcsv, metric):
    """Prints the best round of a cv table by METRIC's mean test value."""
    print(best_round(pd.read_csv(cvcsv), metric))
    return 0


def cmd_evals(train, valid, label, obj, evallog, model, metrics, esr, *kv):
    import json
    import xgboost as xgb
    tr, va = load(train), load(valid)
    metrics = metrics.split(',')
    p, rounds, _ = params_of(obj, kv)
    p['eval_metric'] = metrics
    names = [c for c in tr.columns if c != label]

    def dm(df):
        return xgb.DMatrix(df[names].to_numpy(dtype=np.float32), label=df[label].to_numpy(),
                           feature_names=names, missing=np.nan)
    hist = {}
    bst = xgb.train(p, dm(tr), rounds, evals=[(dm(tr), 'train'), (dm(va), 'valid')],
                    evals_result=hist, early_stopping_rounds=int(esr) or None, verbose_eval=False)
    ours = pd.read_csv(evallog)
    want = ['round'] + ['train-' + m for m in metrics] + ['valid-' + m for m in metrics]
    assert list(ours.columns) == want, (list(ours.columns), want)
    n = len(hist['valid'][metrics[-1]])
    assert len(ours) == n, (len(ours), n)
    worst = 0.0
    for side in ('train', 'valid'):
        for m in metrics:
            x = np.asarray(hist[side][m])
            d = np.abs(ours['%s-%s' % (side, m)].to_numpy() - x) / np.maximum(1, np.abs(x))
            worst = max(worst, float(d.max()))
    print('# evals: %d rounds, %d metrics, max relative difference %.3g' % (n, len(metrics), worst))
    if int(esr):
        with open(model) as f:
            attrs = json.load(f)['learner']['attributes']
        print('# best_iteration gbtrain %s xgboost %d' % (attrs['best_iteration'], bst.best_iteration))
        assert int(attrs['best_iteration']) == bst.best_iteration
        assert abs(float(attrs['best_score']) - bst.best_score) <= 1e-5 * max(1, abs(bst.best_score))
    return 0 if worst <= 1e-5 else 1


if __name__ == '__main__':
    sys.exit(globals()['cmd_' + sys.argv[1]](*sys.argv[2:]))
