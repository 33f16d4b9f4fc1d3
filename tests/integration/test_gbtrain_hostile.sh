#!/usr/bin/env bash
# test_gbtrain_hostile.sh -- gbtrain and model files under hostile conditions
# (issue 9, "never a wrong result under a success status"): clashing output
# paths, an existing MODEL_OUT, FIFOs and folders as model files, the deepest
# documented trees, many classes, duplicate feature names, --resume without
# MODEL_OUT, cyclic trees. Oracle: python3-xgboost 1.7 (/usr/bin/python3).
# GBTRAIN / GBPREDICT override the programs (to run it against old builds).
source "$(dirname "$0")/lib.sh"
GB=${GBTRAIN:-$ROOT/bin/gbtrain}
GP=${GBPREDICT:-$ROOT/bin/gbpredict}
D="$WORK/d"; mkdir -p "$D"
H="$WORK/hostile.py"

cat >"$H" <<'PYEOF'
import json, sys
import numpy as np, h5py

def write(path, cols):
    with h5py.File(path, 'w') as f:
        g = f.create_group('features')
        for k, v in cols.items():
            g.create_dataset(k, data=v)
        g.attrs['columns'] = list(cols)

def cmd_data(d):
    rs = np.random.RandomState(3)
    n = 2000
    X = rs.randn(n, 6).astype(np.float32)
    y = ((X[:, 0] + X[:, 1] * X[:, 2] + 0.3 * rs.randn(n)) > 0).astype(np.float32)
    X[rs.rand(n, 6) < 0.05] = np.nan
    cols = {'f%d' % j: X[:, j] for j in range(6)}
    cols['label'] = y
    write(d + '/small.h5', cols)
    write(d + '/valid.h5', {k: v[:500] for k, v in cols.items()})
    # a chain: y = 3^33, 3^32, ... on the 34 largest x, 0 elsewhere; with
    # lambda 0 and base_score 0 every split peels off the largest: depth 30
    x = rs.permutation(n).astype(np.float32)
    yy = np.zeros(n, np.float32)
    yy[np.argsort(-x)[:34]] = 3.0 ** np.arange(33, -1, -1)
    write(d + '/deep.h5', {'x': x, 'x2': rs.randn(n).astype(np.float32), 'y': yy})
    # 1000 classes on 2000 rows
    write(d + '/k1000.h5', dict({'f%d' % j: rs.randn(n).astype(np.float32) for j in range(8)},
                                label=(np.arange(n) % 1000).astype(np.float32)))
    return 0

def cmd_agree(model, data, pred):
    """xgboost.Booster(model_file=MODEL) on DATA == gbpredict's CSV (rel 1e-5)."""
    import xgboost as xgb, pandas as pd
    bst = xgb.Booster(model_file=model)
    with h5py.File(data, 'r') as f:
        X = np.column_stack([f['features'][c][:] for c in bst.feature_names]).astype(np.float32)
    px = bst.predict(xgb.DMatrix(X, feature_names=bst.feature_names, missing=np.nan))
    px = px.reshape(len(X), -1).astype(np.float64)
    po = pd.read_csv(pred).to_numpy(dtype=np.float64)
    if po.shape != px.shape:
        print('    shapes differ: gbpredict %s, xgboost %s' % (po.shape, px.shape))
        return 1
    d = np.abs(po - px) / np.maximum(1e-30, np.maximum(np.abs(po), np.abs(px)))
    d[po == px] = 0
    print('# %s: gbpredict vs xgboost max rel diff %.3g over %d values' % (pred.split('/')[-1], d.max(), d.size))
    return 0 if d.max() <= 1e-5 else 1

def cmd_depth(model, want):
    """The deepest leaf of the model's trees is at depth WANT."""
    m = json.load(open(model))
    best = 0
    for t in m['learner']['gradient_booster']['model']['trees']:
        L, st = t['left_children'], [(0, 0)]
        while st:
            n, dep = st.pop()
            best = max(best, dep)
            if L[n] >= 0:
                st += [(L[n], dep + 1), (t['right_children'][n], dep + 1)]
    print('# %s: deepest leaf at depth %d' % (model.split('/')[-1], best))
    return 0 if best == int(want) else 1

