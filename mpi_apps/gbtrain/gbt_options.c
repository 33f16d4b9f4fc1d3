/* gbt_options.c -- gbtrain's command line: XGBoost's parameter names and
 * defaults, one table for parsing and --help. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_fs.h"
#include "tk_opt.h"

static const char *const metric_names[] = { "rmse",  "mae",      "logloss", "error",
                                            "auc",   "mlogloss", "merror" };

const char *gbt_metric_name(gbt_metric_id m)
{
    return metric_names[m];
}

/* Metrics on the transformed predictions that make sense for an objective. */
static int metric_fits(tk_objective o, gbt_metric_id m)
{
    switch (o) {
    case TK_OBJ_SQUAREDERROR:
        return m == GBT_RMSE || m == GBT_MAE;
    case TK_OBJ_LOGISTIC:
        return m == GBT_LOGLOSS || m == GBT_ERROR || m == GBT_AUC || m == GBT_RMSE ||
               m == GBT_MAE;
    case TK_OBJ_SOFTPROB:
        return m == GBT_MLOGLOSS || m == GBT_MERROR;
    }
    return 0;
}

static const char gbt_arguments[] =
    "  TRAIN      HDF5 file with a group of 1-D columns (logjoin's features.h5), or a\n"
    "             CSV file with a header (';' or ',')\n"
    "  MODEL_OUT  the model, XGBoost 1.7 JSON (also MODEL_OUT.importance.csv)\n";

static const char gbt_example[] =
    "  mpirun -np 4 gbtrain --label paid --objective binary:logistic --num-round 100 \\\n"
    "      --valid valid.h5 --eval-metric auc --early-stopping-rounds 10 \\\n"
    "      data/out/features.h5 model.json\n"
    "  mpirun -np 2 gbtrain --label paid --objective binary:logistic \\\n"
    "      --categorical topGenderId,region,type --weight w train.h5 model.json\n"
    "  mpirun -np 2 gbtrain --label paid --objective binary:logistic --num-round 300 \\\n"
    "      --eval-metric logloss,auc --early-stopping-rounds 20 --cv-folds 5 --fold-key userId \\\n"
    "      --cv-grid 'max_depth=4,6;eta=0.1,0.3' --cv-refit train.h5 model.json\n";

/* Over 80 lines: most of it is the option table (one entry per option, the
 * help text's source), which reads best in one piece; the checks after
 * tk_opt_parse are one per option rule, in the order they are reported. */
/* XGBoost's defaults. */
static void set_defaults(gbt_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->exclude = "userId";
    cfg->group = "/features";
    cfg->objective_name = tk_objective_name(TK_OBJ_SQUAREDERROR);
    cfg->num_round = 10;
    cfg->eta = 0.3;
    cfg->max_depth = 6;
    cfg->min_child_weight = 1;
    cfg->lambda = 1;
    cfg->subsample = cfg->colsample_bytree = cfg->colsample_bylevel = cfg->colsample_bynode = 1;
    cfg->max_bin = 256;
    cfg->base_score = 0.5;
    cfg->scale_pos_weight = 1;
    cfg->progress = 1;
    cfg->eval_train = -1;
    cfg->quantized_grad = 1;
    cfg->top_features = 10;
    cfg->max_cat = 64;
    cfg->max_cat_to_onehot = 4;
    cfg->max_cat_threshold = 64;
    cfg->cv_parallel_name = "auto";
}

/* Adds the metric named name[0..n) to cfg->metrics. */
static int add_metric(gbt_config *cfg, const char *name, size_t n, tk_err *e)
{
    size_t i, nm = sizeof(metric_names) / sizeof(metric_names[0]);
    int j;

    for (i = 0; i < nm && (strlen(metric_names[i]) != n || strncmp(name, metric_names[i], n)); i++)
        ;
    if (i == nm)
        return tk_err_set(e, TK_EUSAGE, "unknown --eval-metric '%.*s' (%s)", (int)n, name,
                          "rmse, mae, logloss, error, auc, mlogloss, merror");
    if (!metric_fits(cfg->objective, (gbt_metric_id)i))
        return tk_err_set(e, TK_EUSAGE, "--eval-metric %s does not fit objective %s",
                          metric_names[i], cfg->objective_name);
    for (j = 0; j < cfg->nmetrics; j++)
        if (cfg->metrics[j] == (gbt_metric_id)i)
            return tk_err_set(e, TK_EUSAGE, "--eval-metric names %s twice", metric_names[i]);
    cfg->metrics[cfg->nmetrics++] = (gbt_metric_id)i;
    return TK_OK;
}

