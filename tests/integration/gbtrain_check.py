#!/usr/bin/python3
"""gbtrain_check.py -- the Python side of tests/integration/test_gbtrain.sh
(xgboost 1.7, scikit-learn, h5py, pandas): one helper, several commands, run
with Debian's /usr/bin/python3 as

  gbtrain_check.py COMMAND ARGS...

where COMMAND is the name of one of the cmd_* functions below (parity,
same_model, agree, xgb_save, loadable, ntrees, auc, early, importance,
bad_inputs) and ARGS its arguments. The exit status is the check's result
(an assertion error exits 1)."""
import json, math, sys
import numpy as np, pandas as pd, h5py

def load(path, group='features'):
    """A table: HDF5 (group of 1-D columns, order in attrs['columns']) or CSV."""
    if path.endswith('.h5'):
        with h5py.File(path, 'r') as f:
            g = f[group] if group in f else f
            if not any(isinstance(g[k], h5py.Dataset) for k in g):  # first group holding datasets
                g = next(f[k] for k in f if isinstance(f[k], h5py.Group))
            if 'columns' in g.attrs:
                cols = [c.decode() if isinstance(c, bytes) else str(c) for c in g.attrs['columns']]
            else:
                cols = [k for k in g if isinstance(g[k], h5py.Dataset)]
            return pd.DataFrame({c: g[c][:] for c in cols})
    with open(path) as fh:
        head = fh.readline()
    return pd.read_csv(path, sep=';' if head.count(';') > head.count(',') else ',')

def read_pred(path, keep=()):
    """gbpredict's output as an n x K float array: OUT.h5's /predictions, or
    OUT.csv's columns 'prediction' / 'class_0..K-1' after the kept ones."""
    if path.endswith('.h5'):
        with h5py.File(path, 'r') as f:
            a = f['predictions'][:]
        return a.reshape(len(a), -1).astype(np.float64)
    df = load(path)
    cols = [c for c in df.columns if c not in keep]
    assert cols == ['prediction'] or cols == ['class_%d' % i for i in range(len(cols))], cols
    assert list(df.columns[:len(keep)]) == list(keep), 'kept columns in front'
    return df[cols].to_numpy(dtype=np.float64)

def read_kept(path, k):
    if path.endswith('.h5'):
        with h5py.File(path, 'r') as f:
            return f[k][:].astype(np.float64)
    return load(path)[k].to_numpy(dtype=np.float64)

def xgb_matrix(df, names, label=None):
    import xgboost as xgb
    X = df[names].to_numpy(dtype=np.float32)
    return xgb.DMatrix(X, label=None if label is None else df[label].to_numpy(),
                       feature_names=list(names), missing=np.nan)

def xgb_params(obj, kv):
    p = {'objective': obj, 'tree_method': 'hist', 'eta': 0.3, 'max_depth': 6, 'lambda': 1.0,
         'alpha': 0.0, 'min_child_weight': 1.0, 'max_bin': 256, 'base_score': 0.5,
         'nthread': 2, 'seed': 0}
    rounds = 10
    for a in kv:
        k, v = a.split('=', 1)
        if k == 'rounds':
            rounds = int(v)
        else:
            p[k] = float(v) if k not in ('max_depth', 'num_class', 'max_bin') else int(v)
    return p, rounds

def metrics(obj, y, p):
    from sklearn.metrics import roc_auc_score, log_loss
    if obj == 'binary:logistic':
        p = p[:, 0]
        return {'auc': roc_auc_score(y, p), 'logloss': log_loss(y, p, labels=[0, 1])}
    if obj == 'reg:squarederror':
        return {'rmse': float(np.sqrt(np.mean((p[:, 0] - y) ** 2)))}
    k = p.shape[1]
    return {'mlogloss': log_loss(y, p, labels=list(range(k))),
            'merror': float(np.mean(np.argmax(p, axis=1) != y))}

def parity(two_sided, name, obj, train, test, label, ours, *kv):
    """Trains xgboost hist with the same parameters; compares test metrics with
    ours (gbpredict's predictions); tolerances as stated in the test, on both
    sides with two_sided, else only on the side of being worse."""
    import xgboost as xgb
    tr, te = load(train), load(test)
    names = [c for c in tr.columns if c != label]
    p, rounds = xgb_params(obj, kv)
    bst = xgb.train(p, xgb_matrix(tr, names, label), rounds)
    px = bst.predict(xgb_matrix(te, names)).reshape(len(te), -1).astype(np.float64)
    po = read_pred(ours)
    y = te[label].to_numpy()
    mo, mx = metrics(obj, y, po), metrics(obj, y, px)
    ok = True
    for m in mo:
        a, b = mo[m], mx[m]
        # worse: AUC lower, the others higher
        worse = b - a if m == 'auc' else a - b
        gap = abs(a - b) if two_sided else worse
        if m == 'auc':
            good, tol = gap <= 0.01, '0.01'
        elif m == 'merror':
            good, tol = gap <= 1.0 / len(y) + 1e-12, '1 test row'
        elif m == 'rmse':
            good, tol = gap <= 0.03 * b, '3%'
        else:  # logloss, mlogloss
            good, tol = gap <= 0.05 * b, '5%'
        tol = ('within ' if two_sided else 'worse by at most ') + tol
        print('# parity %s %s: gbtrain %.5f xgboost %.5f (%s)%s' % (name, m, a, b, tol,
              '' if good else ' FAILS'))
        ok = ok and good
    return 0 if ok else 1

