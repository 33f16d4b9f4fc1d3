#!/usr/bin/python3
"""gbtrain_cat_check.py -- the Python side of tests/integration/test_gbtrain_cat.sh
(xgboost 1.7.4 with enable_categorical, scikit-learn, h5py, pandas), run with
Debian's /usr/bin/python3 as

  gbtrain_cat_check.py COMMAND ARGS...

COMMAND is one of the cmd_* functions below; the exit status is the check's
result (an assertion error exits 1). CATS arguments are comma-separated
names of the categorical feature columns ('-' for none). Key=value arguments
are xgboost parameters (rounds=N is the number of rounds); the defaults are
gbtrain's (and xgboost 1.7's): eta 0.3, max_depth 6, max_bin 256,
base_score 0.5, max_cat_to_onehot 4, max_cat_threshold 64."""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbtrain_check import load, read_pred, rel_diff  # noqa: E402

INT_PARAMS = ('max_depth', 'num_class', 'max_bin', 'max_cat_to_onehot', 'max_cat_threshold', 'seed')


def cats_of(arg):
    return [] if arg in ('', '-') else arg.split(',')


def params(obj, kv):
    p = {'objective': obj, 'tree_method': 'hist', 'eta': 0.3, 'max_depth': 6, 'lambda': 1.0,
         'alpha': 0.0, 'min_child_weight': 1.0, 'max_bin': 256, 'base_score': 0.5,
         'max_cat_to_onehot': 4, 'max_cat_threshold': 64, 'nthread': 2, 'seed': 0}
    rounds = 10
    for a in kv:
        k, v = a.split('=', 1)
        if k == 'rounds':
            rounds = int(v)
        else:
            p[k] = int(v) if k in INT_PARAMS else float(v)
    return p, rounds


def dmatrix(df, names, cats, label=None):
    """A DMatrix of float32 features, 'c' for the categorical columns, 'q' for the others."""
    import xgboost as xgb
    X = df[names].to_numpy(dtype=np.float32)
    types = ['c' if n in cats else 'q' for n in names]
    return xgb.DMatrix(X, label=None if label is None else df[label].to_numpy(),
                       feature_names=list(names), feature_types=types,
                       enable_categorical=bool(cats), missing=np.nan)


def features_of(df, label, extra=()):
    return [c for c in df.columns if c != label and c not in extra and c != 'userId']


def trees(path):
    return json.load(open(path))['learner']['gradient_booster']['model']['trees']


def node_cats(t, nid):
    """The category set of categorical split node nid of tree t (JSON)."""
    nodes = t['categories_nodes']
    if nid not in nodes:
        return None
    i = nodes.index(nid)
    s, n = t['categories_segments'][i], t['categories_sizes'][i]
    return sorted(t['categories'][s:s + n])


def first_tree_difference(a_path, b_path):
    """Where the trees of two models first differ (split feature, type, category set or
    children), as text; None when every tree has the same structure."""
    ta, tb = trees(a_path), trees(b_path)
    if len(ta) != len(tb):
        return '%d trees vs %d' % (len(ta), len(tb))
    for k, (a, b) in enumerate(zip(ta, tb)):
        if a['left_children'] != b['left_children']:
            return 'tree %d: different shape (%s nodes vs %s)' % (
                k, a['tree_param']['num_nodes'], b['tree_param']['num_nodes'])
        for nid, leaf in enumerate(a['left_children']):
            if leaf == -1:
                continue
            fa, fb = a['split_indices'][nid], b['split_indices'][nid]
            sa, sb = a['split_type'][nid], b['split_type'][nid]
            if (fa, sa) != (fb, sb):
                return 'tree %d node %d: feature %d type %d vs feature %d type %d' % (k, nid, fa, sa, fb, sb)
            if sa == 1 and node_cats(a, nid) != node_cats(b, nid):
                return 'tree %d node %d: categories %s vs %s' % (k, nid, node_cats(a, nid), node_cats(b, nid))
            if a['default_left'][nid] != b['default_left'][nid]:
                return 'tree %d node %d: default_left differs' % (k, nid)
    return None


def split_summary(path, names):
    """Per feature: (numeric splits, categorical splits, largest category set)."""
    out = {}
    for t in trees(path):
        for nid, leaf in enumerate(t['left_children']):
            if leaf == -1:
                continue
            f = names[t['split_indices'][nid]]
            num, cat, big = out.get(f, (0, 0, 0))
            if t['split_type'][nid] == 1:
                cat += 1
                big = max(big, len(node_cats(t, nid)))
            else:
                num += 1
            out[f] = (num, cat, big)
    return out