/* cfg->metrics from the --eval-metric values (each a name or a comma list,
 * in order), or the objective's default metric. */
static int parse_metrics(gbt_config *cfg, tk_err *e)
{
    int k;

    cfg->nmetrics = 0;
    for (k = 0; k < cfg->metric_args.n; k++) {
        const char *p = cfg->metric_args.v[k];
        for (;;) {
            size_t len = strcspn(p, ",");
            if (add_metric(cfg, p, len, e) != TK_OK)
                return e->status;
            if (!p[len])
                break;
            p += len + 1;
        }
    }
    if (cfg->nmetrics == 0)
        cfg->metrics[cfg->nmetrics++] = cfg->objective == TK_OBJ_SQUAREDERROR ? GBT_RMSE
                                        : cfg->objective == TK_OBJ_LOGISTIC   ? GBT_LOGLOSS
                                                                              : GBT_MLOGLOSS;
    cfg->metric = cfg->metrics[cfg->nmetrics - 1];
    return TK_OK;
}

/* The cross-validation options' rules. */
static int check_cv(gbt_config *cfg, tk_err *e)
{
    if (strcmp(cfg->cv_parallel_name, "auto") == 0)
        cfg->cv_parallel = GBT_CV_AUTO;
    else if (strcmp(cfg->cv_parallel_name, "rows") == 0)
        cfg->cv_parallel = GBT_CV_ROWS;
    else if (strcmp(cfg->cv_parallel_name, "combos") == 0)
        cfg->cv_parallel = GBT_CV_COMBOS;
    else
        return tk_err_set(e, TK_EUSAGE, "--cv-parallel '%s': auto, rows or combos",
                          cfg->cv_parallel_name);
    const char *other = cfg->fold_key ? "--fold-key" : cfg->fold_col ? "--fold-col"
                        : cfg->cv_grid ? "--cv-grid" : cfg->cv_refit ? "--cv-refit"
                        : cfg->cv_parallel != GBT_CV_AUTO ? "--cv-parallel" : NULL;

    if (!cfg->cv_folds)
        return other ? tk_err_set(e, TK_EUSAGE, "%s needs --cv-folds K", other) : TK_OK;
    if (cfg->cv_folds < 2)
        return tk_err_set(e, TK_EUSAGE, "--cv-folds %lld: K must be at least 2",
                          (long long)cfg->cv_folds);
    if (cfg->fold_key && cfg->fold_col)
        return tk_err_set(e, TK_EUSAGE, "--fold-key and --fold-col exclude each other");
    if (cfg->valid || cfg->resume || cfg->checkpoint_every)
        return tk_err_set(e, TK_EUSAGE, "--cv-folds validates on TRAIN's own folds: %s is for "
                          "a single training",
                          cfg->valid ? "--valid" : cfg->resume ? "--resume" : "--checkpoint-every");
    if ((cfg->fold_key && !*cfg->fold_key) || (cfg->fold_col && !*cfg->fold_col))
        return tk_err_set(e, TK_EUSAGE, "%s names no column",
                          cfg->fold_key ? "--fold-key" : "--fold-col");
    if (cfg->fold_col && (strcmp(cfg->fold_col, cfg->label) == 0 ||
                          (cfg->weight && strcmp(cfg->fold_col, cfg->weight) == 0)))
        return tk_err_set(e, TK_EUSAGE, "--fold-col '%s' is the label or the weight column",
                          cfg->fold_col);
    return TK_OK;
}