def cmd_parity(name, obj, train, test, label, ours, *kv):
    """Parity on both sides (exact sums: --no-quantized-grad)."""
    return parity(True, name, obj, train, test, label, ours, *kv)

def cmd_parity_worse(name, obj, train, test, label, ours, *kv):
    """Parity on the side of being worse only (the quantized default)."""
    return parity(False, name, obj, train, test, label, ours, *kv)

def cmd_same_model(name, obj, train, test, label, ours, *kv):
    """With cuts that agree (every distinct value its own bin) gbtrain grows
    xgboost's trees: test predictions within 1e-5 x max(1, |p|)."""
    import xgboost as xgb
    tr, te = load(train), load(test)
    names = [c for c in tr.columns if c != label]
    p, rounds = xgb_params(obj, kv)
    px = xgb.train(p, xgb_matrix(tr, names, label), rounds).predict(xgb_matrix(te, names))
    po = xgb.Booster(model_file=ours).predict(xgb_matrix(te, names))
    d = np.max(np.abs(po - px) / np.maximum(1.0, np.abs(px)))
    print('# %s: gbtrain vs xgboost test predictions, max diff %.3g (<= 1e-5 x max(1, |p|))' % (name, d))
    return 0 if d <= 1e-5 else 1

def rel_diff(a, b):
    d = np.abs(a - b)
    m = np.maximum(np.abs(a), np.abs(b))
    return np.where(d == 0, 0.0, d / np.where(m == 0, 1.0, m))

def cmd_agree(model, data, pred, margin='prob', keep=''):
    """xgboost.Booster(model_file=MODEL) on DATA vs gbpredict's PRED: rel diff <= 1e-5."""
    import xgboost as xgb
    bst = xgb.Booster(model_file=model)
    df = load(data)
    if bst.feature_names:
        dm = xgb_matrix(df, bst.feature_names)
    else:  # no names: columns f0, f1, ... by position
        cols = ['f%d' % i for i in range(bst.num_features())]
        dm = xgb.DMatrix(df[cols].to_numpy(dtype=np.float32), missing=np.nan)
    px = bst.predict(dm, output_margin=(margin == 'margin')).reshape(len(df), -1).astype(np.float64)
    keep = [k for k in keep.split(',') if k]
    po = read_pred(pred, keep)
    if po.shape != px.shape:
        print('    shapes differ: gbpredict %s, xgboost %s' % (po.shape, px.shape))
        return 1
    r = rel_diff(po, px)
    print('# %s vs xgboost (%s): max rel diff %.3g over %d values' % (pred.split('/')[-1], margin, r.max(), r.size))
    if not (r.max() <= 1e-5):
        i = np.unravel_index(np.argmax(r), r.shape)
        print('    worst row %d: gbpredict %r xgboost %r' % (i[0], po[i], px[i]))
        return 1
    for k in keep:  # kept columns copied unchanged
        got = read_kept(pred, k)
        want = df[k].to_numpy(dtype=np.float64)
        if not np.array_equal(got, want, equal_nan=True):
            print('    kept column %s differs' % k)
            return 1
    return 0

def cmd_xgb_save(obj, train, label, model_out, *kv):
    """xgboost 1.7 trains on TRAIN and saves its JSON model."""
    import xgboost as xgb
    tr = load(train)
    names = [c for c in tr.columns if c != label]
    nonames = 'nonames=1' in kv  # a model without feature names (f0, f1, ... by position)
    p, rounds = xgb_params(obj, [a for a in kv if a != 'nonames=1'])
    dm = xgb_matrix(tr, names, label)
    if nonames:
        dm = xgb.DMatrix(tr[names].to_numpy(dtype=np.float32), label=tr[label].to_numpy(), missing=np.nan)
    xgb.train(p, dm, rounds).save_model(model_out)
    return 0

def cmd_loadable(rounds_total, every, *paths):
    """Each file is a complete model: JSON, loads in xgboost, whole checkpoints."""
    import xgboost as xgb
    for path in paths:
        m = json.load(open(path))
        n = int(m['learner']['gradient_booster']['model']['gbtree_model_param']['num_trees'])
        assert n == len(m['learner']['gradient_booster']['model']['trees']), path
        assert n > 0 and (n % int(every) == 0 or n == int(rounds_total)), (path, n)
        xgb.Booster(model_file=path)
    return 0

def cmd_ntrees(path):
    m = json.load(open(path))
    print(len(m['learner']['gradient_booster']['model']['trees']))
    return 0

