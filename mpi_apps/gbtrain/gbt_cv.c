/* gbt_cv.c -- --cv-folds K, as xgboost.cv: K models trained side by side
 * in one job, fold k's model on the rows of the other folds, tested on
 * fold k's rows; per round the mean and population standard deviation of
 * every metric over the folds, printed and tabled; early stopping on the
 * last metric's mean test value; with --cv-grid every combination in turn.
 *
 * Each fold is a gbt_ctx of its own (its rows, cuts from its own training
 * rows as xgboost's per-fold DMatrix has them, bins, model), sharing the
 * job's communicator: every rank holds its share of every fold's rows, so
 * the folds' models are the same for any number of ranks, and so are their
 * metrics (exact over all ranks) and this table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_fs.h"
#include "tk_mpi.h"

/* The cross-validation of one combination. stats: per round r and metric
 * j, at (r * nm + j) * 4: train mean, train std, test mean, test std. */
typedef struct cv_result {
    double *stats;
    int64_t n;           /* rounds in the table (up to the best one after early stopping) */
    int64_t best;        /* the round of the best mean test value of the last metric */
} cv_result;

typedef struct cv_run {
    gbt_ctx *c;
    gbt_config cfg;      /* the combination's */
    gbt_ctx *folds;
    int K, nm, with_train;
    double *vals;        /* scratch: K * 2 * nm of one round */
    cv_result res;
    int64_t cap;
} cv_run;

/* Collective. Fold k's context: its training and test rows, cuts, bins,
 * the model's header and training state. Errors go into c->job.err. */
static int fold_setup(cv_run *r, const uint32_t *fold, uint32_t k)
{
    gbt_ctx *c = r->c, *f = &r->folds[k];
    MPI_Comm comm = c->job.comm;

    f->job = c->job; /* a copy: the fold records its errors, c takes them over */
    f->cfg = r->cfg;
    f->cfg.eval_log = NULL;
    f->names = c->names; /* borrowed, as the categorical flags */
    f->nf = c->nf;
    f->cat = c->cat;
    f->nout = c->nout;
    f->has_valid = 1;
    if (gbt_data_subset(comm, &c->train, fold, k, 0, &f->train, &f->job.err) == TK_OK &&
        gbt_data_subset(comm, &c->train, fold, k, 1, &f->valid, &f->job.err) == TK_OK &&
        gbt_ctx_bin(f) == TK_OK)
        gbt_ctx_setup(f);
    c->job.err = f->job.err;
    return c->job.err.status;
}

/* Collective. One round of fold f: gradients, one tree per output, the
 * trees on the test rows, and its metrics into v[0..nm) (train; NaN when
 * not evaluated) and v[nm..2nm) (test). */
static int fold_round(cv_run *r, gbt_ctx *f, int64_t round, double *v)
{
    const gbt_config *cfg = &f->cfg;
    size_t first = f->model.ntrees, n = (size_t)f->train.n;
    int k, j;

    if (gbt_gradients(cfg, &f->train, f->g, f->h) != 0)
        tk_err_set(&f->job.err, TK_ESOFTWARE, "out of memory for the gradients");
    if (tk_mpi_agree(f->job.comm, &f->job.err) != TK_OK)
        return f->job.err.status;
    for (k = 0; k < f->nout; k++)
        gbt_tree_grow(f, round, k, f->g + (size_t)k * n, f->h + (size_t)k * n);
    for (k = 0; k < f->nout && f->job.err.status == TK_OK; k++) {
        const tk_tree *t = &f->model.trees[first + (size_t)k];
        gbt_tree_apply(&f->cuts, t, &f->valid, t->group, f->nout, &f->job.err);
    }
    if (tk_mpi_agree(f->job.comm, &f->job.err) != TK_OK)
        return f->job.err.status;
    for (j = 0; j < r->nm; j++) {
        v[j] = r->with_train ? gbt_metric_eval(&f->job, cfg, cfg->metrics[j], &f->train) : NAN;
        v[r->nm + j] = gbt_metric_eval(&f->job, cfg, cfg->metrics[j], &f->valid);
    }
    return TK_OK;
}

/* The round's mean and population std over the folds of each metric,
 * appended to the table. Returns 0, or -1 when out of memory. */