/* The checks that span options: objective, classes, metric, early stopping. */
static int check_config(gbt_config *cfg, tk_err *e)
{
    if (tk_objective_parse(cfg->objective_name, &cfg->objective) != 0)
        return tk_err_set(e, TK_EUSAGE,
                          "unknown objective '%s' (reg:squarederror, binary:logistic, "
                          "multi:softprob)",
                          cfg->objective_name);
    if (cfg->objective == TK_OBJ_SOFTPROB && cfg->num_class < 2)
        return tk_err_set(e, TK_EUSAGE, "multi:softprob needs --num-class K with K >= 2");
    if (cfg->objective != TK_OBJ_SOFTPROB && cfg->num_class > 1)
        return tk_err_set(e, TK_EUSAGE, "--num-class is for multi:softprob");
    if (cfg->objective == TK_OBJ_LOGISTIC && !(cfg->base_score > 0 && cfg->base_score < 1))
        return tk_err_set(e, TK_EUSAGE, "--base-score must be in (0, 1) for binary:logistic");
    if (parse_metrics(cfg, e) != TK_OK)
        return e->status;
    if (check_cv(cfg, e) != TK_OK)
        return e->status;
    if (cfg->early_stopping_rounds > 0 && !cfg->valid && !cfg->cv_folds)
        return tk_err_set(e, TK_EUSAGE, "--early-stopping-rounds needs --valid or --cv-folds");
    if (cfg->categorical && strspn(cfg->categorical, ",") == strlen(cfg->categorical))
        return tk_err_set(e, TK_EUSAGE, "--categorical names no column");
    if (cfg->weight && (!*cfg->weight || strcmp(cfg->weight, cfg->label) == 0))
        return tk_err_set(e, TK_EUSAGE, "--weight must name a column other than the label");
    return TK_OK;
}

#define GBT_NOPTS 48 /* room for the option table's entries and its end */

/* Longer than 80 lines: it is the option table, one row per option (data
 * that also drives --help), kept in one place. Fills opts (GBT_NOPTS
 * entries) with the options bound to cfg. */
