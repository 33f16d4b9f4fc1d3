#!/usr/bin/python3
"""The data shapes of scripts/bench-gbtrain: generate them, sample them.

Usage: /usr/bin/python3 scripts/bench/gb_shapes.py names
       /usr/bin/python3 scripts/bench/gb_shapes.py info NAME SCALE
       /usr/bin/python3 scripts/bench/gb_shapes.py gen NAME SCALE OUTDIR
       /usr/bin/python3 scripts/bench/gb_shapes.py sample SRC_H5 ROWS OUT_H5

names   prints the shape names, comma-separated, in the benchmark's order.
info    prints KEY=VALUE lines for shape NAME at SCALE (rows multiplied by
        SCALE): ROWS NTRAIN NTEST FEATURES CLASSES OBJECTIVE DEPTH and PARAMS,
        the one-line description of everything the data depends on (the
        caller keeps it in the .complete stamp and regenerates when it
        changes). Fast: sklearn is not imported.
gen     writes OUTDIR/train.h5 (the first 80% of the rows) and OUTDIR/test.h5
        (the rest): group /features, one 1-D float32 dataset per feature
        (f0, f1, ...; NaN is a missing value), the uint8 label `label` (0/1,
        or 0..K-1), the group attribute `columns` (the features, then label).
sample  copies the first ROWS rows of every dataset of SRC_H5's /features
        (all rows when it has fewer) into OUT_H5, same layout.

Shapes at scale 1 (sklearn.datasets.make_classification, flip_y 0.01,
class_sep 1.0, shuffled rows and columns, fixed random_state per shape):
  dense       2M x 28, binary; 20 informative, 4 redundant; random_state 7
  wide        500k x 300, binary; 40 informative, 20 redundant; random_state
              11; the 100 columns f0, f3, f6, ... (j % 3 == 0) standardised
              and quantized to 16 levels (clip(floor(2 z), -8, 7)); then 20%
              of all feature values set to NaN, each cell independently
              (numpy default_rng(1011), one draw per column in column order)
  tall        10M x 8, binary; 6 informative, 2 redundant; random_state 23
  multiclass  500k x 50, 10 classes; 30 informative, 5 redundant, one
              cluster per class; random_state 29; multi:softprob
  deep        1M x 28, binary; 20 informative, 4 redundant; random_state 13;
              trained with max depth 10 (the other shapes: 6)
  small       20k x 28, binary; 20 informative, 4 redundant; random_state 17
"""
import sys

VERSION = "gb_shapes 1"
MIN_ROWS = 500
TRAIN_FRACTION = (8, 10)   # the first 8/10 of the rows are the train file

_BIN = dict(n_informative=20, n_redundant=4, n_repeated=0, n_classes=2,
            n_clusters_per_class=2, flip_y=0.01, class_sep=1.0)
SHAPES = {
    "dense": dict(rows=2_000_000, features=28, depth=6,
                  gen=dict(_BIN, random_state=7)),
    "wide": dict(rows=500_000, features=300, depth=6,
                 gen=dict(_BIN, n_informative=40, n_redundant=20, random_state=11),
                 quantize_every=3, levels=16, missing=0.2, missing_seed=1011),
    "tall": dict(rows=10_000_000, features=8, depth=6,
                 gen=dict(_BIN, n_informative=6, n_redundant=2, random_state=23)),
    "multiclass": dict(rows=500_000, features=50, depth=6,
                       gen=dict(_BIN, n_informative=30, n_redundant=5, n_classes=10,
                                n_clusters_per_class=1, random_state=29)),
    "deep": dict(rows=1_000_000, features=28, depth=10,
                 gen=dict(_BIN, random_state=13)),
    "small": dict(rows=20_000, features=28, depth=6,
                  gen=dict(_BIN, random_state=17)),
}


def die(msg, status=2):
    print("gb_shapes: " + msg, file=sys.stderr)
    sys.exit(status)


def shape(name, scale):
    if name not in SHAPES:
        die("unknown shape '%s' (shapes: %s)" % (name, ",".join(SHAPES)))
    try:
        f = float(scale)
    except ValueError:
        die("SCALE must be a number, not '%s'" % scale)
    if not f > 0:
        die("SCALE must be positive, not '%s'" % scale)
    s = dict(SHAPES[name])
    s["name"] = name
    s["rows"] = max(MIN_ROWS, int(s["rows"] * f + 0.5))
    s["ntrain"] = s["rows"] * TRAIN_FRACTION[0] // TRAIN_FRACTION[1]
    s["ntest"] = s["rows"] - s["ntrain"]
    s["classes"] = s["gen"]["n_classes"]
    s["objective"] = "binary:logistic" if s["classes"] == 2 else "multi:softprob"
    return s


