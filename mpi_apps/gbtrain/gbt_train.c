/* gbt_train.c -- the boosting loop: per round the gradients of every
 * output, one tree per output, margins, metrics, early stopping and
 * checkpoints (MODEL_OUT replaced atomically).
 *
 * Resume: the trees in MODEL_OUT are replayed round by round on the
 * training and validation rows, which gives back the margins, the metric of
 * every round and the early-stopping state exactly as the first run had
 * them; training then goes on from the next round. Since every draw is keyed
 * on (seed, round, ...), the final model is byte-identical to an
 * uninterrupted run, for any number of ranks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbtrain.h"
#include "tk_fs.h"
#include "tk_mpi.h"
#include "tk_text.h"

/* The metrics of every round: round r's value of metric j (cfg->metrics[j])
 * on TRAIN at train[r * nm + j], on VALID at valid[r * nm + j]; NaN where
 * not evaluated. */
typedef struct gbt_history {
    double *train, *valid;
    int64_t n, cap;
    int nm;
    int64_t best_iter;    /* by the last metric on VALID */
    double best_score;
} gbt_history;

static int history_add(gbt_history *hs, const double *tr, const double *va)
{
    size_t nm = (size_t)hs->nm;

    if (hs->n == hs->cap) {
        int64_t cap = hs->cap ? hs->cap * 2 : 64;
        double *t = realloc(hs->train, (size_t)cap * nm * sizeof(double));
        double *v;
        if (!t)
            return -1;
        hs->train = t;
        v = realloc(hs->valid, (size_t)cap * nm * sizeof(double));
        if (!v)
            return -1;
        hs->valid = v;
        hs->cap = cap;
    }
    memcpy(hs->train + (size_t)hs->n * nm, tr, nm * sizeof(double));
    memcpy(hs->valid + (size_t)hs->n * nm, va, nm * sizeof(double));
    hs->n++;
    return 0;
}

/* Sets the best_iteration and best_score attributes from hs. */
static int set_best(gbt_ctx *c, const gbt_history *hs)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%lld", (long long)hs->best_iter);
    if (tk_model_set_attr(&c->model, "best_iteration", buf, &c->job.err) != TK_OK)
        return -1;
    tk_fmt_double(buf, sizeof(buf), hs->best_score, 1); /* Python's str(float) */
    return tk_model_set_attr(&c->model, "best_score", buf, &c->job.err) != TK_OK ? -1 : 0;
}

/* Adds the round's trees to the margins (the training ones only when
 * replaying: a grown tree has added its own), evaluates the metrics that
 * are printed, logged or used, updates early stopping. Returns 1 when
 * training should stop, 0 to go on, -1 on error. */
static int finish_round(gbt_ctx *c, gbt_history *hs, int64_t round, size_t first_tree,
                        int replay)
{
    const gbt_config *cfg = &c->cfg;
    double tr[GBT_NMETRIC_IDS], va[GBT_NMETRIC_IDS];
    int k, j, eval_valid = c->has_valid && (cfg->progress || cfg->eval_log ||
                                            cfg->early_stopping_rounds > 0);

    for (k = 0; k < c->nout; k++) {
        const tk_tree *t = &c->model.trees[first_tree + (size_t)k];
        if ((replay &&
             gbt_tree_apply(&c->cuts, t, &c->train, t->group, c->nout, &c->job.err) != TK_OK) ||
            (c->has_valid &&
             gbt_tree_apply(&c->cuts, t, &c->valid, t->group, c->nout, &c->job.err) != TK_OK))
            break;
    }
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return -1;
    /* every rank decides alike: the options are the same everywhere */
    for (j = 0; j < cfg->nmetrics; j++) {
        tr[j] = cfg->eval_train ? gbt_metric_eval(&c->job, cfg, cfg->metrics[j], &c->train) : NAN;
        va[j] = eval_valid ? gbt_metric_eval(&c->job, cfg, cfg->metrics[j], &c->valid) : NAN;
    }
    if (history_add(hs, tr, va) != 0) {
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        return -1;
    }
    j = cfg->nmetrics - 1;
    if (c->has_valid &&
        (hs->best_iter < 0 || gbt_metric_better(cfg->metric, va[j], hs->best_score))) {
        hs->best_iter = round;
        hs->best_score = va[j];
    }
    if (cfg->early_stopping_rounds > 0) {
        if (set_best(c, hs) != 0)
            return -1;
        if (round - hs->best_iter >= cfg->early_stopping_rounds)
            return 1;
    }
    return 0;
}

/* Rank 0: "[round]" and the metrics evaluated, as xgboost prints them
 * (every metric on TRAIN, then on VALID); nothing when no metric was. */
