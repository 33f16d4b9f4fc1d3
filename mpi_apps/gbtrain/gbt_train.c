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

typedef struct gbt_history {
    double *train, *valid; /* metric per round */
    int64_t n, cap;
    int64_t best_iter;
    double best_score;
} gbt_history;

static int history_add(gbt_history *hs, double tr, double va)
{
    if (hs->n == hs->cap) {
        int64_t cap = hs->cap ? hs->cap * 2 : 64;
        double *t = realloc(hs->train, (size_t)cap * sizeof(double));
        double *v;
        if (!t)
            return -1;
        hs->train = t;
        v = realloc(hs->valid, (size_t)cap * sizeof(double));
        if (!v)
            return -1;
        hs->valid = v;
        hs->cap = cap;
    }
    hs->train[hs->n] = tr;
    hs->valid[hs->n] = va;
    hs->n++;
    return 0;
}

/* Adds the round's trees to the margins (the training ones only when
 * replaying: a grown tree has added its own), evaluates the metrics that
 * are printed, logged or used, updates early stopping. Returns 1 when
 * training should stop, 0 to go on, -1 on error. */
static int finish_round(gbt_ctx *c, gbt_history *hs, int64_t round, size_t first_tree,
                        int replay)
{
    const gbt_config *cfg = &c->cfg;
    double tr = NAN, va = NAN;
    int k;

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
    if (cfg->eval_train)
        tr = gbt_metric_eval(&c->job, cfg, &c->train);
    if (c->has_valid && (cfg->progress || cfg->eval_log || cfg->early_stopping_rounds > 0))
        va = gbt_metric_eval(&c->job, cfg, &c->valid);
    if (history_add(hs, tr, va) != 0) {
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        return -1;
    }
    if (c->has_valid && (hs->best_iter < 0 || gbt_metric_better(cfg->metric, va, hs->best_score))) {
        hs->best_iter = round;
        hs->best_score = va;
    }
    if (cfg->early_stopping_rounds > 0) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%lld", (long long)hs->best_iter);
        if (tk_model_set_attr(&c->model, "best_iteration", buf, &c->job.err) != TK_OK)
            return -1;
        tk_fmt_double(buf, sizeof(buf), hs->best_score, 1); /* Python's str(float) */
        if (tk_model_set_attr(&c->model, "best_score", buf, &c->job.err) != TK_OK)
            return -1;
        if (round - hs->best_iter >= cfg->early_stopping_rounds)
            return 1;
    }
    return 0;
}

/* Rank 0: "[round]" and the metrics evaluated, as xgboost prints them;
 * nothing when no metric was. */
static void print_round(gbt_ctx *c, const gbt_history *hs, int64_t round)
{
    const char *m = gbt_metric_name(c->cfg.metric);

    if (c->job.rank != 0 || !c->cfg.progress || (!c->cfg.eval_train && !c->has_valid))
        return;
    fprintf(c->job.log.out, "[%lld]", (long long)round);
    if (c->cfg.eval_train)
        fprintf(c->job.log.out, "\ttrain-%s:%.5f", m, hs->train[round]);
    if (c->has_valid)
        fprintf(c->job.log.out, "\tvalid-%s:%.5f", m, hs->valid[round]);
    fputc('\n', c->job.log.out);
    fflush(c->job.log.out);
}

/* Rank 0: the eval log as CSV, written atomically. */
static int write_eval_log(gbt_ctx *c, const gbt_history *hs)
{
    const char *m = gbt_metric_name(c->cfg.metric);
    size_t cap = 128 + (size_t)hs->n * 64, len = 0;
    char *buf;
    int64_t r;

    if (c->job.rank != 0 || !c->cfg.eval_log)
        return TK_OK;
    buf = malloc(cap);
    if (!buf)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    len += (size_t)snprintf(buf + len, cap - len, "round%s%s%s%s\n",
                            c->cfg.eval_train ? ",train-" : "", c->cfg.eval_train ? m : "",
                            c->has_valid ? ",valid-" : "", c->has_valid ? m : "");
    for (r = 0; r < hs->n; r++) {
        len += (size_t)snprintf(buf + len, cap - len, "%lld", (long long)r);
        if (c->cfg.eval_train)
            len += (size_t)snprintf(buf + len, cap - len, ",%.9g", hs->train[r]);
        if (c->has_valid)
            len += (size_t)snprintf(buf + len, cap - len, ",%.9g", hs->valid[r]);
        buf[len++] = '\n';
    }
    tk_fs_write_atomic(c->cfg.eval_log, buf, len, &c->job.err);
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

int gbt_train(gbt_ctx *c)
{
    const gbt_config *cfg = &c->cfg;
    gbt_history hs;
    tk_model prev;
    int64_t round = 0, done = 0;
    uint64_t n = c->train.n;
    int k, stop = 0;

    memset(&hs, 0, sizeof(hs));
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
    if (c->job.err.status == TK_OK && c->job.rank == 0) {
        char msg[256];
        const char *m = gbt_metric_name(cfg->metric);
        int len = snprintf(msg, sizeof(msg), "%s: %lld rounds, %zu trees", GBT_NAME,
                           (long long)round, c->model.ntrees);
        double tr = hs.n ? hs.train[hs.n - 1] : NAN, va = hs.n ? hs.valid[hs.n - 1] : NAN;
        if (!isnan(tr) && len > 0 && (size_t)len < sizeof(msg))
            len += snprintf(msg + len, sizeof(msg) - (size_t)len, ", train-%s %.6f", m, tr);
        if (!isnan(va) && len > 0 && (size_t)len < sizeof(msg))
            snprintf(msg + len, sizeof(msg) - (size_t)len, ", valid-%s %.6f", m, va);
        tk_log_info(&c->job.log, "%s", msg);
    }
out:
    tk_model_free(&prev);
    free(hs.train);
    free(hs.valid);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