def cmd_same_as_xgboost(data, model, depth):
    """xgboost hist with the same parameters grows the same chain: the same
    children, split features and thresholds in every tree (leaf values
    differ in the last float digits: sums of values up to 3^33)."""
    import xgboost as xgb
    with h5py.File(data, 'r') as f:
        X = np.column_stack([f['features'][c][:] for c in ('x', 'x2')]).astype(np.float32)
        y = f['features']['y'][:]
    p = {'objective': 'reg:squarederror', 'tree_method': 'hist', 'max_depth': int(depth),
         'lambda': 0.0, 'base_score': 0.0, 'max_bin': 4096, 'eta': 0.3, 'nthread': 2}
    bst = xgb.train(p, xgb.DMatrix(X, label=y, feature_names=['x', 'x2']), 3)
    tx = json.loads(bst.save_raw('json'))['learner']['gradient_booster']['model']['trees']
    to = json.load(open(model))['learner']['gradient_booster']['model']['trees']
    same = len(tx) == len(to)
    for a, b in zip(tx, to):
        split = [i for i, l in enumerate(a['left_children']) if l >= 0]
        same = same and a['left_children'] == b['left_children'] and all(
            a['split_indices'][i] == b['split_indices'][i] and
            a['split_conditions'][i] == b['split_conditions'][i] for i in split)
    print('# depth %s chain: xgboost grows %s trees (%s nodes)' % (
        depth, 'the same' if same else 'other', [len(t['left_children']) for t in tx]))
    return 0 if same else 1

def cmd_dup_names(src, out):
    """A copy of model SRC listing its first feature name twice; xgboost
    itself refuses duplicate names (DMatrix: feature_names must be unique)."""
    import xgboost as xgb
    m = json.load(open(src))
    names = m['learner']['feature_names']
    names[2] = names[0]
    json.dump(m, open(out, 'w'))
    try:
        xgb.DMatrix(np.zeros((1, len(names)), np.float32), feature_names=names)
    except ValueError as e:
        print('# xgboost refuses them too: %s' % e)
        return 0
    return 1

def cmd_cycle(src, out):
    """A copy of model SRC whose first tree has a leaf pointing back to the root."""
    m = json.load(open(src))
    t = m['learner']['gradient_booster']['model']['trees'][0]
    leaf = next(i for i, l in enumerate(t['left_children']) if l == -1)
    t['left_children'][leaf], t['right_children'][leaf] = 0, 1
    json.dump(m, open(out, 'w'))
    return 0

if __name__ == '__main__':
    sys.exit(globals()['cmd_' + sys.argv[1]](*sys.argv[2:]))
PYEOF
hp() { $PY "$H" "$@"; }

if ! hp data "$D"; then not_ok "hostile.py writes the data"; finish; exit; fi
ok "hostile.py writes the data"
SYN=(--label label --objective binary:logistic --num-round 5 --no-progress)
O="$WORK/o"; mkdir -p "$O"