def versions():
    from importlib.metadata import version
    return "sklearn %s, numpy %s" % (version("scikit-learn"), version("numpy"))


def params(s):
    g = s["gen"]
    p = ["%s: %s" % (VERSION, s["name"]), "rows=%d" % s["rows"], "features=%d" % s["features"],
         "make_classification(" + ", ".join("%s=%s" % (k, g[k]) for k in sorted(g)) + ")"]
    if "quantize_every" in s:
        p.append("quantized: columns j %% %d == 0 to %d levels" % (s["quantize_every"], s["levels"]))
    if "missing" in s:
        p.append("missing=%g per cell (default_rng(%d))" % (s["missing"], s["missing_seed"]))
    p.append("train=first %d/%d" % TRAIN_FRACTION)
    p.append(versions())
    return "; ".join(p)


def write_h5(path, X, y, names):
    import h5py
    import numpy as np
    with h5py.File(path, "w") as f:
        g = f.create_group("features")
        for j, c in enumerate(names):
            g.create_dataset(c, data=np.ascontiguousarray(X[:, j], dtype=np.float32))
        g.create_dataset("label", data=y.astype(np.uint8))
        g.attrs["columns"] = np.array(names + ["label"], dtype=h5py.string_dtype())


def generate(s, outdir):
    import numpy as np
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=s["rows"], n_features=s["features"], shuffle=True,
                               **s["gen"])
    X = X.astype(np.float32)
    if "quantize_every" in s:
        half = s["levels"] // 2
        for j in range(0, s["features"], s["quantize_every"]):
            c = X[:, j].astype(np.float64)
            z = (c - c.mean()) / c.std()
            X[:, j] = np.clip(np.floor(2.0 * z), -half, half - 1)
    if "missing" in s:
        rng = np.random.default_rng(s["missing_seed"])
        for j in range(s["features"]):
            X[rng.random(s["rows"]) < s["missing"], j] = np.nan
    names = ["f%d" % j for j in range(s["features"])]
    n = s["ntrain"]
    write_h5(outdir + "/train.h5", X[:n], y[:n], names)
    write_h5(outdir + "/test.h5", X[n:], y[n:], names)
    print("gb_shapes: %s: %d train rows, %d test rows, %d features, %d classes, %.1f%% NaN"
          % (s["name"], n, s["rows"] - n, s["features"], s["classes"],
             100.0 * np.isnan(X).mean()), file=sys.stderr)


def sample(src, rows, out):
    import h5py
    import numpy as np
    with h5py.File(src, "r") as f, h5py.File(out, "w") as o:
        g = f["features"]
        h = o.create_group("features")
        cols = [c.decode() if isinstance(c, bytes) else str(c) for c in g.attrs["columns"]]
        for c in cols:
            d = g[c]
            h.create_dataset(c, data=np.ascontiguousarray(d[:min(rows, d.shape[0])]))
        h.attrs["columns"] = g.attrs["columns"]
        n = h[cols[-1]].shape[0]
    print("gb_shapes: sample of %d rows of %s in %s" % (n, src, out), file=sys.stderr)


def main(argv):
    if len(argv) >= 1 and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv == ["names"]:
        print(",".join(SHAPES))
    elif len(argv) == 3 and argv[0] == "info":
        s = shape(argv[1], argv[2])
        for k in ("rows", "ntrain", "ntest", "features", "classes", "objective", "depth"):
            print("%s=%s" % (k.upper(), s[k]))
        print("PARAMS=" + params(s))
    elif len(argv) == 4 and argv[0] == "gen":
        generate(shape(argv[1], argv[2]), argv[3])
    elif len(argv) == 4 and argv[0] == "sample":
        try:
            rows = int(argv[2])
        except ValueError:
            die("ROWS must be an integer, not '%s'" % argv[2])
        sample(argv[1], rows, argv[3])
    else:
        die("usage: gb_shapes.py names | info NAME SCALE | gen NAME SCALE OUTDIR | "
            "sample SRC_H5 ROWS OUT_H5 (--help)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
