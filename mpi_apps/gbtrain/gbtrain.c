/* gbtrain.c -- gbt_run: options, data, cuts and bins, the boosting loop,
 * importance. Every stage ends with the ranks agreeing on errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_h5.h"
#include "tk_mem.h"
#include "tk_mpi.h"
#include "tk_opt.h"
#include "tk_table.h"

/* The model's header: objective, classes, base score, feature names. */
static int model_setup(gbt_ctx *c)
{
    tk_model *m = &c->model;

    tk_model_init(m);
    m->objective = c->cfg.objective;
    m->num_class = c->cfg.objective == TK_OBJ_SOFTPROB ? (int32_t)c->cfg.num_class : 0;
    m->base_score = (float)c->cfg.base_score;
    m->scale_pos_weight = (float)c->cfg.scale_pos_weight;
    if (tk_model_set_features(m, (const char *const *)c->names, c->nf, &c->job.err) != TK_OK)
        return c->job.err.status;
    return tk_model_set_feature_cat(m, c->cat, &c->job.err);
}

/* Margins start at the base margin; scratch for the rounds. */
static int alloc_state(gbt_ctx *c)
{
    uint64_t n = c->train.n, nv = c->valid.n, i;
    size_t K = (size_t)c->nout;
    float base = tk_model_base_margin(&c->model);

    c->train.margin = tk_mem_big((n * K + 1) * sizeof(float));
    c->valid.margin = tk_mem_big((nv * K + 1) * sizeof(float));
    c->g = tk_mem_big((n * K + 1) * sizeof(float));
    c->h = tk_mem_big((n * K + 1) * sizeof(float));
    if (c->cfg.quantized_grad)
        c->ghq = tk_mem_big((n + 1) * sizeof(gbt_qpair));
    else
        c->gh = tk_mem_big((n + 1) * sizeof(gbt_bin_sum));
    c->rows = tk_mem_big((n + 1) * sizeof(uint32_t));
    c->rows_tmp = tk_mem_big((n + 1) * sizeof(uint32_t));
    if (!c->train.margin || !c->valid.margin || !c->g || !c->h || (!c->gh && !c->ghq) || !c->rows ||
        !c->rows_tmp)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory for %llu rows",
                          (unsigned long long)n);
    if (n > UINT32_MAX)
        return tk_err_set(&c->job.err, TK_EUSAGE, "more than 2^32 rows on one rank: use more ranks");
    for (i = 0; i < n * K; i++)
        c->train.margin[i] = base;
    for (i = 0; i < nv * K; i++)
        c->valid.margin[i] = base;
    return TK_OK;
}