static int add_stats(cv_run *r)
{
    int j, set, k;
    double *row;

    if (r->res.n == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 64;
        double *s = realloc(r->res.stats, (size_t)cap * (size_t)r->nm * 4 * sizeof(double));
        if (!s)
            return -1;
        r->res.stats = s;
        r->cap = cap;
    }
    row = r->res.stats + (size_t)r->res.n * (size_t)r->nm * 4;
    for (j = 0; j < r->nm; j++)
        for (set = 0; set < 2; set++) {
            double sum = 0, dev = 0, mean;
            for (k = 0; k < r->K; k++)
                sum += r->vals[((size_t)k * 2 + (size_t)set) * (size_t)r->nm + (size_t)j];
            mean = sum / r->K;
            for (k = 0; k < r->K; k++) {
                double d = r->vals[((size_t)k * 2 + (size_t)set) * (size_t)r->nm + (size_t)j] - mean;
                dev += d * d;
            }
            row[j * 4 + set * 2] = mean;
            row[j * 4 + set * 2 + 1] = sqrt(dev / r->K);
        }
    r->res.n++;
    return 0;
}

/* Rank 0: "[round]\ttrain-auc:MEAN+STD\t...\ttest-auc:MEAN+STD", as
 * xgboost.cv prints it. */
static void print_round(const cv_run *r, int64_t round)
{
    const double *row = r->res.stats + (size_t)round * (size_t)r->nm * 4;
    FILE *out = r->c->job.log.out;
    int j, set;

    if (r->c->job.rank != 0 || !r->cfg.progress)
        return;
    fprintf(out, "[%lld]", (long long)round);
    for (set = !r->with_train; set < 2; set++)
        for (j = 0; j < r->nm; j++)
            fprintf(out, "\t%s-%s:%.5f+%.5f", set ? "test" : "train",
                    gbt_metric_name(r->cfg.metrics[j]), row[j * 4 + set * 2],
                    row[j * 4 + set * 2 + 1]);
    fputc('\n', out);
    fflush(out);
}

/* Whether round's mean test value of the last metric is the best so far. */
static int improves(const cv_run *r, int64_t round)
{
    size_t j = (size_t)r->nm - 1, w = (size_t)r->nm * 4;
    double v = r->res.stats[(size_t)round * w + j * 4 + 2];

    return r->res.best < 0 ||
           gbt_metric_better(r->cfg.metric, v, r->res.stats[(size_t)r->res.best * w + j * 4 + 2]);
}

/* Collective. The rounds of every fold side by side, with early stopping
 * as xgboost.cv has it: the table then ends at the best round. */
static int boost(cv_run *r)
{
    gbt_ctx *c = r->c;
    int64_t round;
    int k;

    for (round = 0; round < r->cfg.num_round; round++) {
        for (k = 0; k < r->K; k++)
            if (fold_round(r, &r->folds[k], round, r->vals + (size_t)k * 2 * (size_t)r->nm) !=
                TK_OK) {
                c->job.err = r->folds[k].job.err;
                return c->job.err.status;
            }
        if (add_stats(r) != 0)
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            return c->job.err.status;
        print_round(r, round);
        if (improves(r, round))
            r->res.best = round;
        if (r->cfg.early_stopping_rounds > 0 &&
            round - r->res.best >= r->cfg.early_stopping_rounds) {
            r->res.n = r->res.best + 1;
            break;
        }
    }
    return TK_OK;
}

/* Collective. Cross-validates r->cfg into r->res: the folds set up one after
 * the other (each fold's copy of the features freed once binned), trained
 * side by side, then freed. */
static int cross_validate(cv_run *r, const uint32_t *fold)
{
    gbt_ctx *c = r->c;
    int k;

    r->K = (int)r->cfg.cv_folds;
    r->nm = r->cfg.nmetrics;
    r->with_train = r->cfg.eval_train != 0;
    r->res.best = -1;
    r->folds = calloc((size_t)r->K, sizeof(gbt_ctx));
    r->vals = calloc((size_t)r->K * 2 * (size_t)r->nm, sizeof(double));
    if (!r->folds || !r->vals)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory for %d folds", r->K);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK) {
        for (k = 0; k < r->K && fold_setup(r, fold, (uint32_t)k) == TK_OK; k++)
            ;
        if (c->job.err.status == TK_OK)
            boost(r);
    }
    for (k = 0; r->folds && k < r->K; k++) /* zeroed or set up: either can be released */
        gbt_ctx_release(&r->folds[k]);
    free(r->folds);
    free(r->vals);
    r->folds = NULL;
    r->vals = NULL;
    return c->job.err.status;
}

/* The table of one combination as CSV into *text (owned by the caller):
 * round, then per metric train-M-mean, train-M-std, test-M-mean,
 * test-M-std (xgboost.cv's column names; no train columns with
 * --no-eval-train). */