# ============ 1. clashing output paths, an existing MODEL_OUT
cp "$D/small.h5" "$O/train.h5"; cp "$D/valid.h5" "$O/valid.h5"
cp "$D/small.h5" "$O/train.orig"; cp "$D/valid.h5" "$O/valid.orig"
inputs_intact() { cmp -s "$O/train.h5" "$O/train.orig" && cmp -s "$O/valid.h5" "$O/valid.orig"; }
expect_status "--eval-log = MODEL_OUT: usage error" 64 2 "$GB" "${SYN[@]}" --eval-log "$O/m.json" "$O/train.h5" "$O/m.json"
err_has "--eval-log = MODEL_OUT names both paths" "gbtrain: error: .*MODEL_OUT $O/m.json and --eval-log $O/m.json are the same file"
check "--eval-log = MODEL_OUT: nothing written" test ! -e "$O/m.json"
expect_status "--eval-log = TRAIN: usage error" 64 2 "$GB" "${SYN[@]}" --eval-log "$O/train.h5" "$O/train.h5" "$O/m.json"
err_has "--eval-log = TRAIN names both paths" "\-\-eval-log $O/train.h5 and TRAIN $O/train.h5 are the same file"
expect_status "--eval-log = VALID (another spelling): usage error" 64 1 "$GB" "${SYN[@]}" --valid "$O/valid.h5" --eval-log "$O/../o/./valid.h5" "$O/train.h5" "$O/m.json"
err_has "--eval-log = VALID names both paths" "\-\-eval-log $O/../o/./valid.h5 and --valid $O/valid.h5 are the same file"
expect_status "MODEL_OUT = TRAIN, even with --overwrite: usage error" 64 2 "$GB" "${SYN[@]}" --overwrite "$O/train.h5" "$O/train.h5"
err_has "MODEL_OUT = TRAIN names both paths" "MODEL_OUT $O/train.h5 and TRAIN $O/train.h5 are the same file"
ln -s train.h5 "$O/link.json"
expect_status "MODEL_OUT a symlink to TRAIN: usage error" 64 2 "$GB" "${SYN[@]}" --overwrite "$O/train.h5" "$O/link.json"
err_has "MODEL_OUT a symlink to TRAIN names both" "MODEL_OUT $O/link.json and TRAIN $O/train.h5 are the same file"
ln "$O/valid.h5" "$O/hard.json"
expect_status "MODEL_OUT a hard link to VALID: usage error" 64 2 "$GB" "${SYN[@]}" --overwrite --valid "$O/valid.h5" "$O/train.h5" "$O/hard.json"
err_has "MODEL_OUT a hard link to VALID names both" "MODEL_OUT $O/hard.json and --valid $O/valid.h5 are the same file"
expect_status "--eval-log = the importance file: usage error" 64 2 "$GB" "${SYN[@]}" --eval-log "$O/m.json.importance.csv" "$O/train.h5" "$O/m.json"
err_has "--eval-log = the importance file names both" "importance file $O/m.json.importance.csv and --eval-log $O/m.json.importance.csv are the same file"
cp "$D/small.h5" "$O/train.importance.csv"
expect_status "MODEL_OUT.importance.csv = TRAIN: usage error" 64 2 "$GB" "${SYN[@]}" "$O/train.importance.csv" "$O/train"
err_has "MODEL_OUT.importance.csv = TRAIN names both" "importance file $O/train.importance.csv and TRAIN $O/train.importance.csv are the same file"
check "no input was touched by the refused runs" inputs_intact
cp "$O/train.orig" "$O/train.h5"; cp "$O/valid.orig" "$O/valid.h5" # for the checks below, whatever happened
echo keep >"$O/exists.json"
expect_status "existing MODEL_OUT without --overwrite: can't create" 73 2 "$GB" "${SYN[@]}" "$O/train.h5" "$O/exists.json"
err_has "existing MODEL_OUT message (as gbpredict's)" "gbtrain: error: $O/exists.json already exists \(use --overwrite\)"
check "existing MODEL_OUT untouched" test "$(cat "$O/exists.json")" = keep
expect_status "existing MODEL_OUT with --overwrite" 0 2 "$GB" "${SYN[@]}" --overwrite "$O/train.h5" "$O/exists.json"
expect_status "gbpredict on the overwritten model" 0 2 "$GP" "$O/exists.json" "$O/train.h5" "$O/exists.pred.csv"
check "overwritten model: xgboost predicts what gbpredict predicts" hp agree "$O/exists.json" "$O/train.h5" "$O/exists.pred.csv"
expect_status "gbtrain --help" 0 1 "$GB" --help
check "--help documents --overwrite" grep -q -- '--overwrite' "$WORK/out"

# ============ 2. FIFOs and folders as model files (never a hang)
mkfifo "$O/fifo.json"
MPI_TIMEOUT=20 expect_status "gbpredict: MODEL a FIFO without a writer" 66 2 "$GP" "$O/fifo.json" "$O/train.h5" "$O/p.csv"
err_has "FIFO model: not a regular file" "gbpredict: error: $O/fifo.json: not a regular file"
mkdir "$O/folder.json"
expect_status "gbpredict: MODEL a folder" 66 2 "$GP" "$O/folder.json" "$O/train.h5" "$O/p.csv"
err_has "folder model: not a regular file" "gbpredict: error: $O/folder.json: not a regular file"
MPI_TIMEOUT=20 expect_status "gbtrain --resume: MODEL_OUT a FIFO" 66 2 "$GB" "${SYN[@]}" --resume "$O/train.h5" "$O/fifo.json"
err_has "gbtrain --resume FIFO: not a regular file" "gbtrain: error: $O/fifo.json: not a regular file"
expect_status "gbtrain --resume: MODEL_OUT a folder" 66 2 "$GB" "${SYN[@]}" --resume "$O/train.h5" "$O/folder.json"
check "no prediction file written" test ! -e "$O/p.csv"