def cmd_auc(data, label, pred, keep=''):
    from sklearn.metrics import roc_auc_score
    y = load(data)[label].to_numpy()
    p = read_pred(pred, [k for k in keep.split(',') if k])[:, 0]
    print('%.5f' % roc_auc_score(y, p))
    return 0

def cmd_early(model, evallog, stdout, metric, esr, num_round):
    """best_iteration/best_score agree with the eval log; training stopped
    exactly esr rounds after the best round; the model holds every round."""
    esr, num_round = int(esr), int(num_round)
    log = pd.read_csv(evallog)
    v = log['valid-' + metric].to_numpy()
    assert list(log['round']) == list(range(len(log))), 'eval log rounds'
    best = int(np.argmax(v)) if metric == 'auc' else int(np.argmin(v))  # first best
    m = json.load(open(model))
    a = m['learner']['attributes']
    ntrees = len(m['learner']['gradient_booster']['model']['trees'])
    lines = [l for l in open(stdout) if l.startswith('[')]
    print('# early stopping (%s): best round %d (%.6f), %d rounds run; model best_iteration %s best_score %s, %d trees'
          % (metric, best, v[best], len(log), a.get('best_iteration'), a.get('best_score'), ntrees))
    assert int(a['best_iteration']) == best, ('best_iteration', a['best_iteration'], best)
    assert math.isclose(float(a['best_score']), v[best], rel_tol=1e-8), ('best_score', a['best_score'], v[best])
    assert len(log) < num_round, 'did not stop early'
    assert len(log) - 1 == best + esr, ('stopped at', len(log) - 1, 'want', best + esr)
    assert len(lines) == len(log), ('per-round lines', len(lines), len(log))
    assert ntrees == len(log), ('trees', ntrees)
    import xgboost as xgb
    assert xgb.Booster(model_file=model).attr('best_iteration') == str(best)
    return 0

def cmd_importance(model, csv):
    """Every feature once; weight, gain, cover = xgboost's get_score of the model."""
    import xgboost as xgb
    m = json.load(open(model))
    names = m['learner']['feature_names']
    assert open(csv).readline() == 'feature,gain,weight,cover\n', 'header'
    df = pd.read_csv(csv)
    assert sorted(df.feature) == sorted(names) and len(df) == len(names), 'features'
    bst = xgb.Booster(model_file=model)
    for col, kind in (('weight', 'weight'), ('gain', 'total_gain'), ('cover', 'total_cover')):
        s = bst.get_score(importance_type=kind)
        for f, val in zip(df.feature, df[col]):
            want = s.get(f, 0.0)
            assert math.isclose(val, want, rel_tol=1e-6, abs_tol=1e-9), (col, f, val, want)
    assert int(df.weight.sum()) > 0
    return 0

def cmd_bad_inputs(d, out):
    """The bad-input files."""
    c = load(d + '/cancer_train.csv')
    x = c.copy(); x['target'] = x['target'].astype(float); x.loc[299, 'target'] = np.nan
    x.to_csv(out + '/nanlabel.csv', index=False, na_rep='')           # data row 300
    x = c.copy(); x.loc[9, 'target'] = 2
    x.to_csv(out + '/label2.csv', index=False)                          # data row 10
    w = load(d + '/wine_train.csv'); w.loc[19, 'target'] = 5
    w.to_csv(out + '/label5.csv', index=False)                          # data row 20
    s = load(d + '/synth_train.h5').iloc[:200].copy()
    s['f3'] = s['f3'].astype(np.float32); s.loc[6, 'f3'] = np.inf       # data row 7
    with h5py.File(out + '/inf.h5', 'w') as f:
        g = f.create_group('features')
        for k in s.columns:
            g.create_dataset(k, data=s[k].to_numpy())
    s.iloc[:20].to_csv(out + '/inf.csv', index=False, na_rep='')        # "inf" in line 8
    s = load(d + '/synth_train.h5').iloc[:200]
    s2 = s.copy(); s2['label'] = s2['label'].astype(np.float64); s2.loc[4, 'label'] = np.nan
    with h5py.File(out + '/nanlabel.h5', 'w') as f:                      # data row 5
        g = f.create_group('features')
        for k in s2.columns:
            g.create_dataset(k, data=s2[k].to_numpy())
    with h5py.File(out + '/unequal.h5', 'w') as f:
        g = f.create_group('features')
        for k in s.columns:
            g.create_dataset(k, data=s[k].to_numpy()[:150 if k == 'f5' else 200])
    with open(out + '/header_only.csv', 'w') as f:
        f.write(','.join(c.columns) + '\n')
    c.iloc[:3].to_csv(out + '/three.csv', index=False)
    t = load(d + '/cancer_test.csv')
    t.drop(columns=['worst_area']).to_csv(out + '/lacking.csv', index=False)
    return 0

if __name__ == '__main__':
    sys.exit(globals()['cmd_' + sys.argv[1]](*sys.argv[2:]))
