#!/usr/bin/python3
"""gbtrain_weight_check.py -- the Python side of tests/integration/test_gbtrain_weight.sh
(xgboost 1.7.4 with DMatrix(weight=...), scikit-learn metrics with
sample_weight, h5py, pandas), run with Debian's /usr/bin/python3 as

  gbtrain_weight_check.py COMMAND ARGS...

COMMAND is one of the cmd_* functions below; the exit status is the check's
result (an assertion error exits 1). Tables carry their weight in the column
`w`; the features are every column but the label, `w` and userId unless a
features=A,B,... argument says otherwise. Key=value arguments are xgboost
parameters (rounds=N: the number of rounds), defaults gbtrain's: eta 0.3,
max_depth 6, max_bin 256, base_score 0.5."""
import json, math, os, sys
import numpy as np, pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbtrain_check import load, read_pred  # noqa: E402

INT_PARAMS = ('max_depth', 'num_class', 'max_bin', 'seed')
WCOL = 'w'


def split_kv(kv):
    """xgboost parameters, rounds, feature list (or None) from key=value arguments."""
    p, rounds, feats = {}, 10, None
    for a in kv:
        k, v = a.split('=', 1)
        if k == 'rounds':
            rounds = int(v)
        elif k == 'features':
            feats = v.split(',')
        else:
            p[k] = int(v) if k in INT_PARAMS else float(v)
    return p, rounds, feats


def params(obj, p):
    q = {'objective': obj, 'tree_method': 'hist', 'eta': 0.3, 'max_depth': 6, 'lambda': 1.0,
         'alpha': 0.0, 'min_child_weight': 1.0, 'max_bin': 256, 'base_score': 0.5,
         'nthread': 2, 'seed': 0}
    q.update(p)
    return q


def names_of(df, label, feats=None):
    return feats or [c for c in df.columns if c not in (label, WCOL, 'userId')]


def dmatrix(df, names, label=None, weighted=True):
    import xgboost as xgb
    return xgb.DMatrix(df[names].to_numpy(dtype=np.float32),
                       label=None if label is None else df[label].to_numpy(),
                       weight=df[WCOL].to_numpy() if (weighted and WCOL in df) else None,
                       feature_names=list(names), missing=np.nan)


# ---- weighted metrics, as xgboost 1.7 defines them, from scikit-learn
def metric(name, y, p, w):
    """p: n x K predictions (probabilities, or values for regression); w: weights or None."""
    from sklearn.metrics import (accuracy_score, log_loss, mean_absolute_error,
                                 mean_squared_error, roc_auc_score)
    if name == 'rmse':
        return math.sqrt(mean_squared_error(y, p[:, 0], sample_weight=w))
    if name == 'mae':
        return mean_absolute_error(y, p[:, 0], sample_weight=w)
    if name == 'logloss':
        return log_loss(y, np.clip(p[:, 0], 1e-16, 1 - 1e-16), sample_weight=w, labels=[0, 1])
    if name == 'error':
        return 1.0 - accuracy_score(y, (p[:, 0] > 0.5).astype(int), sample_weight=w)
    if name == 'auc':
        return roc_auc_score(y, p[:, 0], sample_weight=w)
    if name == 'mlogloss':
        return log_loss(y, np.clip(p, 1e-16, 1.0), sample_weight=w, labels=list(range(p.shape[1])))
    if name == 'merror':
        return 1.0 - accuracy_score(y, np.argmax(p, axis=1), sample_weight=w)
    raise ValueError(name)


def metrics_of(obj):
    return {'binary:logistic': ('auc', 'logloss'), 'reg:squarederror': ('rmse',),
            'multi:softprob': ('mlogloss', 'merror')}[obj]


def worse(m, a, b):
    """how much a is worse than b for metric m"""
    return b - a if m == 'auc' else a - b