static int format_table(const gbt_config *cfg, const cv_result *res, int with_train,
                        char **text, size_t *len)
{
    size_t nm = (size_t)cfg->nmetrics, cap = 64 + (size_t)(res->n + 1) * (nm * 4 + 1) * 40, at;
    char *buf = malloc(cap);
    int64_t r;
    size_t j, q;

    if (!buf)
        return -1;
    at = (size_t)snprintf(buf, cap, "round");
    for (j = 0; j < nm; j++)
        for (q = with_train ? 0 : 2; q < 4; q++)
            at += (size_t)snprintf(buf + at, cap - at, ",%s-%s-%s", q < 2 ? "train" : "test",
                                   gbt_metric_name(cfg->metrics[j]), q % 2 ? "std" : "mean");
    buf[at++] = '\n';
    for (r = 0; r < res->n; r++) {
        at += (size_t)snprintf(buf + at, cap - at, "%lld", (long long)r);
        for (j = 0; j < nm; j++)
            for (q = with_train ? 0 : 2; q < 4; q++)
                at += (size_t)snprintf(buf + at, cap - at, ",%.9g",
                                       res->stats[((size_t)r * nm + j) * 4 + q]);
        buf[at++] = '\n';
    }
    *text = buf;
    *len = at;
    return 0;
}

/* Rank 0: MODEL_OUT.cv.csv (and --eval-log) from res, atomically. */
static int write_table(gbt_ctx *c, const gbt_config *cfg, const cv_result *res)
{
    char path[TK_PATH_MAX], *text = NULL;
    size_t len = 0;

    if (c->job.rank != 0)
        return TK_OK;
    if (format_table(cfg, res, cfg->eval_train != 0, &text, &len) != 0)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (gbt_side_path(cfg, ".cv.csv", path, sizeof(path)) != 0)
        tk_err_set(&c->job.err, TK_EUSAGE, "MODEL_OUT %s: the path is too long", cfg->model_out);
    else if (tk_fs_write_atomic(path, text, len, &c->job.err) == TK_OK && cfg->eval_log)
        tk_fs_write_atomic(cfg->eval_log, text, len, &c->job.err);
    free(text);
    return c->job.err.status;
}

/* The best round's value of column q (0..3) of the last metric. */
static double best_value(const gbt_config *cfg, const cv_result *res, int q)
{
    size_t nm = (size_t)cfg->nmetrics;

    return res->stats[((size_t)res->best * nm + nm - 1) * 4 + (size_t)q];
}

/* The order of the grid table: the best mean test value of the last metric
 * first, ties in combination order. */
typedef struct grid_sort {
    const gbt_config *cfg;
    const cv_result *res;
} grid_sort;

static int better_combo(const grid_sort *g, size_t a, size_t b)
{
    double va = best_value(g->cfg, &g->res[a], 2), vb = best_value(g->cfg, &g->res[b], 2);

    if (gbt_metric_better(g->cfg->metric, va, vb))
        return 1;
    if (gbt_metric_better(g->cfg->metric, vb, va))
        return 0;
    return a < b;
}

/* order[0..n): the combinations best first (insertion sort: a grid is small
 * next to its training). */
static void sort_combos(const grid_sort *g, size_t *order, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        size_t x = i;
        for (j = i; j > 0 && better_combo(g, x, order[j - 1]); j--)
            order[j] = order[j - 1];
        order[j] = x;
    }
}

/* Rank 0: MODEL_OUT.grid.csv: per combination (best first) its parameter
 * values, best_round, and per metric the train and test mean and std at
 * that round. */