static void option_table(gbt_config *cfg, tk_opt *opts)
{
    const tk_opt table[] = {
        { "label", TK_OPT_STRING, &cfg->label, 0, 0, "NAME", "the label column (required)",
          NULL },
        { "features", TK_OPT_STRING, &cfg->features, 0, 0, "A,B,C",
          "feature columns, in this order", "every numeric column but the label and --exclude" },
        { "exclude", TK_OPT_STRING, &cfg->exclude, 0, 0, "A,B", "columns never used as features",
          NULL },
        { "group", TK_OPT_STRING, &cfg->group, 0, 0, "NAME", "HDF5 group of the columns", NULL },
        { "valid", TK_OPT_STRING, &cfg->valid, 0, 0, "FILE",
          "validation data with the same columns", "none" },
        { "weight", TK_OPT_STRING, &cfg->weight, 0, 0, "NAME",
          "the column of row weights (>= 0; also VALID's when it has it)", "none" },
        { "categorical", TK_OPT_STRING, &cfg->categorical, 0, 0, "A,B|auto",
          "categorical feature columns (integers 0..65533), or auto: the integer columns "
          "with at most --max-cat values",
          "none" },
        { "max-cat", TK_OPT_INT, &cfg->max_cat, 1, GBT_MAX_CAT + 1, "N",
          "--categorical auto: most distinct values of a categorical column", NULL },
        { "max-cat-to-onehot", TK_OPT_INT, &cfg->max_cat_to_onehot, 1, 1 << 24, "N",
          "categorical features with fewer categories split one against the rest", NULL },
        { "max-cat-threshold", TK_OPT_INT, &cfg->max_cat_threshold, 1, 1 << 24, "N",
          "most categories on the growing side of a partition split", NULL },
        { "objective", TK_OPT_STRING, &cfg->objective_name, 0, 0, "NAME",
          "reg:squarederror, binary:logistic or multi:softprob", NULL },
        { "num-class", TK_OPT_INT, &cfg->num_class, 0, 1 << 20, "K",
          "classes, for multi:softprob", NULL },
        { "num-round", TK_OPT_INT, &cfg->num_round, 0, 1 << 24, "N", "boosting rounds", NULL },
        { "eta", TK_OPT_DOUBLE, &cfg->eta, 0, 1e9, "X", "learning rate", NULL },
        { "max-depth", TK_OPT_INT, &cfg->max_depth, 1, 30, "N", "maximum tree depth", NULL },
        { "min-child-weight", TK_OPT_DOUBLE, &cfg->min_child_weight, 0, INFINITY, "X",
          "minimum hessian sum in a child", NULL },
        { "lambda", TK_OPT_DOUBLE, &cfg->lambda, 0, INFINITY, "X", "L2 regularization", NULL },
        { "alpha", TK_OPT_DOUBLE, &cfg->alpha, 0, INFINITY, "X", "L1 regularization", NULL },
        { "gamma", TK_OPT_DOUBLE, &cfg->gamma, 0, INFINITY, "X",
          "minimum loss reduction to split", NULL },
        { "max-delta-step", TK_OPT_DOUBLE, &cfg->max_delta_step, 0, INFINITY, "X",
          "maximum leaf weight step (0: none)", NULL },
        { "subsample", TK_OPT_DOUBLE, &cfg->subsample, 1e-9, 1, "X",
          "fraction of rows per tree", NULL },
        { "colsample-bytree", TK_OPT_DOUBLE, &cfg->colsample_bytree, 1e-9, 1, "X",
          "fraction of features per tree", NULL },
        { "colsample-bylevel", TK_OPT_DOUBLE, &cfg->colsample_bylevel, 1e-9, 1, "X",
          "fraction of the tree's features per level", NULL },
        { "colsample-bynode", TK_OPT_DOUBLE, &cfg->colsample_bynode, 1e-9, 1, "X",
          "fraction of the level's features per node", NULL },
        { "max-bin", TK_OPT_INT, &cfg->max_bin, 2, 65535, "N",
          "maximum bins per feature (256: 255 for a feature with missing values, so that "
          "bins fit in a byte)",
          NULL },
        { "base-score", TK_OPT_DOUBLE, &cfg->base_score, -INFINITY, INFINITY, "X",
          "initial prediction (a probability for binary:logistic)", NULL },
        { "scale-pos-weight", TK_OPT_DOUBLE, &cfg->scale_pos_weight, 0, INFINITY, "X",
          "weight of positive rows (binary:logistic)", NULL },
        { "seed", TK_OPT_INT, &cfg->seed, 0, (double)INT64_MAX, "N", "sampling seed", NULL },
        { "eval-metric", TK_OPT_LIST, &cfg->metric_args, 0, 0, "NAME",
          "rmse, mae, logloss, error, auc, mlogloss or merror; repeat it or give a comma "
          "list for several (all printed and logged; early stopping watches the last)",
          "rmse, logloss or mlogloss by objective" },
        { "eval-log", TK_OPT_STRING, &cfg->eval_log, 0, 0, "FILE",
          "write the per-round metrics as CSV", "none" },
        { "eval-train", TK_OPT_TOGGLE, &cfg->eval_train, 0, 0, NULL,
          "evaluate the metric on TRAIN every round (as xgboost with TRAIN in evals)",
          "with --eval-log" },
        { "quantized-grad", TK_OPT_TOGGLE, &cfg->quantized_grad, 0, 0, NULL,
          "choose splits from 16-bit gradients (leaf values from the exact sums); "
          "--no-quantized-grad: exact 64-bit sums everywhere",
          "on" },
        { "early-stopping-rounds", TK_OPT_INT, &cfg->early_stopping_rounds, 0, 1 << 24, "N",
          "stop when the last metric on VALID (or its mean over the test folds) has not improved "
          "for N rounds (0: off)", NULL },
        { "checkpoint-every", TK_OPT_INT, &cfg->checkpoint_every, 0, 1 << 24, "K",
          "replace MODEL_OUT atomically every K rounds (0: only at the end)", NULL },
        { "resume", TK_OPT_FLAG, &cfg->resume, 0, 0, NULL,
          "continue from MODEL_OUT up to --num-round rounds in all", NULL },
        { "overwrite", TK_OPT_FLAG, &cfg->overwrite, 0, 0, NULL,
          "replace MODEL_OUT if it exists (the old one stays until the first save)", NULL },
        { "top-features", TK_OPT_INT, &cfg->top_features, 0, 1 << 20, "N",
          "features shown by total gain at the end", NULL },
        { "progress", TK_OPT_TOGGLE, &cfg->progress, 0, 0, NULL, "show the per-round lines",
          "on" },
        { "cv-folds", TK_OPT_INT, &cfg->cv_folds, 0, 1 << 16, "K",
          "cross-validate: train K models, fold k validating on the rows of fold k; writes "
          "MODEL_OUT.cv.csv (0: off)", NULL },
        { "fold-key", TK_OPT_STRING, &cfg->fold_key, 0, 0, "COL",
          "--cv-folds: a row's fold is a hash of this column's value (and --seed)",
          "the row's global index" },
        { "fold-col", TK_OPT_STRING, &cfg->fold_col, 0, 0, "COL",
          "--cv-folds: the column holding each row's fold 0..K-1 (never a feature)", "none" },
        { "cv-grid", TK_OPT_STRING, &cfg->cv_grid, 0, 0, "'P=a,b;Q=c'",
          "--cv-folds: cross-validate every combination of these parameters; writes "
          "MODEL_OUT.grid.csv", "none" },
        { "cv-parallel", TK_OPT_STRING, &cfg->cv_parallel_name, 0, 0, "HOW",
          "--cv-grid: rows (every rank on every combination), combos (groups of ranks on "
          "different combinations, each group holding all rows) or auto", NULL },
        { "cv-refit", TK_OPT_FLAG, &cfg->cv_refit, 0, 0, NULL,
          "--cv-folds: then train MODEL_OUT on all rows for the best number of rounds (and "
          "the best combination)", NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };

    _Static_assert(sizeof(table) <= GBT_NOPTS * sizeof(tk_opt), "GBT_NOPTS is too small");
    memcpy(opts, table, sizeof(table));
}

static const char gbt_description[] =
    "Trains gradient-boosted trees (XGBoost's hist method) over MPI ranks, each\n"
    "reading its own slice of the rows. The model is byte-identical for any number\n"
    "of ranks and loads in Python's xgboost 1.7 (xgboost.Booster(model_file=...)).\n"
    "With --cv-folds K it cross-validates instead, as xgboost.cv does.";

int gbt_options_parse(gbt_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err)
{
    tk_opt opts[GBT_NOPTS];
    const tk_opt_spec spec = { GBT_NAME,       GBT_VERSION, "[OPTIONS] TRAIN MODEL_OUT",
                               gbt_description, gbt_arguments, gbt_example,
                               opts,           2,           2 };
    char *pos[2];
    int npos = 0, rc;
    tk_err e;

    set_defaults(cfg);
    option_table(cfg, opts);
    tk_err_clear(&e);
    rc = tk_opt_parse(&spec, argc, argv, pos, &npos, &e);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION)
        return tk_opt_report(&spec, rc, &e, rank, out, err);
    if (rc == TK_OK) {
        cfg->train = pos[0];
        cfg->model_out = pos[1];
        if (!cfg->label)
            rc = tk_err_set(&e, TK_EUSAGE, "--label is required");
    }
    if (rc == TK_OK)
        rc = check_config(cfg, &e);
    tk_opt_report(&spec, rc, &e, rank, out, err);
    return rc;
}