def cmd_same_model(name, obj, train, test, label, ours, *kv):
    """xgboost hist trains on TRAIN with DMatrix(weight=w); both models predict TEST
    with xgboost's predictor: max diff <= 1e-5 x max(1, |p|)."""
    import xgboost as xgb
    p, rounds, feats = split_kv(kv)
    tr, te = load(train), load(test)
    names = names_of(tr, label, feats)
    bx = xgb.train(params(obj, p), dmatrix(tr, names, label), rounds)
    dte = dmatrix(te, names)
    px = bx.predict(dte)
    po = xgb.Booster(model_file=ours).predict(dte)
    d = float(np.max(np.abs(po - px) / np.maximum(1.0, np.abs(px))))
    print('# %s: gbtrain vs xgboost (weighted) test predictions, max diff %.3g (<= 1e-5 x max(1, |p|))' % (name, d))
    return 0 if d <= 1e-5 else 1


def cmd_parity(name, obj, sides, train, test, label, ours, tol, *kv):
    """xgboost trains on TRAIN with the same weights and parameters; the weighted
    test metrics (sklearn, sample_weight = TEST's w) of gbtrain's predictions OURS
    and of xgboost's: |gap| <= TOL with SIDES=both, else (worse) ours worse by at
    most TOL. TOL: one number, or metric:number,... (default for the others 0.002)."""
    import xgboost as xgb
    p, rounds, feats = split_kv(kv)
    tr, te = load(train), load(test)
    names = names_of(tr, label, feats)
    bx = xgb.train(params(obj, p), dmatrix(tr, names, label), rounds)
    px = bx.predict(dmatrix(te, names)).reshape(len(te), -1).astype(np.float64)
    po = read_pred(ours)
    y, w = te[label].to_numpy(), te[WCOL].to_numpy()
    tols = {}
    for item in tol.split(','):
        k, _, v = item.rpartition(':')
        tols[k or '*'] = float(v)
    good = True
    for m in metrics_of(obj):
        a, b = metric(m, y, po, w), metric(m, y, px, w)
        t = tols.get(m, tols.get('*', 0.002))
        gap = abs(a - b) if sides == 'both' else worse(m, a, b)
        g = gap <= t
        good = good and g
        print('# %s weighted %s: gbtrain %.5f xgboost %.5f (%s %g)%s' % (
            name, m, a, b, 'within' if sides == 'both' else 'worse by at most', t, '' if g else ' FAILS'))
    return 0 if good else 1


def close(a, b):
    return abs(a - b) <= 1e-6 or abs(a - b) <= 1e-5 * max(abs(a), abs(b))


def cmd_evallog(evallog, model, metric_name, valid, label, train='', weighted='1'):
    """Every round's valid-METRIC of gbtrain's --eval-log equals (rel 1e-5 or abs
    1e-6) (a) scikit-learn's weighted metric (sample_weight = VALID's w) of the
    model's first r+1 trees' predictions, and (b) xgboost's own weighted eval of
    those trees (Booster[:r+1].eval on a DMatrix with weight=w). The same for
    train-METRIC on TRAIN when given. WEIGHTED=0: VALID has no weights (plain
    metric)."""
    import xgboost as xgb
    log = pd.read_csv(evallog)
    assert list(log['round']) == list(range(len(log))), 'rounds'
    bad = 0
    for col, path in (('valid-' + metric_name, valid), ('train-' + metric_name, train)):
        if not path:
            continue
        worst = 0.0
        assert col in log.columns, (col, list(log.columns))
        bst = xgb.Booster(model_file=model)
        df = load(path)
        y = df[label].to_numpy()
        w = df[WCOL].to_numpy() if (WCOL in df and weighted == '1') else None
        dm = dmatrix(df, bst.feature_names, label, weighted=(w is not None))
        n = len(log)
        for r in range(n):
            pr = bst.predict(dm, iteration_range=(0, r + 1)).reshape(len(df), -1).astype(np.float64)
            want = metric(metric_name, y, pr, w)
            sub = bst[0:r + 1]
            sub.set_param({'eval_metric': metric_name})
            s = sub.eval(dm, 'x')  # '[0]\tx-auc:0.123...'
            xg = float(s.split(':')[-1])
            got = float(log[col][r])
            worst = max(worst, abs(got - want) / max(abs(want), 1e-300))
            if not (close(got, want) and close(got, xg)):
                bad += 1
                if bad <= 5:
                    print('    %s round %d: gbtrain %.9g, sklearn %.9g, xgboost eval %.9g' % (col, r, got, want, xg))
        print('# %s: %d rounds, gbtrain\'s log vs sklearn (weights: %s) and xgboost\'s eval, worst rel diff %.3g' % (
            col, n, 'yes' if w is not None else 'no', worst))
    return 0 if bad == 0 else 1