static void print_round(gbt_ctx *c, const gbt_history *hs, int64_t round)
{
    const gbt_config *cfg = &c->cfg;
    size_t at = (size_t)round * (size_t)hs->nm;
    int j;

    if (c->job.rank != 0 || !cfg->progress || (!cfg->eval_train && !c->has_valid))
        return;
    fprintf(c->job.log.out, "[%lld]", (long long)round);
    for (j = 0; cfg->eval_train && j < cfg->nmetrics; j++)
        fprintf(c->job.log.out, "\ttrain-%s:%.5f", gbt_metric_name(cfg->metrics[j]),
                hs->train[at + (size_t)j]);
    for (j = 0; c->has_valid && j < cfg->nmetrics; j++)
        fprintf(c->job.log.out, "\tvalid-%s:%.5f", gbt_metric_name(cfg->metrics[j]),
                hs->valid[at + (size_t)j]);
    fputc('\n', c->job.log.out);
    fflush(c->job.log.out);
}

/* Rank 0: the eval log as CSV (round, then train-METRIC for each metric,
 * then valid-METRIC), written atomically. */
static int write_eval_log(gbt_ctx *c, const gbt_history *hs)
{
    const gbt_config *cfg = &c->cfg;
    size_t nm = (size_t)cfg->nmetrics, cap = 64 + (nm + 1) * 32 * ((size_t)hs->n + 1), len;
    char *buf;
    int64_t r;
    size_t j;

    if (c->job.rank != 0 || !cfg->eval_log)
        return TK_OK;
    buf = malloc(cap);
    if (!buf)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    len = (size_t)snprintf(buf, cap, "round");
    for (j = 0; cfg->eval_train && j < nm; j++)
        len += (size_t)snprintf(buf + len, cap - len, ",train-%s", gbt_metric_name(cfg->metrics[j]));
    for (j = 0; c->has_valid && j < nm; j++)
        len += (size_t)snprintf(buf + len, cap - len, ",valid-%s", gbt_metric_name(cfg->metrics[j]));
    buf[len++] = '\n';
    for (r = 0; r < hs->n; r++) {
        len += (size_t)snprintf(buf + len, cap - len, "%lld", (long long)r);
        for (j = 0; cfg->eval_train && j < nm; j++)
            len += (size_t)snprintf(buf + len, cap - len, ",%.9g", hs->train[(size_t)r * nm + j]);
        for (j = 0; c->has_valid && j < nm; j++)
            len += (size_t)snprintf(buf + len, cap - len, ",%.9g", hs->valid[(size_t)r * nm + j]);
        buf[len++] = '\n';
    }
    tk_fs_write_atomic(cfg->eval_log, buf, len, &c->job.err);
    free(buf);
    return c->job.err.status;
}