static int write_grid(gbt_ctx *c, const gbt_grid *g, const cv_result *res, const size_t *order)
{
    const gbt_config *cfg = &c->cfg;
    size_t nm = (size_t)cfg->nmetrics, cap = 256 + g->ncombo * (g->np * 64 + nm * 4 * 32 + 32);
    size_t at = 0, i, p, j, q, q0 = cfg->eval_train != 0 ? 0 : 2;
    char path[TK_PATH_MAX], *buf;

    if (c->job.rank != 0)
        return TK_OK;
    for (p = 0; p < g->np; p++)
        for (i = 0; i < g->nval[p]; i++)
            cap += strlen(g->val[p][i]) * g->ncombo / g->nval[p] + strlen(g->name[p]);
    if (!(buf = malloc(cap)))
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    for (p = 0; p < g->np; p++)
        at += (size_t)snprintf(buf + at, cap - at, "%s,", g->name[p]);
    at += (size_t)snprintf(buf + at, cap - at, "best_round");
    for (j = 0; j < nm; j++)
        for (q = q0; q < 4; q++)
            at += (size_t)snprintf(buf + at, cap - at, ",%s-%s-%s", q < 2 ? "train" : "test",
                                   gbt_metric_name(cfg->metrics[j]), q % 2 ? "std" : "mean");
    buf[at++] = '\n';
    for (i = 0; i < g->ncombo; i++) {
        const cv_result *r = &res[order[i]];
        gbt_grid_describe_values(g, order[i], buf + at, cap - at);
        at += strlen(buf + at);
        at += (size_t)snprintf(buf + at, cap - at, "%lld", (long long)r->best);
        for (j = 0; j < nm; j++)
            for (q = q0; q < 4; q++)
                at += (size_t)snprintf(buf + at, cap - at, ",%.9g",
                                       r->stats[((size_t)r->best * nm + j) * 4 + q]);
        buf[at++] = '\n';
    }
    if (gbt_side_path(cfg, ".grid.csv", path, sizeof(path)) == 0)
        tk_fs_write_atomic(path, buf, at, &c->job.err);
    free(buf);
    return c->job.err.status;
}

/* Rank 0: the combination's best round, on one line after what. */
static void log_best(gbt_ctx *c, const char *what, const gbt_grid *g, size_t combo,
                     const cv_result *res)
{
    const gbt_config *cfg = &c->cfg;
    char desc[1024];

    if (c->job.rank != 0)
        return;
    gbt_grid_describe(g, combo, ", ", desc, sizeof(desc));
    tk_log_info(&c->job.log, "%s: cv: %s%s%sbest round %lld: test-%s-mean %.6f, test-%s-std %.6f",
                GBT_NAME, what, desc, g->np ? ": " : "", (long long)res->best,
                gbt_metric_name(cfg->metric), best_value(cfg, res, 2),
                gbt_metric_name(cfg->metric), best_value(cfg, res, 3));
}

/* Collective. Cross-validates every combination into res[0..ncombo). */
static int run_grid(gbt_ctx *c, const gbt_grid *g, const uint32_t *fold, cv_result *res)
{
    size_t i;

    for (i = 0; i < g->ncombo; i++) {
        cv_run r;
        char desc[1024];
        memset(&r, 0, sizeof(r));
        r.c = c;
        if (gbt_grid_config(g, i, &c->cfg, &r.cfg, &c->job.err) != TK_OK)
            return c->job.err.status; /* checked when parsed: cannot differ between ranks */
        if (c->job.rank == 0 && g->np && c->cfg.progress) {
            gbt_grid_describe(g, i, ", ", desc, sizeof(desc));
            tk_log_info(&c->job.log, "%s: cv: combination %zu of %zu: %s", GBT_NAME, i + 1,
                        g->ncombo, desc);
        }
        cross_validate(&r, fold);
        res[i] = r.res;
        if (c->job.err.status != TK_OK)
            return c->job.err.status;
        if (g->np)
            log_best(c, "", g, i, &res[i]);
    }
    return TK_OK;
}

int gbt_cv(gbt_ctx *c)
{
    gbt_grid g;
    uint32_t *fold = NULL;
    cv_result *res = NULL;
    size_t *order = NULL, i;

    if (gbt_grid_parse(&c->cfg, &g, &c->job.err) == TK_OK &&
        !(res = calloc(g.ncombo, sizeof(*res))) + !(order = malloc(g.ncombo * sizeof(size_t))))
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK ||
        gbt_folds_assign(c->job.comm, &c->cfg, &c->train, &fold, &c->job.err) != TK_OK ||
        run_grid(c, &g, fold, res) != TK_OK)
        goto out;
    sort_combos(&(grid_sort){ &c->cfg, res }, order, g.ncombo);
    log_best(c, g.np ? "the best combination: " : "", &g, order[0], &res[order[0]]);
    if (write_table(c, &c->cfg, &res[order[0]]) == TK_OK && g.np)
        write_grid(c, &g, res, order);
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK && c->cfg.cv_refit) {
        gbt_config refit;
        if (gbt_grid_config(&g, order[0], &c->cfg, &refit, &c->job.err) == TK_OK) {
            refit.num_round = res[order[0]].best + 1;
            refit.early_stopping_rounds = 0;
            refit.eval_log = NULL;
            refit.eval_train = refit.eval_train > 0;
            c->cfg = refit;
        }
    }
out:
    for (i = 0; res && i < g.ncombo; i++)
        free(res[i].stats);
    free(res);
    free(order);
    free(fold);
    gbt_grid_free(&g);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
