/* gbt_cv.c -- --cv-folds K for one configuration, as xgboost.cv: K models
 * trained side by side in one job, fold k's model on the rows of the other
 * folds, tested on fold k's rows; per round the mean and population
 * standard deviation of every metric over the folds; early stopping on the
 * last metric's mean test value.
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
#include "tk_mpi.h"

typedef struct cv_run {
    gbt_ctx *c;
    gbt_config cfg;      /* the combination's */
    gbt_ctx *folds;
    int K, nm, with_train, live;
    double *vals;        /* scratch: K * 2 * nm of one round */
    gbt_cv_result res;
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

void gbt_cv_print_round(const gbt_ctx *c, const gbt_config *cfg, const gbt_cv_result *res,
                        int64_t round)
{
    const double *row = res->stats + (size_t)round * (size_t)cfg->nmetrics * 4;
    FILE *out = c->job.log.out;
    int j, set;

    if (c->job.rank != 0 || !cfg->progress)
        return;
    fprintf(out, "[%lld]", (long long)round);
    for (set = cfg->eval_train == 0; set < 2; set++)
        for (j = 0; j < cfg->nmetrics; j++)
            fprintf(out, "\t%s-%s:%.5f+%.5f", set ? "test" : "train",
                    gbt_metric_name(cfg->metrics[j]), row[j * 4 + set * 2],
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
        if (r->live)
            gbt_cv_print_round(c, &r->cfg, &r->res, round);
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

/* The folds are set up one after the other (each fold's copy of the
 * features freed once binned), trained side by side, then freed. */
int gbt_cv_run(gbt_ctx *c, const gbt_config *cfg, const uint32_t *fold, int live,
               gbt_cv_result *res)
{
    cv_run run, *r = &run;
    int k;

    memset(r, 0, sizeof(*r));
    r->c = c;
    r->cfg = *cfg;
    r->live = live;
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
    *res = r->res; /* what the table holds, even after an error (the caller frees it) */
    return c->job.err.status;
}