# ============ 3. the deepest documented trees (--max-depth up to 30)
for depth in 28 29 30; do
  for np in 1 2; do
    expect_status "--max-depth $depth np=$np" 0 "$np" "$GB" "${SYN[@]}" --max-depth "$depth" --min-child-weight 0 "$D/small.h5" "$O/d$depth.$np.json"
  done
  check "--max-depth $depth: model bytes np=1 == np=2" same_file "$O/d$depth.1.json" "$O/d$depth.2.json"
  expect_status "gbpredict on the depth-$depth model" 0 2 "$GP" "$O/d$depth.2.json" "$D/small.h5" "$O/d$depth.csv"
  check "--max-depth $depth: xgboost predicts what gbpredict predicts" hp agree "$O/d$depth.2.json" "$D/small.h5" "$O/d$depth.csv"
done
# exact sums: the chain's gradients span 3^33 to 1, far beyond the 16 bits
# of a quantized gradient (README: "How gbtrain is fast")
CHAIN=(--label y --num-round 3 --max-depth 30 --max-bin 4096 --lambda 0 --base-score 0 --no-progress --no-quantized-grad)
for np in 1 2; do
  expect_status "a chain 30 splits deep np=$np" 0 "$np" "$GB" "${CHAIN[@]}" "$D/deep.h5" "$O/chain.$np.json"
done
check "the chain's trees reach depth 30" hp depth "$O/chain.1.json" 30
check "depth-30 chain: model bytes np=1 == np=2" same_file "$O/chain.1.json" "$O/chain.2.json"
expect_status "gbpredict on the depth-30 chain" 0 2 "$GP" "$O/chain.2.json" "$D/deep.h5" "$O/chain.csv"
check "depth-30 chain: xgboost predicts what gbpredict predicts" hp agree "$O/chain.2.json" "$D/deep.h5" "$O/chain.csv"
check "depth-30 chain: xgboost grows the same trees" hp same_as_xgboost "$D/deep.h5" "$O/chain.1.json" 30

# ============ 4. multi:softprob with 1000 classes: linear in K (was ~11 s a round)
t0=$(date +%s%N)
MPI_TIMEOUT=10 expect_status "1000 classes, 2 rounds on 2000 rows, within 10 s" 0 1 "$GB" --label label --objective multi:softprob --num-class 1000 --num-round 2 --no-progress "$D/k1000.h5" "$O/k1000.json"
echo "# 1000 classes, 2 rounds: $(( ($(date +%s%N) - t0) / 1000000 )) ms wall"
expect_status "gbpredict on the 1000-class model" 0 2 "$GP" "$O/k1000.json" "$D/k1000.h5" "$O/k1000.csv"
check "1000 classes: xgboost predicts what gbpredict predicts" hp agree "$O/k1000.json" "$D/k1000.h5" "$O/k1000.csv"

# ============ 5. duplicate feature names
expect_status "--features f1,f1: usage error" 64 2 "$GB" "${SYN[@]}" --features f1,f2,f1 "$D/small.h5" "$O/dup.json"
err_has "--features duplicate is named" "gbtrain: error: --features names 'f1' twice"
check "a model listing a feature twice (xgboost refuses the names)" hp dup_names "$O/exists.json" "$O/dupnames.json"
expect_status "gbpredict: a model listing a feature twice" 65 2 "$GP" "$O/dupnames.json" "$O/train.h5" "$O/pd.csv"
err_has "duplicate model feature is named" "gbpredict: error: .*dupnames.json: learner.feature_names: 'f0' appears twice"

# ============ 6. --resume without MODEL_OUT: said on rank 0, then from scratch
expect_status "--resume without MODEL_OUT np=2" 0 2 "$GB" "${SYN[@]}" --resume "$O/train.h5" "$O/fresh.json"
err_has "--resume without MODEL_OUT says so" "^gbtrain: --resume: MODEL_OUT $O/fresh.json does not exist; starting from round 0$"
check "... once (rank 0 only)" test "$(grep -c 'does not exist; starting from round 0' "$WORK/err")" -eq 1
expect_status "the same run without --resume" 0 1 "$GB" "${SYN[@]}" "$O/train.h5" "$O/plain.json"
check "--resume from nothing == a plain run" same_file "$O/plain.json" "$O/fresh.json"

# ============ 7. a tree whose child points back to the root
check "a model with a cyclic tree" hp cycle "$O/exists.json" "$O/cycle.json"
expect_status "gbpredict: a cyclic tree is a data error" 65 2 "$GP" "$O/cycle.json" "$O/train.h5" "$O/pc.csv"
err_has "a cyclic tree says cycle" "gbpredict: error: .*cycle.json: tree 0: .*cycle"

finish