/* The parameters --cv-grid may search: those that shape the trees or the
 * boosting (not data, outputs or the run's own settings). */
static const char *const searchable[] = {
    "num-round", "eta", "max-depth", "min-child-weight", "lambda", "alpha", "gamma",
    "max-delta-step", "subsample", "colsample-bytree", "colsample-bylevel", "colsample-bynode",
    "max-bin", "scale-pos-weight", "seed", "max-cat-to-onehot", "max-cat-threshold",
    "quantized-grad", "early-stopping-rounds", NULL
};

const char *gbt_param_name(const char *name, char *buf, size_t len)
{
    static const char *const alias[][2] = { { "learning_rate", "eta" },
                                            { "reg_lambda", "lambda" },
                                            { "reg_alpha", "alpha" },
                                            { "min_split_loss", "gamma" },
                                            { "num_boost_round", "num-round" } };
    size_t i;

    for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strcmp(name, alias[i][0]) == 0)
            name = alias[i][1];
    for (i = 0; name[i] && i + 1 < len; i++)
        buf[i] = name[i] == '_' ? '-' : name[i];
    if (len)
        buf[i] = '\0';
    return buf;
}

int gbt_config_set(gbt_config *cfg, const char *name, const char *value, tk_err *e)
{
    tk_opt opts[GBT_NOPTS];
    const tk_opt_spec spec = { GBT_NAME, GBT_VERSION, "", "", NULL, NULL, opts, 0, 0 };
    char opt[64];
    size_t i;

    gbt_param_name(name, opt, sizeof(opt));
    for (i = 0; searchable[i] && strcmp(searchable[i], opt) != 0; i++)
        ;
    if (!searchable[i])
        return tk_err_set(e, TK_EUSAGE,
                          "--cv-grid: '%s' is not a training parameter gbtrain can search "
                          "(eta, max_depth, min_child_weight, lambda, alpha, gamma, subsample, "
                          "colsample_*, max_bin, ...)",
                          name);
    option_table(cfg, opts);
    return tk_opt_set(&spec, opt, value, e);
}