def cmd_same_model(name, obj, train, test, label, ours, cats, *kv):
    """xgboost hist with enable_categorical and the same parameters trains on
    TRAIN; both models predict TEST with xgboost's predictor: max diff <= 1e-5 x
    max(1, |p|). On failure, the first structural difference between the trees
    is printed. Also: our model has categorical splits."""
    import xgboost as xgb
    cats = cats_of(cats)
    tr, te = load(train), load(test)
    names = features_of(tr, label)
    p, rounds = params(obj, kv)
    bx = xgb.train(p, dmatrix(tr, names, cats, label), rounds)
    xpath = ours + '.xgb.json'
    bx.save_model(xpath)
    dte = dmatrix(te, names, cats)
    px = bx.predict(dte)
    po = xgb.Booster(model_file=ours).predict(dte)
    d = float(np.max(np.abs(po - px) / np.maximum(1.0, np.abs(px))))
    s = split_summary(ours, names)
    ncat = sum(v[1] for v in s.values())
    print('# %s: gbtrain vs xgboost test predictions, max diff %.3g (<= 1e-5 x max(1, |p|)); '
          'our splits per feature (numeric, categorical, largest set): %s' % (name, d, s))
    diff = first_tree_difference(ours, xpath)
    if diff:
        print('#   first difference of the trees (gbtrain vs xgboost): %s' % diff)
    assert ncat > 0, 'no categorical split in our model'
    return 0 if d <= 1e-5 else 1


def cmd_xgb_save(obj, train, label, model_out, cats, *kv):
    """xgboost 1.7 trains on TRAIN (enable_categorical, 'c' for CATS) and saves its JSON model."""
    import xgboost as xgb
    tr = load(train)
    names = features_of(tr, label)
    p, rounds = params(obj, kv)
    xgb.train(p, dmatrix(tr, names, cats_of(cats), label), rounds).save_model(model_out)
    return 0


def cmd_has_splits(model, spec):
    """SPEC: FEATURE:KIND,... with KIND onehot (every categorical split on it has one
    category), part (at least one of its categorical splits has >= 2 categories) or
    numeric (split, never categorically)."""
    m = json.load(open(model))
    names = m['learner']['feature_names']
    s = split_summary(model, names)
    print('# splits per feature (numeric, categorical, largest set): %s' % s)
    for item in spec.split(','):
        f, kind = item.split(':')
        num, cat, big = s.get(f, (0, 0, 0))
        if kind == 'onehot':
            assert cat > 0 and big == 1 and num == 0, (f, kind, s.get(f))
        elif kind == 'part':
            assert cat > 0 and big >= 2 and num == 0, (f, kind, s.get(f))
        else:
            assert num > 0 and cat == 0, (f, kind, s.get(f))
    return 0


def cmd_ftypes(cats, *models):
    """Each model's learner.feature_types: 'c' exactly for CATS, a numeric type for the
    others (xgboost's 'float', 'q', 'int' or 'i'); xgboost loads the model and reports
    the same types."""
    import xgboost as xgb
    cats = cats_of(cats)
    for model in models:
        m = json.load(open(model))
        names, types = m['learner']['feature_names'], m['learner'].get('feature_types')
        assert types is not None and len(types) == len(names), ('feature_types', types)
        got = [n for n, t in zip(names, types) if t == 'c']
        others = {t for t in types if t != 'c'}
        print('# %s: categorical %s; other types %s' % (model.split('/')[-1], ','.join(got) or '-', sorted(others)))
        assert others <= {'float', 'q', 'int', 'i'}, others
        assert set(got) == set(cats) and len(got) == len(cats), ('categorical', got, 'want', cats)
        bst = xgb.Booster(model_file=model)
        assert list(bst.feature_types) == list(types), bst.feature_types
    return 0


def cmd_agree(model, data, pred, cats, margin='prob'):
    """xgboost.Booster(model_file=MODEL) on DATA (a DMatrix with enable_categorical and
    'c' for CATS) vs gbpredict's PRED: rel diff <= 1e-5 on every value."""
    import xgboost as xgb
    cats = cats_of(cats)
    bst = xgb.Booster(model_file=model)
    df = load(data)
    dm = dmatrix(df, bst.feature_names, cats)
    px = bst.predict(dm, output_margin=(margin == 'margin')).reshape(len(df), -1).astype(np.float64)
    po = read_pred(pred)
    if po.shape != px.shape:
        print('    shapes differ: gbpredict %s, xgboost %s' % (po.shape, px.shape))
        return 1
    r = rel_diff(po, px)
    print('# %s vs xgboost (%s): max rel diff %.3g over %d values' % (pred.split('/')[-1], margin, r.max(), r.size))
    if not (r.max() <= 1e-5):
        i = np.unravel_index(np.argmax(r), r.shape)
        row = df.iloc[i[0]][bst.feature_names].to_dict()
        print('    worst row %d %s: gbpredict %r xgboost %r' % (i[0], row, po[i], px[i]))
        return 1
    return 0