int gbt_ctx_load(gbt_ctx *c)
{
    MPI_Comm comm = c->job.comm;
    const char *const *names;

    if (gbt_data_columns(comm, &c->cfg, &c->names, &c->nf, &c->job.err) != TK_OK ||
        tk_mpi_agree(comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    names = (const char *const *)c->names;
    if (gbt_data_load(comm, &c->cfg, c->cfg.train, names, c->nf, 1, &c->train, &c->job.err) !=
            TK_OK ||
        gbt_data_categorical(comm, &c->cfg, names, c->nf, &c->train, &c->cat, &c->job.err) !=
            TK_OK ||
        gbt_data_check_categories(comm, c->cfg.train, names, c->cat, &c->train, &c->job.err) !=
            TK_OK)
        return c->job.err.status;
    if (c->cfg.valid) {
        if (gbt_data_load(comm, &c->cfg, c->cfg.valid, names, c->nf, 0, &c->valid,
                          &c->job.err) != TK_OK ||
            gbt_data_check_categories(comm, c->cfg.valid, names, c->cat, &c->valid,
                                      &c->job.err) != TK_OK)
            return c->job.err.status;
        c->has_valid = 1;
    }
    return TK_OK;
}

int gbt_ctx_bin(gbt_ctx *c)
{
    MPI_Comm comm = c->job.comm;

    if (gbt_cuts_build(comm, &c->train, c->cfg.max_bin, c->cat, &c->cuts, &c->job.err) != TK_OK)
        return c->job.err.status;
    if (gbt_blocks_init(&c->blocks, &c->cuts, c->job.rank, c->job.size, &c->job.err) == TK_OK)
        gbt_bins_build(&c->cuts, &c->train, c->cuts.narrow ? 1 : 2, 1, &c->job.err);
    if (c->has_valid && c->job.err.status == TK_OK)
        gbt_bins_build(&c->cuts, &c->valid, 2, 0, &c->job.err);
    return tk_mpi_agree(comm, &c->job.err);
}

int gbt_ctx_setup(gbt_ctx *c)
{
    model_setup(c);
    if (c->job.err.status == TK_OK)
        alloc_state(c);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* Rank 0: which features are categorical (--categorical auto chooses them)
 * and the weight column, on one line each when there are any. */
static void log_features(gbt_ctx *c)
{
    char buf[512];
    size_t f, len = 0, n = 0;

    buf[0] = '\0';
    for (f = 0; c->cat && f < c->nf; f++)
        if (c->cat[f]) {
            int k = snprintf(buf + len, sizeof(buf) - len, "%s%s", n++ ? ", " : "", c->names[f]);
            if (k < 0 || (size_t)k >= sizeof(buf) - len) {
                snprintf(buf + (sizeof(buf) > 4 ? sizeof(buf) - 4 : 0), 4, "...");
                break;
            }
            len += (size_t)k;
        }
    if (n > 0)
        tk_log_info(&c->job.log, "%s: categorical features: %s", GBT_NAME, buf);
    if (c->train.w)
        tk_log_info(&c->job.log, "%s: rows weighted by '%s'%s", GBT_NAME, c->cfg.weight,
                    c->has_valid && !c->valid.w ? " (VALID has no such column: its rows weigh 1)"
                                                : "");
}

/* Cuts and bins, the model's header and the training state, then the
 * boosting rounds. */
static int train(gbt_ctx *c)
{
    if (gbt_ctx_bin(c) != TK_OK || gbt_ctx_setup(c) != TK_OK)
        return c->job.err.status;
    if (c->job.rank == 0 && c->cfg.progress) {
        tk_log_info(&c->job.log, "%s: %llu rows, %zu features, %s, %d ranks, %.2f s to load and bin",
                    GBT_NAME, (unsigned long long)c->train.total, c->nf, c->cfg.objective_name,
                    c->job.size, tk_now() - c->job.t_start);
        log_features(c);
    }
    return gbt_train(c);
}

/* Rank 0: the importance file and the summary line. */
static int finish(gbt_ctx *c)
{
    uint64_t maxrss;

    if (c->job.rank == 0)
        gbt_importance_write(c, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    maxrss = tk_job_max_rss(&c->job);
    if (c->job.rank == 0)
        fprintf(c->job.log.out, "%s: wrote %s in %.2f s, %d ranks, maxrss=%llu MiB\n", GBT_NAME,
                c->cfg.model_out, tk_now() - c->job.t_start, c->job.size,
                (unsigned long long)(maxrss >> 20));
    return TK_OK;
}

/* Rank 0: refuses clashing paths before anything is read. */
static int check_paths(gbt_ctx *c)
{
    if (c->job.rank == 0)
        gbt_check_paths(&c->cfg, &c->job.err);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

void gbt_ctx_release(gbt_ctx *c)
{
    gbt_data_free(&c->train);
    gbt_data_free(&c->valid);
    gbt_cuts_free(&c->cuts);
    gbt_blocks_free(&c->blocks);
    tk_model_free(&c->model);
    free(c->g);
    free(c->h);
    free(c->gh);
    free(c->ghq);
    free(c->rows);
    free(c->rows_tmp);
    c->g = c->h = NULL;
    c->gh = NULL;
    c->ghq = NULL;
    c->rows = c->rows_tmp = NULL;
}

static void ctx_free(gbt_ctx *c)
{
    gbt_ctx_release(c);
    tk_table_names_free(c->names, c->nf);
    free(c->cat);
    free(c);
}

int gbt_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    gbt_ctx *c = calloc(1, sizeof(*c));
    int rc;

    if (!c) {
        fprintf(err, "%s: error: out of memory\n", GBT_NAME);
        MPI_Abort(comm, TK_ESOFTWARE);
        return TK_ESOFTWARE;
    }
    tk_job_begin(&c->job, comm, GBT_NAME, out, err, 0);
    rc = gbt_options_parse(&c->cfg, argc, argv, c->job.rank, out, err);
    if (rc != TK_OK) {
        free(c);
        return rc == TK_EUSAGE ? TK_EUSAGE : TK_OK;
    }
    tk_job_set_progress(&c->job, c->cfg.progress);
    /* the training metric costs a pass over TRAIN each round: by default only
     * for --eval-log (a terminal cannot be told apart: Open MPI gives every
     * rank's stdout a pseudo-terminal, even when mpirun's goes to a file) */
    if (c->cfg.eval_train < 0 && !c->cfg.cv_folds) /* xgboost.cv always evaluates TRAIN too */
        c->cfg.eval_train = c->cfg.eval_log != NULL;
    tk_h5_quiet();
    c->nout = gbt_noutputs(&c->cfg);
    tk_model_init(&c->model);
    /* the stages; each ends with the ranks agreeing on errors */
    if (check_paths(c) == TK_OK && gbt_ctx_load(c) == TK_OK) {
        if (!c->cfg.cv_folds) {
            if (train(c) == TK_OK)
                finish(c);
        } else if (gbt_cv(c) == TK_OK && c->cfg.cv_refit && train(c) == TK_OK) {
            finish(c); /* gbt_cv left c->cfg as the refit's: the best rounds (and combination) */
        }
    }
    rc = tk_job_end(&c->job);
    ctx_free(c);
    return rc;
}