/* Collective. Saves MODEL_OUT (and the eval log) from rank 0. */
static int checkpoint(gbt_ctx *c, const gbt_history *hs)
{
    if (c->job.rank == 0 && tk_model_save(&c->model, c->cfg.model_out, &c->job.err) == TK_OK)
        write_eval_log(c, hs);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* Loads MODEL_OUT for --resume and checks it belongs to this training. */
static int load_previous(gbt_ctx *c, tk_model *prev)
{
    const gbt_config *cfg = &c->cfg;
    size_t f;

    if (tk_model_load(prev, cfg->model_out, &c->job.err) != TK_OK)
        return c->job.err.status;
    if (prev->objective != c->model.objective || prev->num_class != c->model.num_class ||
        prev->base_score != c->model.base_score)
        return tk_err_set(&c->job.err, TK_EUSAGE,
                          "cannot resume: %s has another objective, num_class or base_score",
                          cfg->model_out);
    if (prev->nfeatures != c->nf)
        return tk_err_set(&c->job.err, TK_EUSAGE, "cannot resume: %s has %zu features, not %zu",
                          cfg->model_out, prev->nfeatures, c->nf);
    for (f = 0; f < c->nf; f++)
        if (strcmp(prev->feature_names[f], c->names[f]) != 0)
            return tk_err_set(&c->job.err, TK_EUSAGE,
                              "cannot resume: %s's feature %zu is '%s', not '%s'",
                              cfg->model_out, f, prev->feature_names[f], c->names[f]);
    for (f = 0; f < c->nf; f++) {
        int was = prev->feature_cat && prev->feature_cat[f], is = c->cat && c->cat[f];
        if (was != is)
            return tk_err_set(&c->job.err, TK_EUSAGE,
                              "cannot resume: %s's feature '%s' is %s, but %s now (--categorical)",
                              cfg->model_out, c->names[f], was ? "categorical" : "numerical",
                              is ? "categorical" : "numerical");
    }
    if (prev->ntrees % (size_t)c->nout != 0)
        return tk_err_set(&c->job.err, TK_EDATA, "cannot resume: %s has %zu trees, not a multiple of %d",
                          cfg->model_out, prev->ntrees, c->nout);
    return TK_OK;
}

/* Collective. With --resume, loads MODEL_OUT into prev and sets *done to
 * its rounds; rank 0 decides whether it exists (so the ranks cannot
 * disagree) and says when it does not: training then starts from round 0. */
static int resume_start(gbt_ctx *c, tk_model *prev, int64_t *done)
{
    const gbt_config *cfg = &c->cfg;
    int exists = cfg->resume && c->job.rank == 0 && access(cfg->model_out, F_OK) == 0;

    *done = 0;
    MPI_Bcast(&exists, 1, MPI_INT, 0, c->job.comm);
    if (cfg->resume && !exists)
        tk_log_info(&c->job.log, "%s: --resume: MODEL_OUT %s does not exist; starting from round 0",
                    GBT_NAME, cfg->model_out);
    if (exists && load_previous(c, prev) == TK_OK) {
        *done = (int64_t)(prev->ntrees / (size_t)c->nout);
        if (*done > cfg->num_round)
            tk_err_set(&c->job.err, TK_EUSAGE,
                       "cannot resume: %s already has %lld rounds, more than --num-round %lld",
                       cfg->model_out, (long long)*done, (long long)cfg->num_round);
    }
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    if (exists)
        tk_log_info(&c->job.log, "%s: resuming from %s after %lld rounds", GBT_NAME, cfg->model_out,
                    (long long)*done);
    return TK_OK;
}

/* Rank 0: rounds, trees and the last round's metrics on one line. */
static void log_summary(gbt_ctx *c, const gbt_history *hs, int64_t rounds)
{
    const gbt_config *cfg = &c->cfg;
    char msg[1024];
    size_t len = 0, at = hs->n ? (size_t)(hs->n - 1) * (size_t)hs->nm : 0;
    int j, set;

    len += (size_t)snprintf(msg, sizeof(msg), "%s: %lld rounds, %zu trees", GBT_NAME,
                            (long long)rounds, c->model.ntrees);
    for (set = 0; set < 2 && hs->n; set++)
        for (j = 0; j < cfg->nmetrics && len < sizeof(msg); j++) {
            double v = (set ? hs->valid : hs->train)[at + (size_t)j];
            if (!isnan(v))
                len += (size_t)snprintf(msg + len, sizeof(msg) - len, ", %s-%s %.6f",
                                        set ? "valid" : "train", gbt_metric_name(cfg->metrics[j]),
                                        v);
        }
    tk_log_info(&c->job.log, "%s", msg);
}

int gbt_train(gbt_ctx *c)
{
    const gbt_config *cfg = &c->cfg;
    gbt_history hs;
    tk_model prev;
    int64_t round = 0, done = 0;
    uint64_t n = c->train.n;
    int k, stop = 0;

    memset(&hs, 0, sizeof(hs));
    hs.nm = cfg->nmetrics;
    hs.best_iter = -1;
    hs.best_score = NAN;
    tk_model_init(&prev);

    if (resume_start(c, &prev, &done) != TK_OK)
        goto out;
    for (round = 0; round < done && !stop; round++) {
        for (k = 0; k < c->nout; k++)
            if (tk_model_add_tree(&c->model, &prev.trees[(size_t)round * (size_t)c->nout + (size_t)k],
                                  &c->job.err) != TK_OK)
                break;
        if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            goto out;
        stop = finish_round(c, &hs, round, (size_t)round * (size_t)c->nout, 1);
        if (stop < 0 || tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            goto out;
        print_round(c, &hs, round);
    }

    for (; round < cfg->num_round && !stop; round++) {
        size_t first = c->model.ntrees;
        if (gbt_gradients(cfg, &c->train, c->g, c->h) != 0)
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory for the gradients");
        if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            goto out;
        for (k = 0; k < c->nout; k++)
            gbt_tree_grow(c, round, k, c->g + (size_t)k * n, c->h + (size_t)k * n);
        if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            goto out;
        stop = finish_round(c, &hs, round, first, 0);
        if (stop < 0 || tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
            goto out;
        print_round(c, &hs, round);
        if (cfg->checkpoint_every > 0 && (round + 1) % cfg->checkpoint_every == 0 &&
            checkpoint(c, &hs) != TK_OK)
            goto out;
    }
    if (stop && c->job.rank == 0)
        tk_log_info(&c->job.log, "%s: early stopping at round %lld: best round %lld, valid-%s %s",
                    GBT_NAME, (long long)(round - 1), (long long)hs.best_iter,
                    gbt_metric_name(cfg->metric), tk_model_get_attr(&c->model, "best_score"));
    checkpoint(c, &hs);
    if (c->job.err.status == TK_OK && c->job.rank == 0)
        log_summary(c, &hs, round);
out:
    tk_model_free(&prev);
    free(hs.train);
    free(hs.valid);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