def cmd_xgb_evals(evallog, obj, metric_name, train, valid, label, n_first, *kv):
    """xgboost trains on TRAIN (weights) with VALID (weights) in evals; its
    evals_result for the first N_FIRST rounds equals gbtrain's eval log (the same
    model: exact sums, cuts that agree)."""
    import xgboost as xgb
    p, rounds, feats = split_kv(kv)
    tr, va = load(train), load(valid)
    names = names_of(tr, label, feats)
    q = params(obj, p)
    q['eval_metric'] = metric_name
    ev = {}
    xgb.train(q, dmatrix(tr, names, label), rounds, evals=[(dmatrix(va, names, label), 'valid')],
              evals_result=ev, verbose_eval=False)
    log = pd.read_csv(evallog)
    xs = ev['valid'][metric_name]
    n = min(int(n_first), len(xs), len(log))
    diffs = [(r, float(log['valid-' + metric_name][r]), xs[r]) for r in range(n)]
    bad = [d for d in diffs if not close(d[1], d[2])]
    print('# %s: gbtrain\'s valid-%s vs xgboost\'s evals_result, first %d rounds: %d differ' % (
        evallog.split('/')[-1], metric_name, n, len(bad)))
    for r, a, b in bad[:5]:
        print('    round %d: gbtrain %.9g xgboost %.9g' % (r, a, b))
    return 0 if not bad and n == int(n_first) else 1


def cmd_early(model, evallog, valid, label, metric_name, esr, weighted):
    """Early stopping watched the weighted (WEIGHTED=1) or plain metric: the model's
    best_iteration is the first best round of that metric computed by scikit-learn
    on the model's predictions of VALID, training stopped ESR rounds later, and the
    log matches. Prints the best round of the other kind, for the log."""
    esr = int(esr)
    m = json.load(open(model))
    a = m['learner']['attributes']
    log = pd.read_csv(evallog)
    n = len(log)
    df = load(valid)
    y = df[label].to_numpy()
    w = df[WCOL].to_numpy() if WCOL in df else None
    assert (w is not None) == (weighted == '1'), 'VALID has weights iff WEIGHTED=1'
    import xgboost as xgb
    bst = xgb.Booster(model_file=model)
    dm = dmatrix(df, bst.feature_names, label, weighted=False)
    vw, vu = [], []
    for r in range(n):
        pr = bst.predict(dm, iteration_range=(0, r + 1)).reshape(len(df), -1).astype(np.float64)
        vw.append(metric(metric_name, y, pr, w))
        vu.append(metric(metric_name, y, pr, None))
    pick = np.argmax if metric_name == 'auc' else np.argmin
    best = int(pick(vw))
    other = int(pick(vu))
    ntrees = len(m['learner']['gradient_booster']['model']['trees'])
    print('# early stopping (%s, %s): best round %d, %d rounds run, best_iteration %s best_score %s; '
          'the unweighted metric of the same trees is best at round %d' % (
              metric_name, 'weighted' if weighted == '1' else 'unweighted', best, n,
              a.get('best_iteration'), a.get('best_score'), other))
    assert int(a['best_iteration']) == best, ('best_iteration', a['best_iteration'], best)
    assert close(float(a['best_score']), vw[best]), ('best_score', a['best_score'], vw[best])
    assert n - 1 == best + esr, ('stopped at', n - 1, 'want', best + esr)
    assert ntrees == n, ('trees', ntrees, n)
    for r in range(n):
        assert close(float(log['valid-' + metric_name][r]), vw[r]), ('log', r)
    return 0