def cmd_odd_rows(data, cats):
    """How many TEST rows hold each kind of unusual category value (for the log)."""
    df = load(data)
    for c in cats_of(cats):
        v = df[c].to_numpy()
        print('# %s: %d NaN, %d negative, %d non-integer, %d >= 2^24, %d > 65533, max %g' % (
            c, np.isnan(v).sum(), (v < 0).sum(), ((v != np.floor(v)) & ~np.isnan(v)).sum(),
            (v >= 2 ** 24).sum(), (v > 65533).sum(), np.nanmax(v)))
    return 0


def auc(y, p):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(y, p)


def cmd_quality(train, test, label, ours_cat, ours_num, cats, *kv):
    """gbtrain's categorical model (OURS_CAT, predictions of TEST) against xgboost
    with the same categorical settings: AUC >= xgboost's - 0.002; and > gbtrain's
    own AUC with the columns numeric (OURS_NUM)."""
    import xgboost as xgb
    cats = cats_of(cats)
    tr, te = load(train), load(test)
    names = features_of(tr, label)
    p, rounds = params('binary:logistic', kv)
    bx = xgb.train(p, dmatrix(tr, names, cats, label), rounds)
    y = te[label].to_numpy()
    ax = auc(y, bx.predict(dmatrix(te, names, cats)))
    ac = auc(y, read_pred(ours_cat)[:, 0])
    an = auc(y, read_pred(ours_num)[:, 0])
    print('# quality (test AUC): gbtrain categorical %.5f, xgboost categorical %.5f, gbtrain numeric %.5f' % (ac, ax, an))
    assert ac >= ax - 0.002, 'worse than xgboost by more than 0.002'
    assert ac > an, 'categorical no better than numeric'
    return 0


def cmd_xgb_auc(train, test, label, cats, *kv):
    """xgboost's test AUC with the given categorical columns (for the log)."""
    import xgboost as xgb
    cats = cats_of(cats)
    tr, te = load(train), load(test)
    names = features_of(tr, label)
    p, rounds = params('binary:logistic', kv)
    bx = xgb.train(p, dmatrix(tr, names, cats, label), rounds)
    print('%.6f' % auc(te[label].to_numpy(), bx.predict(dmatrix(te, names, cats))))
    return 0


def cmd_auc_parity(train, test, label, ours, cats, *kv):
    """Test AUC of gbtrain's predictions OURS >= xgboost's (same settings) - 0.002."""
    import xgboost as xgb
    cats = cats_of(cats)
    tr, te = load(train), load(test)
    names = features_of(tr, label)
    p, rounds = params('binary:logistic', kv)
    bx = xgb.train(p, dmatrix(tr, names, cats, label), rounds)
    y = te[label].to_numpy()
    ax = auc(y, bx.predict(dmatrix(te, names, cats)))
    ao = auc(y, read_pred(ours)[:, 0])
    print('# test AUC: gbtrain %.5f, xgboost %.5f (categorical: %s, %d train / %d test rows)' % (
        ao, ax, ','.join(cats) or '-', len(tr), len(te)))
    return 0 if ao >= ax - 0.002 else 1


def cmd_split(src, train_out, test_out):
    """An 80/20 split by a hash of userId (scripts/tkdata.split_table, as the demo does)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
    import tkdata
    print('# split: %d train, %d test rows' % tkdata.split_table(src, train_out, test_out))
    return 0


def write_h5(path, cols):
    import h5py
    with h5py.File(path, 'w') as f:
        g = f.create_group('features')
        for k, v in cols.items():
            g.create_dataset(k, data=v)
        g.attrs['columns'] = list(cols)


def cmd_bad_inputs(d, out):
    """Training files with one bad value in a categorical column, in the second or
    third rank's slice of the rows (np=3); each has an earlier clean stretch. The
    value's row (1-based data row) is in the file name's table below."""
    tr = load(d + '/catbin_train.h5')
    cases = {
        'neg': ('c20', 2100, -1.0),        # data row 2101 (and 2500 later: the first is named)
        'frac': ('c20', 1500, 2.5),        # data row 1501
        'huge': ('c500', 2999, 2.0 ** 24),  # data row 3000
        'above': ('c3', 1200, 70000.0),    # data row 1201
    }
    for tag, (col, i, v) in cases.items():
        x = tr.copy()
        x.loc[i, col] = v
        if tag == 'neg':
            x.loc[2499, col] = -3.0
        write_h5(out + '/bad_%s.h5' % tag, {k: x[k].to_numpy() for k in x.columns})
        if tag == 'frac':  # CSV copy too: the message names the file's line or the row
            x.to_csv(out + '/bad_frac.csv', index=False, na_rep='')
    # largest category allowed: 65533 (trains)
    x = tr.copy(); x.loc[10, 'c3'] = 65533.0
    write_h5(out + '/max_ok.h5', {k: x[k].to_numpy() for k in x.columns})
    x = tr.copy(); x.loc[10, 'c3'] = 65534.0
    write_h5(out + '/above1.h5', {k: x[k].to_numpy() for k in x.columns})
    return 0


if __name__ == '__main__':
    sys.exit(globals()['cmd_' + sys.argv[1]](*sys.argv[2:]))