int gbt_side_path(const gbt_config *cfg, const char *suffix, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s", cfg->model_out, suffix);

    return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* A path gbtrain reads or writes, and how messages name it. */
typedef struct named_path {
    const char *what, *path;
} named_path;

/* TK_EUSAGE naming a and b when they are the same file or one is inside the
 * other. */
static int clash(const named_path *a, const named_path *b, tk_err *e)
{
    char ra[TK_PATH_MAX], rb[TK_PATH_MAX];

    if (!tk_fs_overlap(a->path, b->path))
        return TK_OK;
    if (tk_fs_same_file(a->path, b->path) ||
        (tk_fs_abspath(a->path, ra, sizeof(ra)) == 0 &&
         tk_fs_abspath(b->path, rb, sizeof(rb)) == 0 && strcmp(ra, rb) == 0))
        return tk_err_set(e, TK_EUSAGE, "%s %s and %s %s are the same file", a->what, a->path,
                          b->what, b->path);
    return tk_err_set(e, TK_EUSAGE, "%s %s and %s %s overlap (one is inside the other)",
                      a->what, a->path, b->what, b->path);
}

/* The files the run writes into out (*n of them); side paths in bufs. */
static int output_paths(const gbt_config *cfg, char bufs[][TK_PATH_MAX], named_path *out,
                        size_t *n, tk_err *e)
{
    static const struct {
        const char *what, *suffix;
    } side[3] = { { "the importance file", ".importance.csv" },
                  { "the cross-validation table", ".cv.csv" },
                  { "the grid table", ".grid.csv" } };
    int model = !cfg->cv_folds || cfg->cv_refit, want[3];
    size_t i;

    want[0] = model;
    want[1] = cfg->cv_folds > 0;
    want[2] = cfg->cv_grid != NULL;
    *n = 0;
    if (model)
        out[(*n)++] = (named_path){ "MODEL_OUT", cfg->model_out };
    for (i = 0; i < 3; i++) {
        if (!want[i])
            continue;
        if (gbt_side_path(cfg, side[i].suffix, bufs[i], TK_PATH_MAX) != 0)
            return tk_err_set(e, TK_EUSAGE, "MODEL_OUT %s: the path is too long",
                              cfg->model_out);
        out[(*n)++] = (named_path){ side[i].what, bufs[i] };
    }
    if (cfg->eval_log)
        out[(*n)++] = (named_path){ "--eval-log", cfg->eval_log };
    return TK_OK;
}

int gbt_check_paths(const gbt_config *cfg, tk_err *e)
{
    char bufs[3][TK_PATH_MAX];
    named_path out[6], in[2];
    size_t nout = 0, nin = 0, i, j;

    if (output_paths(cfg, bufs, out, &nout, e) != TK_OK)
        return e->status;
    in[nin++] = (named_path){ "TRAIN", cfg->train };
    if (cfg->valid)
        in[nin++] = (named_path){ "--valid", cfg->valid };
    for (i = 0; i < nout; i++) {
        for (j = i + 1; j < nout; j++)
            if (clash(&out[i], &out[j], e) != TK_OK)
                return e->status;
        for (j = 0; j < nin; j++)
            if (clash(&out[i], &in[j], e) != TK_OK)
                return e->status;
    }
    if ((!cfg->cv_folds || cfg->cv_refit) && !cfg->resume && !cfg->overwrite &&
        tk_fs_exists(cfg->model_out))
        return tk_err_set(e, TK_ECANTCREAT, "%s already exists (use --overwrite)",
                          cfg->model_out);
    for (i = 0; cfg->cv_folds && !cfg->overwrite && i < nout; i++)
        if (out[i].path != cfg->model_out && out[i].path != cfg->eval_log &&
            tk_fs_exists(out[i].path))
            return tk_err_set(e, TK_ECANTCREAT, "%s already exists (use --overwrite)",
                              out[i].path);
    return TK_OK;
}