def cmd_best(model):
    print(json.load(open(model))['learner']['attributes']['best_iteration'])
    return 0


def cmd_xgb_best(model, obj, metric_name, train, valid, label, esr, *kv):
    """xgboost's early stopping with weighted DMatrix (train and valid) picks
    gbtrain's best_iteration (the same model: exact sums, cuts that agree)."""
    import xgboost as xgb
    p, rounds, feats = split_kv(kv)
    tr, va = load(train), load(valid)
    names = names_of(tr, label, feats)
    q = params(obj, p)
    q['eval_metric'] = metric_name
    bx = xgb.train(q, dmatrix(tr, names, label), rounds, evals=[(dmatrix(va, names, label), 'valid')],
                   early_stopping_rounds=int(esr), verbose_eval=False)
    ours = int(json.load(open(model))['learner']['attributes']['best_iteration'])
    print('# early stopping: xgboost best_iteration %d (score %.6f), gbtrain %d' % (bx.best_iteration, bx.best_score, ours))
    return 0 if bx.best_iteration == ours else 1


def cmd_pred_equal(a, b, tol='1e-6'):
    """Two prediction files hold the same values: |a - b| <= TOL x max(1, |a|, |b|)."""
    pa, pb = read_pred(a), read_pred(b)
    assert pa.shape == pb.shape, (pa.shape, pb.shape)
    r = np.abs(pa - pb) / np.maximum(1.0, np.maximum(np.abs(pa), np.abs(pb)))
    print('# %s vs %s: max diff %.3g x max(1, |p|) over %d values (<= %s)' % (
        a.split('/')[-1], b.split('/')[-1], r.max(), r.size, tol))
    return 0 if r.max() <= float(tol) else 1


def cmd_no_weight_feature(model):
    """The weight column is not a feature of the model."""
    n = json.load(open(model))['learner']['feature_names']
    assert WCOL not in n, n
    return 0


def write_h5(path, df):
    import h5py
    with h5py.File(path, 'w') as f:
        g = f.create_group('features')
        for k in df.columns:
            g.create_dataset(k, data=df[k].to_numpy())
        g.attrs['columns'] = list(df.columns)


def cmd_bad_weights(d, out):
    """Files with one bad weight (in a later rank's slice for np=3), HDF5 and CSV;
    a file with zero weights; a TRAIN without w."""
    c = load(d + '/wcancer_train.h5')
    for tag, i, v in (('nan', 300, np.nan), ('neg', 200, -1.0), ('inf', 350, np.inf), ('ninf', 5, -np.inf)):
        x = c.copy()
        x.loc[i, WCOL] = v  # data row i + 1 (CSV line i + 2)
        write_h5(out + '/w%s.h5' % tag, x)
        x.to_csv(out + '/w%s.csv' % tag, index=False, na_rep='')
    x = c.copy()
    x.loc[::3, WCOL] = 0.0
    write_h5(out + '/wzero.h5', x)
    x = c.copy()
    x.loc[:200, WCOL] = 0.0  # the first rank's rows (np=2) all of weight 0
    write_h5(out + '/wzero_rank.h5', x)
    write_h5(out + '/noweight.h5', c.drop(columns=[WCOL]))
    t = load(d + '/wcancer_test.h5')
    t.loc[40, WCOL] = np.nan  # data row 41
    write_h5(out + '/valid_nan.h5', t)
    return 0


if __name__ == '__main__':
    sys.exit(globals()['cmd_' + sys.argv[1]](*sys.argv[2:]))
